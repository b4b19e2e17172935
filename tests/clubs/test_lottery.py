"""The lottery (摇号): reproducible from its seed, first choices before second, priority first,
within capacity, clashes and the per-child maximum; the rest wait."""

from datetime import timedelta

import pytest
from sqlmodel import select

from app.clubs import service
from app.clubs.models import ClubEnrollment
from app.core.errors import AppError
from tests.clubs.conftest import make_club, make_round


def _choose(session, family, round_, *clubs):
    service.set_choices(session=session, caller=family.caller, round_=round_, student_id=family.student.id,
                        club_ids=[c.id for c in clubs])


def _close(session, round_, fixed_clock):
    fixed_clock.at = round_.closes_at + timedelta(minutes=1)


def _placements(session, round_):
    rows = session.exec(select(ClubEnrollment).where(ClubEnrollment.round_id == round_.id)).all()
    return {(r.club_id, r.student_id, r.status) for r in rows}


def test_the_same_seed_gives_the_same_result(session, world, families, fixed_clock):
    round_ = make_round(session, world, mode="lottery", max_per_child=1)
    club = make_club(session, world, capacity=3)
    for family in families:
        _choose(session, family, round_, club)
    _close(session, round_, fixed_clock)
    first = service.plan_draw(session, round_, "seed-1")
    assert first == service.plan_draw(session, round_, "seed-1")
    assert first != service.plan_draw(session, round_, "seed-2")
    result = service.draw(session=session, round_=round_, seed="seed-1")
    assert result.seed == "seed-1" and len(result.clubs[0]["enrolled"]) == 3
    assert len(result.clubs[0]["waitlisted"]) == 5
    assert {(c, s, st) for c, s, st, _ in first} == _placements(session, round_)


def test_first_choices_are_filled_before_second_ones(session, world, families, fixed_clock):
    round_ = make_round(session, world, mode="lottery", max_per_child=1)
    popular = make_club(session, world, name="机器人", capacity=1, weekdays=(3,))
    quiet = make_club(session, world, name="围棋", capacity=1, weekdays=(4,))
    _choose(session, families[0], round_, popular, quiet)   # popular first, quiet second
    _choose(session, families[1], round_, popular, quiet)
    _choose(session, families[2], round_, quiet)            # quiet is their first choice
    _close(session, round_, fixed_clock)
    service.draw(session=session, round_=round_, seed="s")
    placed = _placements(session, round_)
    assert (quiet.id, families[2].student.id, "enrolled") in placed
    popular_winner = next(s for c, s, st in placed if c == popular.id and st == "enrolled")
    loser = ({families[0].student.id, families[1].student.id} - {popular_winner}).pop()
    assert (popular.id, loser, "waitlisted") in placed


def test_priority_groups_go_first_when_the_round_says_so(session, world, families, fixed_clock):
    round_ = make_round(session, world, mode="lottery", max_per_child=1)
    club = make_club(session, world, capacity=1)
    families[5].student.priority_migrant = True
    session.commit()
    for family in families:
        _choose(session, family, round_, club)
    _close(session, round_, fixed_clock)
    for seed in ("a", "b", "c"):
        winners = [s for c, s, st, _ in service.plan_draw(session, round_, seed) if st == "enrolled"]
        assert winners == [families[5].student.id]


def test_the_maximum_and_clashes_hold_in_the_draw(session, world, families, fixed_clock):
    round_ = make_round(session, world, mode="lottery", max_per_child=1)
    a = make_club(session, world, name="书法", capacity=5, weekdays=(3,))
    b = make_club(session, world, name="美术", capacity=5, weekdays=(4,))
    _choose(session, families[0], round_, a, b)
    _close(session, round_, fixed_clock)
    placed = [p for p in service.plan_draw(session, round_, "x")]
    assert [(c, st) for c, _, st, _ in placed] == [(a.id, "enrolled")]


def test_choices_after_the_window_and_a_second_draw_are_refused(session, world, families, fixed_clock):
    round_ = make_round(session, world, mode="lottery")
    club = make_club(session, world)
    with pytest.raises(AppError) as early:
        service.draw(session=session, round_=round_, seed=None)
    assert early.value.code == "LOTTERY_TOO_EARLY"
    _close(session, round_, fixed_clock)
    with pytest.raises(AppError) as late:
        _choose(session, families[0], round_, club)
    assert late.value.code == "SELECTION_CLOSED"
    service.draw(session=session, round_=round_, seed=None)
    assert round_.seed  # a seed was generated and recorded
    with pytest.raises(AppError) as again:
        service.draw(session=session, round_=round_, seed=None)
    assert again.value.code == "LOTTERY_DRAWN"


def test_every_guardian_is_told_the_result(session, world, families, fixed_clock):
    from app.notify.models import InboxMessage
    round_ = make_round(session, world, mode="lottery", max_per_child=1)
    club = make_club(session, world, capacity=1)
    for family in families[:3]:
        _choose(session, family, round_, club)
    _close(session, round_, fixed_clock)
    service.draw(session=session, round_=round_, seed="s")
    bodies = session.exec(select(InboxMessage.body).where(InboxMessage.event == "club_result")).all()
    assert sorted(b.split("：")[1] for b in bodies) == ["书法候补中。", "书法候补中。", "书法已选上。"]


def test_saved_choices_read_back_in_order_for_the_guardian(client, session, world):
    from tests.clubs.conftest import make_club, make_round
    from app.enrollment.models import Application
    first, second = make_club(session, world, name="围棋"), make_club(session, world, name="书法", weekdays=(4,))
    round_ = make_round(session, world, mode="lottery")
    child = world.a.students[0]
    session.add(Application(school_id=child.school_id, term_id=world.a.term.id, student_id=child.id,
                            class_id=child.class_id, applicant_account_id=world.a.guardians[0].account_id,
                            status="approved", weekdays=[1, 2, 3, 4, 5]))
    session.commit()
    url = f"/api/v1/selection-rounds/{round_.id}/choices/{child.id}"
    headers = world.a.headers("guardian")
    assert client.get(url, headers=headers).json() == []
    assert client.put(url, headers=headers, json={"club_ids": [second.id, first.id]}).status_code == 200
    assert [c["name"] for c in client.get(url, headers=headers).json()] == ["书法", "围棋"]
    assert client.get(f"/api/v1/selection-rounds/{round_.id}", headers=headers).json()["mode"] == "lottery"


def test_a_teacher_lists_the_clubs_they_lead(client, session, world):
    from tests.clubs.conftest import make_club
    make_club(session, world, name="围棋")  # led by world.a's teacher
    other = make_club(session, world, name="书法")
    other.teacher_staff_id = None
    session.add(other)
    session.commit()
    mine = client.get(f"/api/v1/terms/{world.a.term.id}/my-clubs", headers=world.a.headers("teacher")).json()
    assert [c["name"] for c in mine] == ["围棋"]


def test_at_most_five_ranked_choices(client, world):
    response = client.put(f"/api/v1/selection-rounds/1/choices/{world.a.students[0].id}",
                          headers=world.a.headers("guardian"), json={"club_ids": [1, 2, 3, 4, 5, 6]})
    assert response.status_code == 422 and "club_ids" in response.json()["error"]["fields"]
