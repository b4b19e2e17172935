"""The school dashboard: every figure is what the raw rows say (docs/reports.md)."""

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import func
from sqlmodel import select

from app.attendance.models import Attendance, ServiceSession
from app.pickup.models import Handoff, LatePickup
from app.enrollment.models import Bill
from app.reports import service
from app.reports.models import DayFigures
from tests.attendance.conftest import add_leave
from tests.factories import auth_headers
from tests.pickup.conftest import Phone

MONDAY = "2026-11-23"


def monday(client, session, day):
    """Monday at 16:00: two in the group arrived, one on leave, the club child unmarked; one released."""
    add_leave(session, day.at_group[2])
    tutor = auth_headers(day.tutor.account_id)
    client.put(f"/api/v1/sessions/{day.session_of(session).id}/attendance", headers=tutor,
               json=[{"student_id": s.id, "status": "present"} for s in day.at_group[:2]])
    mum = Phone(session, day.school.guardians[0].account_id)
    client.post("/api/v1/pickup/handoffs", headers=tutor,
                json={"code": mum.code(), "student_ids": [day.school.students[0].id]})


def dashboard(client, day, **query):
    query = {k: v for k, v in {"from": MONDAY, "to": MONDAY, **query}.items() if v is not None}
    response = client.get(f"/api/v1/reports/schools/{day.school.school.id}", params=query,
                          headers=day.school.headers("admin"))
    assert response.status_code == 200, response.text
    return response.json()


def test_attendance_and_pickups_add_up_from_the_marks_and_releases(client, session, day):
    monday(client, session, day)
    d = dashboard(client, day)
    assert d["attendance"]["series"] == [{"date": MONDAY, "expected": 3, "present": 2, "leave": 1, "absent": 1}]
    assert d["attendance"]["attendance_rate"] == round(2 * 100 / 3, 2)
    assert d["pickups"]["released"] == 1 and d["pickups"]["by_method"] == {"qr": 1}
    assert d["pickups"]["buckets"] == [{"from": "16:00", "to": "16:10", "count": 1}]
    assert d["pickups"]["latest"] == [{"date": MONDAY, "time": "16:00"}]


def test_a_past_day_is_kept_and_recomputed_when_its_roll_call_is_corrected(client, session, day, fixed_clock):
    monday(client, session, day)
    fixed_clock.advance(days=1)
    assert dashboard(client, day)["attendance"]["present"] == 2
    kept = session.exec(select(DayFigures)).all()
    assert [(f.expected, f.present) for f in kept] == [(3, 2)]
    client.put(f"/api/v1/sessions/{day.session_of(session, club=True).id}/attendance",
               headers=auth_headers(day.club_teacher.account_id),
               json=[{"student_id": day.at_club.id, "status": "present"}])
    assert session.exec(select(DayFigures)).all() == []  # forgotten, to be computed again
    assert dashboard(client, day)["attendance"]["present"] == 3


def test_participation_fees_clubs_and_teachers(client, session, day, world):
    session.add_all([Bill(school_id=day.school.school.id, term_id=day.school.term.id, student_id=s.id,
                          amount_cents=50000, waiver=w) for s, w in zip(day.school.students,
                                                                         ("none", "half", "full", "none"))])
    session.commit()
    d = dashboard(client, day)
    assert (d["participation"]["eligible"], d["participation"]["approved"]) == (4, 4)
    assert d["participation"]["participation_rate"] == 100.0
    assert d["fees"] == {"children_billed": 4, "billed_cents": 200000, "waived_cents": 75000, "due_cents": 125000,
                         "waivers_half": 1, "waivers_full": 1}
    assert [(c["name"], c["enrolled"], c["fill_rate"]) for c in d["clubs"]] == [(day.club.name, 1, 5.0)]
    # The tutor and the club teacher served Monday; the class head (a teaching role) did not.
    assert (d["teachers"]["participating"], d["teachers"]["sessions"]) == (2, 2)
    assert d["teachers"]["staff"] == 3  # the class head, the tutor and the club teacher hold teaching roles


