"""The service calendar: plan weekdays, statutory holidays and make-up days, the school's own changes."""

from datetime import date

import pytest

from app.calendar import service
from app.calendar.schemas import DayChangeIn
from app.core.errors import AppError, Conflict
from app.schools.schemas import RulesIn
from app.schools.service import update_rules
from tests.factories import publish_plan


def days_by_date(session, world):
    calendar = service.term_calendar(session=session, term=world.a.term)
    return {d.date: d for d in calendar.days}, calendar


@pytest.fixture
def plan(session, world):
    return publish_plan(session, world.a, weekdays=[1, 2, 3, 4])  # Friday is the teachers' study afternoon


def test_national_day_is_no_service_day(session, world, plan):
    days, _ = days_by_date(session, world)
    assert not days[date(2026, 10, 1)].served
    assert days[date(2026, 10, 1)].kind == "holiday"
    assert days[date(2026, 10, 1)].note == "国庆节"


def test_a_plain_plan_weekday_is_served_with_its_timetable(session, world, plan):
    days, _ = days_by_date(session, world)
    tuesday = days[date(2026, 9, 8)]
    assert tuesday.served and tuesday.kind == "regular"
    assert tuesday.timetable.starts_at == "15:40"
    assert tuesday.timetable.homework_ends_at == "16:20"
    assert tuesday.timetable.end_times == {"low": "17:00", "mid": "17:20", "high": "17:30"}


def test_a_weekday_the_plan_skips_is_not_served(session, world, plan):
    days, _ = days_by_date(session, world)
    assert days[date(2026, 9, 11)].kind == "not_planned" and not days[date(2026, 9, 11)].served


def test_make_up_working_saturday_is_not_served_unless_the_school_says_so(session, world, plan):
    saturday = date(2026, 10, 10)  # 国庆调休上班
    days, _ = days_by_date(session, world)
    assert days[saturday].kind == "makeup" and not days[saturday].served
    update_rules(session=session, school_id=world.a.school.id, data=RulesIn(service_on_makeup_days=True))
    days, calendar = days_by_date(session, world)
    assert days[saturday].served
    assert any("2026-10-10" in w and "课表" in w for w in calendar.warnings)


def test_cancelled_day_carries_its_reason(session, world, plan):
    admin = world.a.staff["admin"].account_id
    service.change_day(session=session, term=world.a.term, account_id=admin,
                       data=DayChangeIn(date=date(2026, 11, 3), kind="cancel", reason="运动会"))
    days, _ = days_by_date(session, world)
    assert not days[date(2026, 11, 3)].served
    assert (days[date(2026, 11, 3)].kind, days[date(2026, 11, 3)].note) == ("cancelled", "运动会")


def test_added_saturday_follows_the_weekday_it_names(session, world, plan):
    admin = world.a.staff["admin"].account_id
    day = service.change_day(session=session, term=world.a.term, account_id=admin,
                             data=DayChangeIn(date=date(2026, 11, 7), kind="add", reason="补上周停课",
                                              follows_weekday=2))
    assert day.served and day.kind == "added" and day.runs_as_weekday == 2
    assert day.timetable is not None


def test_adding_a_day_already_served_is_refused(session, world, plan):
    with pytest.raises(Conflict) as refused:
        service.change_day(session=session, term=world.a.term, account_id=world.a.staff["admin"].account_id,
                           data=DayChangeIn(date=date(2026, 9, 8), kind="add", reason="多余"))
    assert refused.value.code == "DAY_ALREADY_SO"


def test_changing_a_day_back_undoes_the_change(session, world, plan):
    admin = world.a.staff["admin"].account_id
    cancel = DayChangeIn(date=date(2026, 11, 3), kind="cancel", reason="运动会")
    service.change_day(session=session, term=world.a.term, account_id=admin, data=cancel)
    back = service.change_day(session=session, term=world.a.term, account_id=admin,
                              data=DayChangeIn(date=date(2026, 11, 3), kind="add", reason="运动会改期"))
    assert back.served and back.kind == "regular" and back.change_id is None


def test_a_date_outside_the_term_is_refused(session, world, plan):
    with pytest.raises(AppError) as refused:
        service.change_day(session=session, term=world.a.term, account_id=world.a.staff["admin"].account_id,
                           data=DayChangeIn(date=date(2027, 3, 1), kind="cancel", reason="x"))
    assert refused.value.code == "DATE_OUTSIDE_TERM"


def test_winter_timetable_applies_from_its_start_date(session, world):
    publish_plan(session, world.a, winter={"starts_on": "2026-11-09", "low": "16:50", "mid": "17:00",
                                            "high": "17:10"})
    days, _ = days_by_date(session, world)
    assert days[date(2026, 11, 6)].timetable.winter is False
    assert days[date(2026, 11, 9)].timetable.end_times["high"] == "17:10"


def test_a_year_the_holiday_data_lacks_is_flagged(session, world, plan):
    days, calendar = days_by_date(session, world)
    assert days[date(2027, 1, 4)].served  # a Monday: weekday rule until the schedule is known
    assert any("2027" in w for w in calendar.warnings)


def test_calendar_over_http_for_a_guardian(client, session, world, plan):
    response = client.get(f"/api/v1/terms/{world.a.term.id}/calendar?from=2026-10-01&to=2026-10-09",
                          headers=world.a.headers("guardian"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert [d["date"] for d in body["days"]][0] == "2026-10-01"
    assert body["service_day_count"] == 1  # 1–7 国庆节, the 9th a Friday the plan skips: only Thursday the 8th
    assert body["leave_cutoff"] == "14:00"  # so a guardian knows before asking whether leave for today is late


def test_a_clubs_weekly_meetings_appear_on_its_served_days(session, world, plan):
    from app.clubs.models import Club
    session.add(Club(school_id=world.a.school.id, term_id=world.a.term.id, name="书法", category="art", weekdays=[3],
                     start_time="16:30", end_time="17:20", capacity=20, grades=[3], venue="美术室"))
    session.commit()
    days, _ = days_by_date(session, world)
    assert [c.name for c in days[date(2026, 11, 4)].clubs] == ["书法"]  # a Wednesday
    assert days[date(2026, 11, 4)].clubs[0].venue == "美术室"
    assert days[date(2026, 11, 3)].clubs == []   # Tuesday: not its day
    assert days[date(2026, 10, 7)].clubs == []   # a Wednesday in the National Day holiday
