"""A retried mutation with the same Idempotency-Key returns the first result and writes nothing twice."""

from sqlmodel import func, select

from app.enrollment.models import Application, ApplicationEvent
from tests.enrollment.conftest import AGREEMENT


def _publish(client, world):
    url = f"/api/v1/terms/{world.a.term.id}/plan"
    client.put(f"{url}/draft", headers=world.a.headers("admin"), json={"agreement_text": AGREEMENT})
    client.post(f"{url}/publish", headers=world.a.headers("admin"))


def _apply(client, world, key, weekdays=(1, 2)):
    return client.post("/api/v1/applications", headers={**world.a.headers("guardian"), "Idempotency-Key": key},
                       json={"student_id": world.a.students[0].id, "term_id": world.a.term.id,
                             "weekdays": list(weekdays)})


def test_a_retry_returns_the_first_result_and_writes_once(client, session, world):
    _publish(client, world)
    first = _apply(client, world, "key-1")
    retry = _apply(client, world, "key-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry.headers["idempotent-replayed"] == "true"
    events = session.exec(select(func.count()).select_from(ApplicationEvent)).one()
    assert events == 1


def test_without_the_key_a_second_apply_is_refused_by_the_rules(client, world):
    _publish(client, world)
    assert _apply(client, world, "a").status_code == 201
    assert _apply(client, world, "b").status_code == 409


def test_a_key_reused_for_another_request_is_refused(client, session, world):
    _publish(client, world)
    _apply(client, world, "key-2")
    other = _apply(client, world, "key-2", weekdays=(3,))
    assert other.status_code == 422 and other.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert session.exec(select(Application)).one().weekdays == [1, 2]


def test_a_refusal_is_replayed_too(client, world):
    first = _apply(client, world, "key-3")  # no plan published yet
    assert first.status_code == 404
    assert _apply(client, world, "key-3").json() == first.json()


def test_keys_belong_to_one_account(client, world):
    _publish(client, world)
    _apply(client, world, "shared")
    other = client.post("/api/v1/notifications/subscriptions",
                        headers={**world.a.headers("teacher"), "Idempotency-Key": "shared"},
                        json={"results": {"dev-arrived": "accept"}})
    assert other.status_code == 200 and "idempotent-replayed" not in other.headers


def test_a_duplicate_arriving_while_the_first_runs_is_told_to_wait(client, session, world, fixed_clock, monkeypatch):
    from app.core import idempotency
    from app.core.idempotency import IdempotencyRecord
    monkeypatch.setattr(idempotency, "WAIT_FOR_FIRST", 0.2)
    _publish(client, world)
    account_id = world.a.guardians[0].account_id
    session.add(IdempotencyRecord(account_id=account_id, key="busy", request_hash="x" * 64))
    session.commit()
    waiting = _apply(client, world, "busy")
    assert waiting.status_code == 409 and waiting.json()["error"]["code"] == "IDEMPOTENCY_IN_PROGRESS"
    # The first request never finished (its process died): after a minute the key is free again.
    fixed_clock.advance(minutes=2)
    assert _apply(client, world, "busy").status_code == 201



def test_a_double_tap_waits_for_the_first_and_gets_the_same_answer(fresh_engine, world_in):
    """Real sessions of their own (the shared test session cannot serve two requests at once)."""
    import threading
    from unittest import mock

    from fastapi.testclient import TestClient
    from sqlmodel import Session

    from app.core import idempotency
    from app.core.db import get_session
    from app.main import create_app

    world = world_in(fresh_engine)
    app = create_app()

    def own_session():
        with Session(fresh_engine) as db:
            yield db

    app.dependency_overrides[get_session] = own_session
    app.state.session_factory = lambda: Session(fresh_engine)
    first_started, release_first = threading.Event(), threading.Event()
    real_settle = idempotency.IdempotencyMiddleware._settle

    def slow_settle(self, *args):  # hold the first request open until the duplicate has arrived
        first_started.set()
        release_first.wait(5)
        real_settle(self, *args)

    answers = []
    with TestClient(app) as client:
        _publish(client, world)
        with mock.patch.object(idempotency.IdempotencyMiddleware, "_settle", slow_settle):
            first = threading.Thread(target=lambda: answers.append(_apply(client, world, "tap")))
            first.start()
            assert first_started.wait(5)
        # The first request's answer is ready but not yet stored: the duplicate waits, then replays it.
        second = threading.Thread(target=lambda: answers.append(_apply(client, world, "tap")))
        second.start()
        release_first.set()
        first.join()
        second.join()
    assert sorted(a.status_code for a in answers) == [201, 201]
    assert answers[0].json() == answers[1].json()
    with Session(fresh_engine) as db:
        assert len(db.exec(select(Application)).all()) == 1
