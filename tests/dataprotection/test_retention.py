"""Retention: each school's records go once past their time after the end of their term, and not before; the
dashboards' past figures stay as they were."""

from datetime import date, datetime, timedelta, timezone

from sqlmodel import select

from app.attendance.models import Attendance, Handover, ServiceSession
from app.core.config import get_settings
from app.dataprotection import retention
from app.dataprotection.models import RetentionRules
from app.leave.models import LeaveDay, LeaveRequest
from app.notify.models import InboxMessage, OutboxMessage
from app.notify.service import enqueue
from app.notify.worker import PERIODIC
from app.people import photos
from app.pickup.models import Handoff, LatePickup, PickupCodeUse, PickupDelegate
from app.reports.models import DayFigures
from app.schools.models import Term
from tests.attendance.conftest import MONDAY, add_leave
from tests.factories import auth_headers, png_bytes
from tests.pickup.conftest import Phone

SPRING_DAY = date(2027, 3, 1)  # in the second term (2027-02-20 – 2027-07-10)
FIRST_TERM_ENDS = date(2027, 1, 20)


def at(day: date, hour: int = 8) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


def live_monday(client, session, day) -> None:
    """Monday of the first term: a roll call, leave, a release by code (with its messages), a late pickup, a
    handover and a delegate whose dates have passed."""
    school = day.school
    tutor = auth_headers(day.tutor.account_id)
    add_leave(session, day.at_group[2])
    client.put(f"/api/v1/sessions/{day.session_of(session).id}/attendance", headers=tutor,
               json=[{"student_id": s.id, "status": "present"} for s in day.at_group[:2]])
    mum = Phone(session, school.guardians[0].account_id)
    assert client.post("/api/v1/pickup/handoffs", headers=tutor, json={
        "code": mum.code(), "student_ids": [school.students[0].id]}).status_code == 200
    session.add_all([
        LatePickup(school_id=school.school.id, student_id=school.students[2].id, day=MONDAY, end_time="17:20",
                   stage="late"),
        Handover(school_id=school.school.id, class_id=school.classes[0].id, day=MONDAY, present_ids=[],
                 missing_ids=[], confirmed_by=school.staff["class_head"].account_id),
        PickupDelegate(school_id=school.school.id, student_id=school.students[1].id, name="赵姑姑",
                       phone="13755556666", relation="姑姑", starts_on=MONDAY, ends_on=MONDAY,
                       granted_by_guardian_id=school.guardians[1].id, invite_hash=f"retention-{school.school.id}")])
    session.commit()


def spring_term(session, school) -> None:
    """A second term with a day of records: a session with a mark, a release, a late pickup and a message."""
    term = Term(school_id=school.school.id, name="2026-2027学年第二学期", starts_on=date(2027, 2, 20),
                ends_on=date(2027, 7, 10))
    session.add(term)
    session.flush()
    row = ServiceSession(school_id=school.school.id, term_id=term.id, day=SPRING_DAY, kind="care_group",
                         name="春季看护组", starts_at="15:40", ends_at="17:30")
    session.add(row)
    session.flush()
    child = school.students[1]
    session.add_all([
        Attendance(school_id=school.school.id, session_id=row.id, student_id=child.id, status="present",
                   marked_at=at(SPRING_DAY), marked_by=school.staff["teacher"].account_id),
        Handoff(school_id=school.school.id, student_id=child.id, day=SPRING_DAY, method="walk_home", adult_name="",
                released_by_staff_id=school.staff["teacher"].id, released_by_name="老师", released_at=at(SPRING_DAY)),
        LatePickup(school_id=school.school.id, student_id=child.id, day=SPRING_DAY, end_time="17:30", stage="late"),
        InboxMessage(school_id=school.school.id, account_id=school.guardians[1].account_id, event="arrived",
                     title="已到托管", body="春季", data={"student_id": child.id}, dedupe_key=f"spring:{child.id}",
                     created_at=at(SPRING_DAY))])
    session.commit()


