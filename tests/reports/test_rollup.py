"""The district's live figures of today, counted set-based on PostgreSQL (app/reports/rollup.py), are the ones the
school dashboard counts a day at a time (`compute_day`), whatever happened to the day since it was first opened."""

from datetime import date

import pytest

from app.attendance.places import service_day
from app.clubs.models import Club
from app.core.clock import utcnow
from app.duty.models import PatrolRecord
from app.reports import rollup, service
from app.schools.service import school_rules
from tests.reports.test_school_dashboard import MONDAY, dashboard

pytestmark = pytest.mark.usefixtures("postgres_only")


@pytest.fixture
def postgres_only(session):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("the set-based figures are PostgreSQL's (SQLite counts each day with compute_day)")


def district_row(client, world):
    response = client.get(f"/api/v1/reports/districts/{world.district.id}", params={"from": MONDAY, "to": MONDAY},
                          headers=world.district_headers())
    assert response.status_code == 200, response.text
    return response.json()["schools"][0]


def test_a_session_added_after_the_day_was_opened_counts_at_once(client, session, day, world):
    school = day.school.school
    served = service_day(session, school.id, date.fromisoformat(MONDAY))  # the day is opened: its sessions exist
    session.add(PatrolRecord(school_id=school.id, session_id=served.sessions[0].id, day=served.entry.day,
                             at=utcnow(), staff_id=day.school.staff["duty_leader"].id, teacher_present=True, headcount_seen=3,
                             roster_present=0, order="good"))
    session.add(Club(school_id=school.id, term_id=day.school.term.id, name="围棋", category="other", weekdays=[1],
                     start_time="16:10", end_time="17:00", capacity=10, grades=[3], venue="棋室"))
    session.commit()  # a club meeting on Mondays, added after the day was opened

    rules = school_rules(session, school.id)
    live = rollup.figures(session, [rollup.SchoolDay(school.id, day.school.term.id, served.entry.day, 1,
                                                     rules.patrols_per_lesson, rules.lesson_minutes)])
    row = district_row(client, world)  # first: the school dashboard below would make the new session
    counted = service.compute_day(session, school.id, served.entry.day)
    assert counted.patrols_due == 14  # the care group: 6 (15:40–17:20, three lessons), each club: 4 (50 minutes)
    # Left to compute_day (which makes the new session), or counted the same.
    assert [{c: getattr(f, c) for c in rollup.COLUMNS} for f in live.values()] in (
        [], [{c: getattr(counted, c) for c in rollup.COLUMNS}])
    assert row["patrol_rate"] == dashboard(client, day)["patrols"]["rate"] == round(100 / 14, 2)
