"""First come (抢课): a seat is never given twice, the rest wait in order, drops promote exactly once."""

import pytest

from app.clubs import service
from app.core.errors import AppError
from app.people.exposure import MASKED
from tests.clubs.conftest import Family, make_club, make_round
from tests.factories import create_student


def _refused(code, fn, *args, **kwargs):
    with pytest.raises(AppError) as refused:
        fn(*args, **kwargs)
    assert refused.value.code == code, refused.value.message
    return refused.value


def test_seats_go_first_come_and_the_rest_wait_in_order(session, world, families, choose):
    club = make_club(session, world, capacity=2)
    make_round(session, world)
    results = [choose(f, club) for f in families[:4]]
    assert [(r.status, r.position) for r in results] == [("enrolled", None), ("enrolled", None),
                                                         ("waitlisted", 1), ("waitlisted", 2)]
    assert service.club_outs(session, [club])[0].free_seats == 0


def test_choosing_the_same_club_again_changes_nothing(session, world, families, choose):
    club = make_club(session, world, capacity=2)
    make_round(session, world)
    first, again = choose(families[0], club), choose(families[0], club)
    assert first == again
    assert service.club_outs(session, [club])[0].enrolled == 1


def test_a_closed_club_cannot_be_chosen(session, world, families, choose):
    club = make_club(session, world, capacity=2)
    make_round(session, world)
    club.is_active = False
    session.add(club)
    session.commit()
    _refused("CLUB_CLOSED", choose, families[0], club)
    assert service.club_outs(session, [club])[0].enrolled == 0


def test_outside_the_window_selecting_is_refused(session, world, families, choose):
    club = make_club(session, world)
    make_round(session, world, open_now=False)
    _refused("SELECTION_CLOSED", choose, families[0], club)


def test_only_children_with_an_approved_application_may_select(session, world, choose):
    club = make_club(session, world)
    make_round(session, world)
    unapproved = Family(session, create_student(session, world.a.classes[0]))
    error = _refused("CLUB_NOT_ALLOWED", choose, unapproved, club)
    assert "申请尚未通过" in error.message


def test_only_allowed_grades_may_select(session, world, families, choose):
    club = make_club(session, world, grades=(5, 6))
    make_round(session, world)
    assert "年级" in _refused("CLUB_NOT_ALLOWED", choose, families[0], club).message


def test_two_clubs_at_the_same_time_clash(session, world, families, choose):
    calligraphy = make_club(session, world, name="书法", weekdays=(3,), start="16:10", end="17:00")
    chess = make_club(session, world, name="围棋", weekdays=(3, 5), start="16:40", end="17:20")
    football = make_club(session, world, name="足球", weekdays=(3,), start="17:00", end="17:40")
    make_round(session, world)
    choose(families[0], calligraphy)
    assert "书法" in _refused("CLUB_NOT_ALLOWED", choose, families[0], chess).message
    assert choose(families[0], football).status == "enrolled"  # back to back is fine


def test_the_per_child_maximum_holds(session, world, families, choose):
    clubs = [make_club(session, world, name=f"社团{i}", weekdays=(i + 1,)) for i in range(3)]
    make_round(session, world, max_per_child=2)
    choose(families[0], clubs[0])
    choose(families[0], clubs[1])
    assert "最多" in _refused("CLUB_NOT_ALLOWED", choose, families[0], clubs[2]).message


def test_a_drop_promotes_the_first_waiting_child_once(session, world, families, choose):
    club = make_club(session, world, capacity=1)
    make_round(session, world)
    choose(families[0], club)
    choose(families[1], club)
    choose(families[2], club)
    service.drop(session=session, caller=families[0].caller, club=club, student_id=families[0].student.id)
    enrolled = [r for r in service.roster(session, club, shown=MASKED) if r.status == "enrolled"]
    assert [r.student_id for r in enrolled] == [families[1].student.id]
    waiting = [r for r in service.roster(session, club, shown=MASKED) if r.status == "waitlisted"]
    assert [(r.student_id, r.position) for r in waiting] == [(families[2].student.id, 1)]
    # Leaving the waitlist frees no seat: nobody is promoted.
    service.drop(session=session, caller=families[2].caller, club=club, student_id=families[2].student.id)
    assert service.club_outs(session, [club])[0].enrolled == 1


