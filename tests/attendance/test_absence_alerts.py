"""Absence alerts: expected, not arrived, no leave, past the grace time → once to the class head, duty leaders
and guardians."""

from datetime import datetime, timezone

from sqlmodel import select

from app.attendance import service
from app.attendance.models import AbsenceAlert
from app.attendance.schemas import MarkIn
from app.notify.worker import PERIODIC
from app.schools.schemas import RulesIn
from app.schools.service import update_rules
from tests.attendance.conftest import add_leave, build_day, inbox
from tests.factories import create_staff


def sweep(session):
    return service.raise_absence_alerts(session=session)


def present(session, day, *students, club=False):
    service.mark_attendance(session=session, caller=day.caller(session, "admin", "admin"),
                            row=day.session_of(session, club=club),
                            marks=[MarkIn(student_id=s.id, status="present") for s in students])


def alerted(session):
    return {row.student_id for row in session.exec(select(AbsenceAlert)).all()}


def test_alert_fires_once_for_a_child_who_did_not_come(session, day):
    present(session, day, day.at_group[0], day.at_group[1])
    missing = day.at_group[2]  # 三年级2班, no class head
    assert sweep(session) == 1
    assert sweep(session) == 0
    assert alerted(session) == {missing.id}
    duty = day.school.staff["duty_leader"].account_id
    assert len(inbox(session, "absence_alert", duty)) == 1
    assert len(inbox(session, "absent", day.school.guardians[3].account_id)) == 1
    assert inbox(session, "absent")[0].body.startswith(f"{missing.name}今天应到三年级看护1组，16:00 仍未到")


def test_class_head_duty_leaders_and_guardians_are_told(session, day):
    present(session, day, day.at_group[1], day.at_group[2])
    second_duty = create_staff(session, day.school.school, "duty_leader", "teacher")
    session.commit()
    sweep(session)
    told = {m.account_id for m in inbox(session, "absence_alert")}
    assert told == {day.school.staff["class_head"].account_id, day.school.staff["duty_leader"].account_id,
                    second_duty.account_id}
    assert {m.account_id for m in inbox(session, "absent")} == {day.school.guardians[0].account_id}
    assert "三年级1班" in inbox(session, "absence_alert")[0].body


def test_no_alert_before_the_grace_time(session, day, fixed_clock):
    fixed_clock.at = datetime(2026, 11, 23, 7, 50, tzinfo=timezone.utc)  # 15:50, started 15:40, grace 15 min
    assert sweep(session) == 0
    fixed_clock.advance(minutes=5)
    assert sweep(session) == 3  # the care group's three children; the club starts at 16:10


def test_grace_time_is_the_schools_setting(session, day, fixed_clock):
    update_rules(session=session, school_id=day.school.school.id, data=RulesIn(absence_alert_minutes=30))
    assert sweep(session) == 0


def test_club_alerts_wait_for_the_clubs_own_start(session, day, fixed_clock):
    present(session, day, *day.at_group)
    assert sweep(session) == 0
    fixed_clock.advance(minutes=25)  # 16:25: the club started at 16:10
    assert sweep(session) == 1 and alerted(session) == {day.at_club.id}


def test_child_on_leave_gets_no_absence_alert(session, day):
    add_leave(session, day.at_group[0])
    add_leave(session, day.at_group[1], status="submitted")  # the guardian said so; the class head has not yet
    sweep(session)
    assert alerted(session) == {day.at_group[2].id}


def test_early_pickup_does_not_excuse_a_child_who_never_came(session, day):
    add_leave(session, day.at_group[0], kind="early_pickup", early_pickup_time="16:30")
    sweep(session)
    assert day.at_group[0].id in alerted(session)


def test_teachers_leave_mark_excuses_the_child(session, day):
    service.mark_attendance(session=session, caller=day.caller(session, day.tutor, "teacher"),
                            row=day.session_of(session), marks=[MarkIn(student_id=day.at_group[0].id,
                                                                       status="leave")])
    sweep(session)
    assert day.at_group[0].id not in alerted(session)


def test_marking_present_after_an_alert_does_not_alert_again(session, day, fixed_clock):
    sweep(session)
    present(session, day, day.at_group[0])
    service.mark_attendance(session=session, caller=day.caller(session, "admin", "admin"),
                            row=day.session_of(session), marks=[MarkIn(student_id=day.at_group[0].id,
                                                                       status="unmarked")])
    fixed_clock.advance(minutes=10)
    assert sweep(session) == 0
    assert len(inbox(session, "absent", day.school.guardians[0].account_id)) == 1
    roster = service.roster(session=session, caller=day.caller(session, day.tutor, "teacher"),
                            row=day.session_of(session))
    assert next(r for r in roster.rows if r.student_id == day.at_group[0].id).absence_alert


def test_no_alerts_on_a_day_without_service(session, day, fixed_clock):
    fixed_clock.at = datetime(2026, 11, 22, 9, 0, tzinfo=timezone.utc)  # a Sunday
    assert sweep(session) == 0


def test_the_notification_worker_runs_the_sweep(fresh_engine, world_in, fixed_clock):
    from sqlmodel import Session

    from app.notify.worker import Deliverer
    from app.wechat.client import WeChatClient

    world = world_in(fresh_engine)
    with Session(fresh_engine, expire_on_commit=False) as db:
        build_day(db, world.a)
    assert "absence-alerts" in PERIODIC
    Deliverer(fresh_engine, WeChatClient(appid="wx", secret="s", base_url="http://unused")).run_periodic()
    with Session(fresh_engine) as db:
        assert len(alerted(db)) == 3
