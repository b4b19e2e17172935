"""The choice over HTTP, as the mini-program makes it: its Idempotency-Key is recorded in the choice's own
transaction, so a double tap or a retry gets the first answer and nothing is written twice."""

import threading

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.clubs.models import Club, ClubEnrollment, EnrollmentEvent
from app.core.idempotency import IdempotencyRecord
from tests.clubs.conftest import approve, make_club, make_round
from tests.factories import auth_headers


def _choose(client, world, club_id, key=None, student=None):
    headers = {**world.a.headers("guardian"), **({"Idempotency-Key": key} if key else {})}
    return client.post(f"/api/v1/clubs/{club_id}/enrollments", headers=headers,
                       json={"student_id": (student or world.a.students[0]).id})


def _count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


def _approved_child(session, world):
    approve(session, world.a.students[0], world.a.term, world.a.guardians[0].account_id)
    session.commit()


def test_a_retry_with_the_key_gets_the_first_answer_and_writes_nothing(client, session, world):
    _approved_child(session, world)
    club = make_club(session, world, capacity=1)
    make_round(session, world)
    first, again = _choose(client, world, club.id, "tap-1"), _choose(client, world, club.id, "tap-1")
    assert first.status_code == again.status_code == 200
    assert first.json()["status"] == "enrolled"
    assert again.content == first.content and again.headers["idempotent-replayed"] == "true"
    assert (_count(session, ClubEnrollment), _count(session, EnrollmentEvent), _count(session, IdempotencyRecord)) \
        == (1, 1, 1)
    session.refresh(club)
    assert club.enrolled_count == 1


def test_a_key_reused_for_another_request_is_refused(client, session, world):
    _approved_child(session, world)
    club, other = make_club(session, world), make_club(session, world, name="围棋", weekdays=(4,))
    make_round(session, world)
    assert _choose(client, world, club.id, "tap-2").status_code == 200
    reused = _choose(client, world, other.id, "tap-2")
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert _count(session, ClubEnrollment) == 1


def test_a_refusal_is_replayed_and_a_new_key_tries_again(client, session, world):
    _approved_child(session, world)
    club = make_club(session, world)
    make_round(session, world, open_now=False)
    closed = _choose(client, world, club.id, "tap-3")
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "SELECTION_CLOSED"
    make_round(session, world)
    assert _choose(client, world, club.id, "tap-3").json() == closed.json()
    assert _choose(client, world, club.id, "tap-4").json()["status"] == "enrolled"


def test_without_a_key_choosing_again_answers_with_the_place(client, session, world):
    _approved_child(session, world)
    club = make_club(session, world)
    make_round(session, world)
    assert _choose(client, world, club.id).json() == _choose(client, world, club.id).json()
    assert (_count(session, ClubEnrollment), _count(session, IdempotencyRecord)) == (1, 0)


def test_who_may_choose(client, session, world):
    _approved_child(session, world)
    club = make_club(session, world)
    make_round(session, world)
    url = f"/api/v1/clubs/{club.id}/enrollments"
    body = {"json": {"student_id": world.a.students[0].id}}
    assert client.post(url, **body).status_code == 401
    teacher = client.post(url, headers=world.a.headers("teacher"), **body)
    assert teacher.status_code == 403 and teacher.json()["error"]["code"] == "FORBIDDEN"
    not_mine = client.post(url, headers=auth_headers(world.a.guardians[1].account_id), **body)
    assert not_mine.json()["error"]["code"] == "STUDENT_NOT_FOUND"
    assert client.post(f"/api/v1/clubs/{club.id + 999}/enrollments", headers=world.a.headers("guardian"),
                       **body).status_code == 404


def test_a_double_tap_at_the_same_instant_gets_one_place_and_one_answer(fresh_engine, world_in):
    """Real sessions of their own: both taps run at once, on SQLite and on PostgreSQL."""
    from app.main import create_app

    world = world_in(fresh_engine)
    with Session(fresh_engine, expire_on_commit=False) as db:
        _approved_child(db, world)
        club = make_club(db, world, capacity=1)
        make_round(db, world)
    app = create_app()
    app.state.session_factory = lambda: Session(fresh_engine)
    answers, start = [], threading.Barrier(2, timeout=30)

    def tap():
        start.wait()
        answers.append(_choose(client, world, club.id, "same-tap"))

    with TestClient(app) as client:
        threads = [threading.Thread(target=tap) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].content == answers[1].content
    with Session(fresh_engine) as db:
        assert (_count(db, ClubEnrollment), _count(db, IdempotencyRecord)) == (1, 1)
        assert db.get(Club, club.id).enrolled_count == 1
