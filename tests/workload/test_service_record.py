"""The teachers' service record: each session served counts once, for whoever actually served it."""

import io
from datetime import date, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from app.attendance.models import ServiceSession, SessionStaff
from app.attendance.places import service_day
from app.calendar.schemas import DayChangeIn
from app.calendar.service import change_day
from app.clubs.models import Club
from app.core.errors import Forbidden, NotFound
from app.workload import service
from tests.enrollment.conftest import caller_for
from tests.factories import create_staff, publish_plan
from tests.leave.conftest import at_shanghai, place_in_group

# November 2026 up to Monday the 23rd: 16 served weekdays, 3 of them Wednesdays.
NOVEMBER_DAYS, NOVEMBER_WEDNESDAYS = 16, 3


@pytest.fixture
def rota(session, world, fixed_clock):
    """The teacher tutors a care group every weekday, a club teacher meets on Wednesdays; the sessions of
    1 October – 30 November were opened ahead of time, and now it is Monday 23 November, 18:00."""
    a = world.a
    publish_plan(session, a)
    place_in_group(session, a, a.students[:2], tutors=[a.staff["teacher"]])
    club_teacher = create_staff(session, a.school, "teacher", name="王老师")
    session.add(Club(school_id=a.school.id, term_id=a.term.id, name="书法", category="art", weekdays=[3],
                     start_time="16:10", end_time="17:00", capacity=20, grades=[3], teacher_staff_id=club_teacher.id))
    session.commit()
    at_shanghai(fixed_clock, 2026, 9, 30, 8)
    day = date(2026, 10, 1)
    while day <= date(2026, 11, 30):
        service_day(session, a.school.id, day)
        day += timedelta(days=1)
    at_shanghai(fixed_clock, 2026, 11, 23, 18)
    return {"teacher": a.staff["teacher"], "club_teacher": club_teacher}


def record(session, world, staff, month="2026-11", as_staff=None):
    caller = caller_for(session, (as_staff or staff).account_id, "admin", "class_head", "teacher", "duty_leader",
                        "guard")
    return service.staff_record(session=session, caller=caller, staff_id=staff.id, month=month)


def test_each_session_served_up_to_today_counts(session, world, rota):
    mine = record(session, world, rota["teacher"])
    assert mine.totals.sessions == mine.totals.care_group_sessions == NOVEMBER_DAYS
    assert mine.totals.minutes == NOVEMBER_DAYS * 100  # grade 3: 15:40–17:20
    assert mine.counted_until == date(2026, 11, 23)
    assert (mine.sessions[0].date, mine.sessions[-1].date) == (date(2026, 11, 2), date(2026, 11, 23))
    club = record(session, world, rota["club_teacher"])
    assert (club.totals.club_sessions, club.totals.care_group_sessions, club.totals.minutes) == \
        (NOVEMBER_WEDNESDAYS, 0, NOVEMBER_WEDNESDAYS * 50)


def test_a_day_cancelled_after_its_sessions_were_made_counts_for_nobody(session, world, rota):
    change_day(session=session, term=world.a.term, account_id=world.a.staff["admin"].account_id,
               data=DayChangeIn(date=date(2026, 11, 11), kind="cancel", reason="运动会"))
    assert record(session, world, rota["teacher"]).totals.sessions == NOVEMBER_DAYS - 1
    assert record(session, world, rota["club_teacher"]).totals.sessions == NOVEMBER_WEDNESDAYS - 1


def test_a_substitute_counts_for_the_substitute_not_the_teacher_replaced(session, world, rota):
    substitute = create_staff(session, world.a.school, "teacher", name="代课李老师")
    row = session.exec(select(SessionStaff).join(ServiceSession, ServiceSession.id == SessionStaff.session_id).where(
        ServiceSession.day == date(2026, 11, 12), SessionStaff.staff_id == rota["teacher"].id)).one()
    row.staff_id, row.replaced_staff_id, row.reason = substitute.id, rota["teacher"].id, "病假代课"
    session.add(row)
    session.commit()
    assert record(session, world, rota["teacher"]).totals.sessions == NOVEMBER_DAYS - 1
    theirs = record(session, world, substitute)
    assert (theirs.totals.sessions, theirs.totals.substitutions) == (1, 1)
    assert theirs.sessions[0].substitution and theirs.sessions[0].replaced_staff_name == rota["teacher"].name


def test_months_end_at_their_boundaries(session, world, rota):
    october = record(session, world, rota["teacher"], month="2026-10")
    assert {d.date.month for d in october.sessions} == {10}
    assert october.sessions[-1].date == date(2026, 10, 30)
    assert date(2026, 10, 1) not in {d.date for d in october.sessions}  # 国庆节
    november = record(session, world, rota["teacher"])
    assert november.sessions[0].date == date(2026, 11, 2)
    december = record(session, world, rota["teacher"], month="2026-12")
    assert (december.totals.sessions, december.counted_until) == (0, None)


def test_a_teacher_reads_their_own_record_and_an_admin_reads_anyones(session, world, rota):
    with pytest.raises(Forbidden):
        record(session, world, rota["club_teacher"], as_staff=rota["teacher"])
    assert record(session, world, rota["club_teacher"], as_staff=world.a.staff["admin"]).totals.sessions == 3
    with pytest.raises(NotFound):
        record(session, world, world.b.staff["teacher"], as_staff=world.a.staff["admin"])


def test_a_day_nobody_opened_still_counts_for_its_tutors(session, world, fixed_clock):
    a = world.a
    publish_plan(session, a)
    place_in_group(session, a, a.students[:2], tutors=[a.staff["teacher"]])
    at_shanghai(fixed_clock, 2026, 11, 6, 18)
    assert record(session, world, a.staff["teacher"]).totals.sessions == 5  # 2–6 November, never opened