def counts(session, school_id: int) -> dict[str, int]:
    def n(model, *conditions):
        return len(session.exec(select(model).where(model.school_id == school_id, *conditions)).all())
    return {"handoffs": n(Handoff), "late": n(LatePickup), "delegates": n(PickupDelegate), "attendance": n(Attendance),
            "leave": n(LeaveRequest), "handovers": n(Handover), "messages": n(InboxMessage)}


def dashboard(client, school) -> dict:
    response = client.get(f"/api/v1/reports/schools/{school.school.id}", headers=school.headers("admin"),
                          params={"term_id": school.term.id, "from": MONDAY.isoformat(), "to": MONDAY.isoformat()})
    assert response.status_code == 200, response.text
    return {k: v for k, v in response.json().items() if k != "computed_at"}


def test_each_kind_goes_once_past_its_time_after_its_terms_end(client, session, day, fixed_clock):
    school = day.school
    live_monday(client, session, day)
    spring_term(session, school)
    school_id = school.school.id
    start = counts(session, school_id)
    assert start == {"handoffs": 2, "late": 2, "delegates": 1, "attendance": 3, "leave": 1, "handovers": 1,
                     "messages": start["messages"]} and start["messages"] > 1

    fixed_clock.at = at(FIRST_TERM_ENDS + timedelta(days=180))  # notifications: 180 days, not yet past
    assert retention.purge(session)["notifications"] == 0
    fixed_clock.advance(days=1)
    removed = retention.purge(session)
    assert removed["notifications"] == start["messages"] - 1
    assert counts(session, school_id) == {**start, "messages": 1}  # the spring term's message stays
    assert session.exec(select(OutboxMessage).where(OutboxMessage.school_id == school_id)).all() == []

    fixed_clock.at = at(FIRST_TERM_ENDS + timedelta(days=366))  # pickups: 365 days
    removed = retention.purge(session)
    assert (removed["handoffs"], removed["late_pickups"], removed["pickup_delegates"]) == (1, 1, 1)
    # By now the spring term's messages are past their 180 days as well (it ended 2027-07-10).
    assert counts(session, school_id) == {**start, "messages": 0, "handoffs": 1, "late": 1, "delegates": 0}
    assert session.exec(select(Handoff.day)).all() == [SPRING_DAY]

    fixed_clock.at = at(FIRST_TERM_ENDS + timedelta(days=1096))  # attendance: 1095 days
    removed = retention.purge(session)
    assert (removed["attendance"], removed["leave_requests"], removed["handovers"]) == (2, 1, 1)
    assert session.exec(select(LeaveDay)).all() == []
    assert counts(session, school_id)["attendance"] == 1  # the spring term's mark


def test_the_dashboards_past_figures_survive_the_purge(client, session, day, fixed_clock):
    live_monday(client, session, day)
    fixed_clock.advance(days=1)
    before = dashboard(client, day.school)
    assert (before["attendance"]["present"], before["pickups"]["released"], before["pickups"]["late"]) == (2, 1, 1)
    # Forget what the dashboard kept: the purge must keep the figures itself before the rows go.
    for figures in session.exec(select(DayFigures)).all():
        session.delete(figures)
    session.commit()
    fixed_clock.at = at(FIRST_TERM_ENDS + timedelta(days=1096))
    removed = retention.purge(session)
    assert removed["day_figures_kept"] == 1 and removed["handoffs"] == 1 and removed["attendance"] == 2
    assert session.exec(select(Attendance)).all() == [] and session.exec(select(Handoff)).all() == []
    assert dashboard(client, day.school) == before


def test_each_school_keeps_to_its_own_setting(client, session, world, fixed_clock):
    for school in (world.a, world.b):
        session.add(Handoff(school_id=school.school.id, student_id=school.students[0].id, day=date(2026, 10, 12),
                            method="walk_home", adult_name="", released_by_staff_id=school.staff["teacher"].id,
                            released_by_name="老师"))
    session.add(RetentionRules(school_id=world.b.school.id, pickup_days=0))
    session.commit()
    fixed_clock.at = at(FIRST_TERM_ENDS)  # the term's last day: nothing has ended yet
    assert retention.purge(session)["handoffs"] == 0
    fixed_clock.advance(days=1)
    assert retention.purge(session)["handoffs"] == 1
    assert [h.school_id for h in session.exec(select(Handoff)).all()] == [world.a.school.id]