def test_the_promoted_childs_guardians_are_told(session, world, families, choose):
    from sqlmodel import select

    from app.notify.models import InboxMessage
    club = make_club(session, world, capacity=1)
    make_round(session, world)
    choose(families[0], club)
    choose(families[1], club)
    service.drop(session=session, caller=families[0].caller, club=club, student_id=families[0].student.id)
    messages = session.exec(select(InboxMessage).where(InboxMessage.event == "club_result")).all()
    assert [m.body for m in messages] == [f"{families[1].student.name}：书法候补成功，已选上。"]
    # A tap on the message opens that child's clubs.
    assert messages[0].page == f"pages/clubs/index?student_id={families[1].student.id}"


def test_no_drop_after_the_deadline(session, world, families, choose):
    from datetime import timedelta

    from app.core.clock import utcnow
    club = make_club(session, world)
    make_round(session, world, drop_deadline=utcnow() - timedelta(minutes=1))
    choose(families[0], club)
    _refused("DROP_CLOSED", service.drop, session=session, caller=families[0].caller, club=club,
             student_id=families[0].student.id)


def test_an_admin_moves_a_child_with_a_reason(session, world, families, choose):
    from sqlmodel import select

    from app.clubs.models import ClubEnrollment, EnrollmentEvent
    from tests.enrollment.conftest import caller_for
    full = make_club(session, world, name="书法", capacity=1)
    other = make_club(session, world, name="美术", capacity=5, weekdays=(4,))
    make_round(session, world)
    choose(families[0], full)
    choose(families[1], full)
    row = session.exec(select(ClubEnrollment).where(ClubEnrollment.student_id == families[0].student.id)).one()
    admin = caller_for(session, world.a.staff["admin"].account_id, "admin")
    moved = service.move(session=session, caller=admin, row=row, to_club=other, reason="家长申请调班")
    assert [(m.club_name, m.status) for m in moved] == [("书法", "dropped"), ("美术", "enrolled")]
    assert [r.student_id for r in service.roster(session, full, shown=MASKED)] == [families[1].student.id]  # promoted
    reasons = session.exec(select(EnrollmentEvent.reason).where(EnrollmentEvent.action.in_(["move_out", "move_in"]))).all()
    assert reasons == ["家长申请调班", "家长申请调班"]


def test_the_teachers_roster_has_class_and_guardian_contact(session, world, families, choose):
    club = make_club(session, world, capacity=3)
    make_round(session, world)
    choose(families[0], club)
    row = service.roster(session, club, shown=MASKED)[0]
    assert row.class_name == "三年级1班" and row.guardians[0].startswith("妈妈 ")


def test_the_catalogue_for_a_child_reads_the_same_for_3_clubs_as_for_12(session, world, families, engine):
    """It is the page every guardian refreshes during 抢课: its cost must not grow with the menu."""
    from sqlalchemy import event
    make_round(session, world)

    def statements_for(clubs):
        seen = []
        listen = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listen)
        try:
            service.club_outs(session, clubs, families[0].student)
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        return len(seen)

    clubs = [make_club(session, world, name=f"社团{i}") for i in range(12)]
    service.club_outs(session, clubs, families[0].student)  # both counts below start equally warm
    assert statements_for(clubs) == statements_for(clubs[:3])


def _edit(session, world, club, **changes):
    from app.clubs.schemas import ClubIn
    current = {"name": club.name, "category": club.category, "weekdays": club.weekdays,
               "start_time": club.start_time, "end_time": club.end_time, "capacity": club.capacity,
               "grades": club.grades}
    data = ClubIn(**{**current, **changes})
    return service.save_club(session=session, term=world.a.term, data=data, club=club)


def test_more_seats_go_to_the_waitlist_at_once_in_order(session, world, families, choose):
    club = make_club(session, world, capacity=1)
    make_round(session, world)
    for family in families[:4]:
        choose(family, club)
    _edit(session, world, club, capacity=3)
    statuses = {r.student_id: r.status for r in service.roster(session, club, shown=MASKED)}
    assert [statuses[f.student.id] for f in families[:4]] == ["enrolled", "enrolled", "enrolled", "waitlisted"]
    assert service.club_outs(session, [club])[0].free_seats == 0


def test_fewer_seats_than_children_enrolled_is_refused_on_the_capacity_field(session, world, families, choose):
    club = make_club(session, world, capacity=2)
    make_round(session, world)
    choose(families[0], club)
    choose(families[1], club)
    refused = _refused("CAPACITY_BELOW_ENROLLED", _edit, session, world, club, capacity=1)
    assert "capacity" in refused.fields