def test_school_list_has_everyone_with_sessions_and_the_totals(session, world, rota):
    school = service.school_records(session=session, school=world.a.school, month="2026-11")
    by_name = {row.staff_name: row for row in school.staff}
    assert set(by_name) == {rota["teacher"].name, "王老师"}
    assert by_name["王老师"].club_sessions == NOVEMBER_WEDNESDAYS
    assert school.totals.sessions == NOVEMBER_DAYS + NOVEMBER_WEDNESDAYS
    assert school.totals.minutes == NOVEMBER_DAYS * 100 + NOVEMBER_WEDNESDAYS * 50


def test_the_xlsx_opens_with_the_monthly_figures(client, session, world, rota):
    response = client.get(f"/api/v1/schools/{world.a.school.id}/service-records.xlsx?month=2026-11",
                          headers=world.a.headers("admin"))
    assert response.status_code == 200
    assert "filename*=UTF-8''%E7%94%B2%E5%B0%8F%E5%AD%A6" in response.headers["content-disposition"]  # 甲小学
    book = load_workbook(io.BytesIO(response.content))
    summary = book["课时统计"]
    assert summary["A1"].value == f"甲小学 {world.a.term.name} 2026年11月 课后服务教师课时统计"
    assert [c.value for c in summary[2]] == ["姓名", "看护班课时", "社团课时", "代课", "合计课时", "合计时长（分钟）",
                                             "巡查次数", "值班天数", "补助（元）"]
    rows = {r[0]: r[1:6] for r in summary.iter_rows(min_row=3, values_only=True)}
    assert rows[rota["teacher"].name] == (NOVEMBER_DAYS, 0, 0, NOVEMBER_DAYS, NOVEMBER_DAYS * 100)
    assert rows["王老师"] == (0, NOVEMBER_WEDNESDAYS, 0, NOVEMBER_WEDNESDAYS, NOVEMBER_WEDNESDAYS * 50)
    assert rows["合计"] == (NOVEMBER_DAYS, NOVEMBER_WEDNESDAYS, 0, NOVEMBER_DAYS + NOVEMBER_WEDNESDAYS,
                          NOVEMBER_DAYS * 100 + NOVEMBER_WEDNESDAYS * 50)
    detail = book["明细"]
    assert detail.max_row == 1 + NOVEMBER_DAYS + NOVEMBER_WEDNESDAYS
    assert [c.value for c in detail[2]][:5] == ["2026-11-02", "周一", rota["teacher"].name, "三年级看护一班", "看护班"]


def test_routes_refuse_bad_months_and_non_admins(client, world, rota):
    admin, teacher = world.a.headers("admin"), world.a.headers("teacher")
    for month in ("2026-13", "0000-01", "9999-12", "2026-1"):
        assert client.get(f"/api/v1/schools/{world.a.school.id}/service-records?month={month}",
                          headers=admin).status_code == 422
    assert client.get(f"/api/v1/schools/{world.a.school.id}/service-records.xlsx", headers=teacher).status_code == 403
    own = client.get(f"/api/v1/staff/{world.a.staff['teacher'].id}/service-record?month=2026-11", headers=teacher)
    assert own.status_code == 200 and own.json()["totals"]["sessions"] == NOVEMBER_DAYS


def test_pay_counts_sessions_duty_days_and_patrols_for_finance(client, session, world, rota, fixed_clock):
    from app.duty.models import DutyAssignment, PatrolRecord
    from app.schools.service import school_rules
    rules = school_rules(session, world.a.school.id)
    rules.pay_per_session_cents, rules.pay_per_duty_day_cents = 3000, 5000
    session.add(rules)
    leader = world.a.staff["duty_leader"]
    first = service_day(session, world.a.school.id, date(2026, 11, 2)).sessions[0]
    session.add_all([DutyAssignment(school_id=world.a.school.id, day=date(2026, 11, d), staff_id=leader.id,
                                    role="leader", assigned_by=world.a.staff["admin"].account_id) for d in (2, 3)]
                    + [DutyAssignment(school_id=world.a.school.id, day=date(2026, 11, 1), staff_id=leader.id,
                                      role="leader", assigned_by=world.a.staff["admin"].account_id)]  # a Sunday
                    + [PatrolRecord(school_id=world.a.school.id, session_id=first.id, day=first.day,
                        at=datetime(2026, 11, 2, 8, tzinfo=timezone.utc), staff_id=leader.id, teacher_present=True, headcount_seen=1,
                        roster_present=1, order="good")])
    session.commit()
    school = service.school_records(session=session, school=world.a.school, month="2026-11")
    by_name = {row.staff_name: row for row in school.staff}
    duty = by_name[leader.name]
    assert (duty.sessions, duty.patrols, duty.duty_days, duty.pay_cents) == (0, 1, 2, 2 * 5000)
    teacher = by_name[rota["teacher"].name]
    assert teacher.pay_cents == NOVEMBER_DAYS * 3000
    assert school.pay_cents == sum(row.pay_cents for row in school.staff)


def test_the_school_list_and_its_xlsx_read_the_calendar_once(session, world, rota, monkeypatch):
    """The month's served days are read once and serve both the sessions and the duty days."""
    ranges = []
    read = service.served_days

    def counted(session, school_id, first, last):
        ranges.append((first, last))
        return read(session, school_id, first, last)

    monkeypatch.setattr(service, "served_days", counted)
    school = service.school_records(session=session, school=world.a.school, month="2026-11")
    assert ranges == [(date(2026, 11, 1), date(2026, 11, 23))]
    assert school.totals.sessions == NOVEMBER_DAYS + NOVEMBER_WEDNESDAYS
    service.school_records_xlsx(session=session, school=world.a.school, month="2026-11")
    assert len(ranges) == 2