def test_photos_go_once_the_child_has_left(client, session, world, fixed_clock):
    school = world.a
    left, staying, just_left = school.students[0], school.students[1], school.students[2]
    for owner in (left, staying, just_left, school.guardians[0], school.guardians[1]):
        photos.save_photo(session=session, owner=owner, data=png_bytes())
    left_file, guardian_file, staying_file = (get_settings().media_dir / o.photo_path
                                              for o in (left, school.guardians[0], staying))
    session.add(RetentionRules(school_id=school.school.id, photo_days=30))
    left.is_active = just_left.is_active = False
    left.updated_at = fixed_clock.at - timedelta(days=31)  # marked left a month ago
    session.add_all([left, just_left])
    session.commit()
    removed = retention.purge(session)
    assert (removed["student_photos"], removed["guardian_photos"]) == (1, 1)
    assert (left.photo_path, school.guardians[0].photo_path) == (None, None)
    assert not left_file.exists() and not guardian_file.exists()
    assert staying.photo_path and staying_file.exists() and school.guardians[1].photo_path
    assert just_left.photo_path  # left today: kept 30 days more
    fixed_clock.advance(days=31)
    assert retention.purge(session)["student_photos"] == 1 and just_left.photo_path is None


def test_pickup_code_uses_are_kept_a_day(session, world, fixed_clock):
    phone = Phone(session, world.a.guardians[0].account_id)
    session.add(PickupCodeUse(device_id=phone.device.id, issued_at=1, used_at=fixed_clock.at))
    session.commit()
    assert retention.purge(session)["pickup_code_uses"] == 0
    fixed_clock.advance(days=1, seconds=1)
    assert retention.purge(session)["pickup_code_uses"] == 1


def test_notifications_of_no_school_go_by_age(session, world, fixed_clock):
    enqueue(session, account_id=world.a.guardians[0].account_id, event="arrived", data={}, dedupe_key="schoolless")
    session.commit()
    fixed_clock.advance(days=180)
    assert retention.purge(session)["notifications"] == 0
    fixed_clock.advance(days=1)
    assert retention.purge(session)["notifications"] == 1


def test_the_worker_purges_daily_and_the_command_prints_what_went(fresh_engine, world_in, fixed_clock, monkeypatch,
                                                                   capsys):
    from sqlmodel import Session

    from app.cli import main
    assert PERIODIC["retention-purge"].every_seconds == 24 * 3600
    world = world_in(fresh_engine)
    with Session(fresh_engine) as db:
        db.add(Handoff(school_id=world.a.school.id, student_id=world.a.students[0].id, day=date(2026, 10, 12),
                       method="walk_home", adult_name="", released_by_staff_id=world.a.staff["teacher"].id,
                       released_by_name="老师"))
        db.commit()
    fixed_clock.at = at(FIRST_TERM_ENDS + timedelta(days=366))
    monkeypatch.setattr("app.core.db.get_engine", lambda: fresh_engine)
    assert main(["purge"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert "removed 1 handoffs" in printed and "removed 0 attendance marks" in printed
    assert main(["purge"]) == 0 and "removed 0 handoffs" in capsys.readouterr().out


def test_admins_read_and_change_their_schools_retention(client, world):
    url = f"/api/v1/schools/{world.a.school.id}/retention"
    admin = world.a.headers("admin")
    assert client.get(url, headers=admin).json() == {
        "school_id": world.a.school.id, "photo_days": 0, "pickup_days": 365, "attendance_days": 1095,
        "notification_days": 180, "updated_at": None}
    changed = client.put(url, headers=admin, json={"pickup_days": 730, "notification_days": 90})
    assert changed.status_code == 200
    assert client.get(url, headers=admin).json()["pickup_days"] == 730
    refused = client.put(url, headers=admin, json={"pickup_days": -1})
    assert refused.status_code == 422
    assert client.get(url, headers=admin).json()["pickup_days"] == 730
    assert client.get(f"/api/v1/schools/{world.b.school.id}/retention", headers=admin).status_code == 404
