"""The district report: each school's key figures, the totals and the ranking (督导)."""

from datetime import date

from app.reports import service
from app.reports.models import DayFigures, TodayFigures
from tests.attendance.conftest import build_day
from tests.factories import auth_headers
from tests.reports.test_school_dashboard import MONDAY, monday


def test_the_district_lists_its_schools_with_totals_and_ranks(client, session, day, world):
    monday(client, session, day)
    response = client.get(f"/api/v1/reports/districts/{world.district.id}", params={"from": MONDAY, "to": MONDAY},
                          headers=world.district_headers())
    assert response.status_code == 200, response.text
    body = response.json()
    assert [s["school"]["id"] for s in body["schools"]] == [world.a.school.id]  # school B is not in the district
    row = body["schools"][0]
    assert (row["participation_rate"], row["attendance_rate"]) == (100.0, round(200 / 3, 2))
    assert row["ranks"]["participation_rate"] == 1
    assert body["totals"]["approved"] == 4
    export = client.get(f"/api/v1/reports/districts/{world.district.id}/export", headers=world.district_headers())
    assert export.status_code == 200


def test_only_the_district_s_officials_read_it(client, world):
    assert client.get(f"/api/v1/reports/districts/{world.district.id + 1}",
                      headers=world.district_headers()).status_code == 404
    assert client.get(f"/api/v1/reports/districts/{world.district.id}",
                      headers=world.a.headers("admin")).status_code == 403


def district(client, world, **query) -> dict:
    """From Monday (the term's days before it have approved children but no marks) to today unless told."""
    response = client.get(f"/api/v1/reports/districts/{world.district.id}", params={"from": MONDAY, **query},
                          headers=world.district_headers())
    assert response.status_code == 200, response.text
    return response.json()


def mark_club_child_present(client, session, day) -> None:
    client.put(f"/api/v1/sessions/{day.session_of(session, club=True).id}/attendance",
               headers=auth_headers(day.club_teacher.account_id),
               json=[{"student_id": day.at_club.id, "status": "present"}])


def test_today_s_figures_are_at_most_a_minute_old_and_say_when_they_were_counted(client, session, day, world,
                                                                                  fixed_clock):
    monday(client, session, day)
    first = district(client, world)
    assert first["schools"][0]["attendance_rate"] == round(200 / 3, 2)
    assert first["today_counted_at"] == "2026-11-23T08:00:00Z"
    mark_club_child_present(client, session, day)
    fixed_clock.advance(seconds=59)
    assert district(client, world)["schools"][0]["attendance_rate"] == round(200 / 3, 2)  # counted at 16:00
    fixed_clock.advance(seconds=2)
    again = district(client, world)
    assert again["schools"][0]["attendance_rate"] == 100.0
    assert again["today_counted_at"] == "2026-11-23T08:01:01Z"


def test_a_range_ending_before_today_needs_no_count_of_today(client, session, day, world, fixed_clock):
    monday(client, session, day)
    fixed_clock.advance(days=1)
    body = district(client, world, to=MONDAY)
    assert body["today_counted_at"] is None
    assert body["schools"][0]["attendance_rate"] == round(200 / 3, 2)


def test_the_worker_counts_today_for_every_school_serving_today_as_compute_day_does(client, session, day, world):
    """On PostgreSQL the worker counts all schools in one statement (app/reports/rollup.py); it must agree with
    the per-school count field by field."""
    monday(client, session, day)
    mark_club_child_present(client, session, day)
    assert service.refresh_today_figures(session.get_bind()) == 1
    session.expire_all()
    counted = session.get(TodayFigures, day.school.school.id)
    expected = service.compute_day(session, day.school.school.id, date(2026, 11, 23))
    fields = set(DayFigures.model_fields) - {"computed_at"}
    assert counted.model_dump(include=fields) == expected.model_dump(include=fields)
    assert (counted.expected, counted.present, counted.released) == (3, 3, 1)


def test_schools_are_ranked_against_each_other_with_ties_sharing_a_rank(client, session, day, world):
    """School B joins the district with the same Monday: nobody marked there, so A ranks first on attendance;
    both approved everyone, so they share rank 1 on participation."""
    world.b.school.district_id = world.district.id
    session.add(world.b.school)
    session.commit()
    build_day(session, world.b)
    monday(client, session, day)
    body = district(client, world)
    rows = {r["school"]["id"]: r for r in body["schools"]}
    a, b = rows[world.a.school.id], rows[world.b.school.id]
    assert (a["attendance_rate"], b["attendance_rate"]) == (round(200 / 3, 2), 0.0)
    assert (a["ranks"]["attendance_rate"], b["ranks"]["attendance_rate"]) == (1, 2)
    assert a["ranks"]["participation_rate"] == b["ranks"]["participation_rate"] == 1
    assert body["totals"]["schools"] == 2 and body["totals"]["approved"] == 8