def test_the_figures_match_a_recount_over_the_whole_term(client, session, day):
    """Every served day of the term recounted by compute_day, and the totals recounted from the raw rows with plain
    queries of their own: arrival marks, releases, late pickups."""
    monday(client, session, day)
    d = dashboard(client, day, **{"from": None})
    series = d["attendance"]["series"]
    assert sum(p["present"] for p in series) == d["attendance"]["present"]
    assert [p["date"] for p in series] == sorted(p["date"] for p in series) and len(series) > 20
    for point in series:
        recount = service.compute_day(session, day.school.school.id, date.fromisoformat(point["date"]))
        assert (recount.expected, recount.present, recount.leave, recount.absent) == (
            point["expected"], point["present"], point["leave"], point["absent"])
    school_id, first = day.school.school.id, date.fromisoformat(series[0]["date"])
    arrived = len(session.exec(select(Attendance.student_id, ServiceSession.day).join(  # children present per day
        ServiceSession, ServiceSession.id == Attendance.session_id).where(
        ServiceSession.school_id == school_id, ServiceSession.day >= first,
        Attendance.status.in_(["present", "late"])).distinct()).all())
    released = session.exec(select(func.count()).select_from(Handoff).where(Handoff.school_id == school_id)).one()
    late = session.exec(select(func.count()).select_from(LatePickup).where(LatePickup.school_id == school_id)).one()
    assert (d["attendance"]["present"], d["pickups"]["released"], d["pickups"]["late"]) == (arrived, released, late)
    assert arrived == 2 and released == 1


def test_the_export_has_a_sheet_per_figure_titled_with_school_and_term(client, session, day):
    monday(client, session, day)
    response = client.get(f"/api/v1/reports/schools/{day.school.school.id}/export",
                          params={"from": MONDAY, "to": MONDAY}, headers=day.school.headers("admin"))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:2] == ["概况", "参与情况-年级"]
    title = book["每日出勤"]["A1"].value
    assert day.school.school.name in title and day.school.term.name in title
    assert list(book["每日出勤"].iter_rows(min_row=3, values_only=True)) == [(MONDAY, 3, 2, 1, 1)]


def test_a_district_user_reads_its_schools_only(client, session, day, world):
    own = client.get(f"/api/v1/reports/schools/{world.a.school.id}", params={"from": MONDAY, "to": MONDAY},
                     headers=world.district_headers())
    assert own.status_code == 200
    other = client.get(f"/api/v1/reports/schools/{world.b.school.id}", headers=world.district_headers())
    assert other.status_code == 404
    teacher = client.get(f"/api/v1/reports/schools/{world.a.school.id}", headers=world.a.headers("teacher"))
    assert teacher.status_code == 403


def test_two_dashboards_opened_at_once_keep_one_row_per_day(fresh_engine, world_in, fixed_clock):
    """The first request for a past day computes and keeps it; a second one at the same moment must not fail."""
    import threading

    from sqlmodel import Session

    from tests.attendance.conftest import build_day
    world = world_in(fresh_engine)
    with Session(fresh_engine, expire_on_commit=False) as db:
        build_day(db, world.a)
    fixed_clock.advance(days=1)
    errors, start = [], threading.Barrier(3, timeout=60)

    def open_dashboard():
        with Session(fresh_engine) as session:
            start.wait()
            try:
                service.day_figures(session, world.a.school.id, date(2026, 11, 16), date(2026, 11, 23))
            except Exception as exc:  # noqa: BLE001 - any error is the failure
                errors.append(exc)

    threads = [threading.Thread(target=open_dashboard) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Session(fresh_engine) as db:
        assert len(db.exec(select(DayFigures)).all()) == 6  # 16th–20th and the 23rd


def test_today_is_at_most_a_minute_old_and_says_when_it_was_counted(client, session, day, fixed_clock):
    monday(client, session, day)
    first = dashboard(client, day)
    assert (first["attendance"]["present"], first["today_counted_at"]) == (2, "2026-11-23T08:00:00Z")
    client.put(f"/api/v1/sessions/{day.session_of(session, club=True).id}/attendance",
               headers=auth_headers(day.club_teacher.account_id),
               json=[{"student_id": day.at_club.id, "status": "present"}])
    fixed_clock.advance(seconds=59)
    assert dashboard(client, day)["attendance"]["present"] == 2
    fixed_clock.advance(seconds=2)
    again = dashboard(client, day)
    assert (again["attendance"]["present"], again["today_counted_at"]) == (3, "2026-11-23T08:01:01Z")


def test_a_term_of_another_school_is_not_found_and_keeps_nothing(client, session, day, world):
    response = client.get(f"/api/v1/reports/schools/{world.a.school.id}", params={"term_id": world.b.term.id},
                          headers=world.a.headers("admin"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "TERM_NOT_FOUND"
    assert session.exec(select(func.count()).select_from(DayFigures)).one() == 0