def test_closing_a_club_lets_its_children_go_and_tells_their_guardians(session, world, families, choose):
    from sqlmodel import select

    from app.notify.models import InboxMessage
    club = make_club(session, world, capacity=1)
    same_time = make_club(session, world, name="国画", capacity=5)
    make_round(session, world)
    choose(families[0], club)
    choose(families[1], club)
    service.close_club(session=session, caller=families[0].caller, club=club)
    assert service.roster(session, club, shown=MASKED) == []
    assert service.child_enrollments(session, families[0].student.id) == []
    told = session.exec(select(InboxMessage.body).where(InboxMessage.event == "club_result")).all()
    assert sorted(told) == sorted(f"{f.student.name}：书法社团停开，已退出。" for f in families[:2])
    # The closed club no longer clashes with anything.
    assert choose(families[0], same_time).status == "enrolled"


def test_catalogue_and_round_input_that_makes_no_sense_is_refused(client, session, world):
    from datetime import timedelta

    from app.core.clock import utcnow
    headers = world.a.headers("admin")
    club = {"name": "围棋", "category": "other", "weekdays": [3], "start_time": "16:10", "end_time": "17:00",
            "capacity": 10, "grades": [3]}
    too_many = client.post(f"/api/v1/terms/{world.a.term.id}/clubs", headers=headers,
                           json={**club, "min_to_open": 11})
    assert too_many.status_code == 422 and "开班最少人数不能多于名额" in too_many.json()["error"]["message"]
    teacher = world.a.staff["teacher"]
    teacher.is_active = False
    session.add(teacher)
    session.commit()
    gone = client.post(f"/api/v1/terms/{world.a.term.id}/clubs", headers=headers,
                       json={**club, "teacher_staff_id": teacher.id})
    assert gone.json()["error"]["code"] == "STAFF_INACTIVE"

    now = utcnow()
    window = {"name": "第一轮", "mode": "first_come", "opens_at": now.isoformat(),
              "closes_at": (now + timedelta(days=2)).isoformat()}
    url = f"/api/v1/terms/{world.a.term.id}/selection-rounds"
    early_drop = client.post(url, headers=headers, json={**window, "drop_deadline": (now - timedelta(days=1)).isoformat()})
    assert early_drop.status_code == 422
    assert client.post(url, headers=headers, json=window).status_code == 201
    overlapping = client.post(url, headers=headers, json={**window, "name": "第二轮",
                                                          "opens_at": (now + timedelta(days=1)).isoformat(),
                                                          "closes_at": (now + timedelta(days=3)).isoformat()})
    assert overlapping.json()["error"]["code"] == "ROUND_OVERLAPS"


def test_a_club_meets_only_on_the_plans_service_days(client, session, world):
    from app.enrollment.models import ServicePlan
    session.add(ServicePlan(school_id=world.a.school.id, term_id=world.a.term.id, version=1, status="published",
                            weekdays=[1, 2, 3, 4], agreement_text="协议", agreement_hash="x",
                            end_times={"low": "17:00"}))
    session.commit()
    response = client.post(f"/api/v1/terms/{world.a.term.id}/clubs", headers=world.a.headers("admin"), json={
        "name": "围棋", "category": "other", "weekdays": [3, 5], "start_time": "16:10", "end_time": "17:00",
        "capacity": 10, "grades": [3]})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"weekdays": "周五不是课后服务日"}


def test_a_move_into_a_full_club_or_one_the_child_holds_is_refused_and_changes_nothing(session, world, families,
                                                                                      choose):
    from sqlmodel import select

    from app.clubs.models import ClubEnrollment
    from tests.enrollment.conftest import caller_for
    home = make_club(session, world, name="书法", capacity=2)
    full = make_club(session, world, name="美术", capacity=1, weekdays=(4,))
    make_round(session, world)
    choose(families[0], home)
    choose(families[1], full)
    admin = caller_for(session, world.a.staff["admin"].account_id, "admin")
    row = session.exec(select(ClubEnrollment).where(ClubEnrollment.student_id == families[0].student.id)).one()
    _refused("CLUB_FULL", service.move, session=session, caller=admin, row=row, to_club=full, reason="调班")
    _refused("ALREADY_IN_CLUB", service.move, session=session, caller=admin, row=row, to_club=home, reason="调班")
    session.expire_all()
    assert [r.student_id for r in service.roster(session, home, shown=MASKED)] == [families[0].student.id]
    assert service.club_outs(session, [home, full])[0].enrolled == 1
    service.move(session=session, caller=admin, row=row, to_club=None, reason="退出")
    _refused("ENROLLMENT_NOT_HELD", service.move, session=session, caller=admin, row=row, to_club=None, reason="再退")
