"""The school's and the district's figures (docs/reports.md), each recomputable from the raw rows.

A past service day's attendance, pickups and patrols are kept in `DayFigures` the first time a report needs
them (or by the nightly job); today's are always computed live. Terms, clubs, fees, incidents and teachers are
small per school and are counted directly.
"""

from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from app.attendance.models import Attendance, AttendanceStatus, ServiceSession, SessionStaff
from app.attendance.service import school_day
from app.clubs.models import Club, ClubEnrollment, EnrollmentStatus
from app.core.clock import school_time, today, utcnow
from app.core.config import get_settings
from app.core.db import InsertOnce, upsert
from app.core.errors import NotFound
from app.core.rates import percent
from app.duty.models import PatrolRecord
from app.duty.service import patrol_times
from app.enrollment.models import Application, AppStatus, Bill
from app.enrollment.reports import PRIORITY_LABELS
from app.enrollment.schemas import CountRow, PriorityRow
from app.leave.models import LeaveDay, LeaveKind, LeaveRequest, LeaveStatus
from app.incidents.models import Incident, IncidentEntry, IncidentType
from app.notify.worker import PeriodicJob, register_periodic
from app.people.models import DistrictOfficial, Staff, Student
from app.pickup.models import Handoff, LatePickup, LateStage
from app.reports import rollup
from app.reports.models import DayFigures, TodayFigures
from app.reports.schemas import (
    Attendance as AttendanceOut, AttendancePoint, Bucket, ClubFill, DistrictDashboard, Fees, Incidents, LatestRelease,
    Named, Participation, Patrols, Pickups, Satisfaction, SchoolDashboard, SchoolRow, Teachers,
)
from app.schools.models import GRADE_NAMES, District, School, SchoolClass, Term
from app.schools.service import current_term, school_rules
from app.workload.service import served_days


# ---------- one day ----------

def compute_day(session: Session, school_id: int, day: date) -> DayFigures | None:
    """A served day's figures from the raw rows (None when the school did not serve that day)."""
    _, served = school_day(session, school_id, day)
    if served is None:
        return None
    in_care, away = _in_care(session, school_id, served)
    session_ids = [s.id for s in served.sessions]
    marks: dict[int, set[str]] = {}
    if session_ids:
        for student_id, status in session.exec(select(Attendance.student_id, Attendance.status).where(
                Attendance.session_id.in_(session_ids))).all():
            marks.setdefault(student_id, set()).add(status)
    expected = present = leave = 0
    for student_id in in_care | set(marks):
        mark = marks.get(student_id, set())
        if mark & set(AttendanceStatus.ARRIVED):       # came, on leave or not
            expected, present = expected + 1, present + 1
        elif student_id in away or AttendanceStatus.LEAVE in mark:
            leave += 1
        elif student_id in in_care:
            expected += 1
    handoffs = session.exec(select(Handoff.method, Handoff.released_at).where(
        Handoff.school_id == school_id, Handoff.day == day)).all()
    stages = session.exec(select(LatePickup.stage).where(LatePickup.school_id == school_id,
                                                         LatePickup.day == day)).all()
    rules = school_rules(session, school_id)
    patrols_due = sum(len(patrol_times(s, day, rules.patrols_per_lesson, rules.lesson_minutes))
                      for s in served.sessions)
    patrols_done = session.exec(select(func.count()).select_from(PatrolRecord).where(
        PatrolRecord.school_id == school_id, PatrolRecord.day == day)).one()
    return DayFigures(
        school_id=school_id, day=day, expected=expected, present=present, leave=leave,
        absent=max(0, expected - present), released=len(handoffs), by_method=dict(Counter(m for m, _ in handoffs)),
        buckets=dict(Counter(_bucket(at) for _, at in handoffs)),
        latest_release_at=max((at for _, at in handoffs), default=None), late=len(stages),
        with_guard=sum(1 for s in stages if s == LateStage.WITH_GUARD), patrols_due=patrols_due,
        patrols_done=patrols_done)


def _in_care(session: Session, school_id: int, served) -> tuple[set[int], set[int]]:
    """The children in care that day and those of them away on leave: what `expected_places` says of each child
    (its LEAVE place; every other place of a child in care is expected), without placing them in sessions, which
    the counts do not need and which cost `expected_places` two statements with every child's id in them."""
    weekday, day = served.entry.runs_as_weekday, served.entry.day
    in_care = {student_id for student_id, weekdays, leaves_on in session.exec(
        select(Application.student_id, Application.weekdays, Application.leaves_on)
        .join(Student, Student.id == Application.student_id)
        .where(Application.term_id == served.term.id, Application.status == AppStatus.APPROVED,
               Student.is_active == True)).all()  # noqa: E712
        if weekday in weekdays and (leaves_on is None or day < leaves_on)}
    found: dict[int, tuple[str, str]] = {}   # as `_leaves_on` picks: one in force wins over one still waiting
    for student_id, kind, status in session.exec(
            select(LeaveRequest.student_id, LeaveRequest.kind, LeaveRequest.status)
            .join(LeaveDay, LeaveDay.leave_id == LeaveRequest.id)
            .where(LeaveDay.school_id == school_id, LeaveDay.day == day, LeaveRequest.status != LeaveStatus.CANCELLED)
            .order_by(LeaveRequest.requested_at)).all():
        if student_id in in_care and (student_id not in found or status in LeaveStatus.IN_FORCE):
            found[student_id] = (kind, status)
    away = {student_id for student_id, (kind, status) in found.items()
            if kind != LeaveKind.EARLY_PICKUP and status in LeaveStatus.IN_FORCE}
    return in_care, away


def _bucket(at: datetime) -> str:
    local = school_time(at)
    return f"{local.hour:02d}:{local.minute // 10 * 10:02d}"


def day_figures(session: Session, school_id: int, start: date, end: date) -> list[DayFigures]:
    """Figures for every served day in the range: kept ones for past days (computed and kept when missing),
    today's at most a minute old (`_today_of`)."""
    days = served_days(session, school_id, start, min(end, today()))
    kept = {f.day: f for f in session.exec(select(DayFigures).where(
        DayFigures.school_id == school_id, DayFigures.day >= start, DayFigures.day <= end)).all()}
    figures, added = [], False
    for day in days:
        if day == today():
            found, kept_now = _today_of(session, school_id), False
        else:
            found, kept_now = _kept_or_computed(session, school_id, day, kept.get(day))
        if found is not None:
            figures.append(found)
        added |= kept_now
    if added:
        session.commit()
    return figures


def _kept_or_computed(session: Session, school_id: int, day: date, kept: DayFigures | None
                      ) -> tuple[DayFigures | None, bool]:
    """The day's kept figures, else computed (None when not served) and, for a past day, kept — once: two
    dashboards opened at the same moment compute the same day, and the first kept row stands."""
    if kept is not None:
        return kept, False
    found = compute_day(session, school_id, day)
    if found is None or day >= today():
        return found, False
    return found, _keep_once(session, found.model_dump())


_keep_once = InsertOnce(DayFigures, "school_id", "day")


def keep_yesterday(engine) -> int:
    """Nightly (the worker runs it hourly; a kept day is skipped): compute and keep yesterday's figures."""
    with Session(engine) as session:
        yesterday = today() - timedelta(days=1)
        school_ids = session.exec(select(Term.school_id).where(Term.starts_on <= yesterday,
                                                               Term.ends_on >= yesterday).distinct()).all()
        return sum(len(day_figures(session, school_id, yesterday, yesterday)) for school_id in school_ids)


# ---------- the school dashboard ----------

def _range(term: Term, start: date | None, end: date | None) -> tuple[date, date]:
    start = max(start or term.starts_on, term.starts_on)
    end = min(end or today(), term.ends_on)
    return start, max(start, end)


def report_term(session: Session, school_id: int, term_id: int | None) -> Term:
    term = session.get(Term, term_id) if term_id else current_term(session, school_id)
    if term is None or term.school_id != school_id:
        raise NotFound("TERM_NOT_FOUND", "未找到该学期")
    return term


def _participation(session: Session, term: Term) -> Participation:
    """As `GET /terms/{id}/applications/summary` (`app/enrollment/reports.py: summary`), counted from plain
    columns: that summary loads every student and application as an entity (about half the dashboard's time for
    2,000 children)."""
    flags = [getattr(Student, f"priority_{key}") for key in PRIORITY_LABELS]
    students = session.exec(select(Student.id, Student.class_id, *flags).where(
        Student.school_id == term.school_id, Student.is_active == True)).all()  # noqa: E712
    classes = {c.id: c for c in session.exec(select(SchoolClass).where(SchoolClass.school_id == term.school_id)).all()}
    apps = {row[0]: row for row in session.exec(select(
        Application.student_id, Application.status, Application.priority_claims, Application.decline_reason).where(
        Application.term_id == term.id)).all()}
    by_status = Counter(row[1] for row in apps.values())
    grade_rows: dict[int, CountRow] = {}
    class_rows: dict[int, CountRow] = {}
    priority_counts: Counter[str] = Counter()
    for student_id, class_id, *student_flags in students:
        school_class = classes[class_id]
        rows = (grade_rows.setdefault(school_class.grade, CountRow(key=str(school_class.grade),
                                                                   label=GRADE_NAMES[school_class.grade])),
                class_rows.setdefault(school_class.id, CountRow(key=str(school_class.id), label=school_class.name)))
        app = apps.get(student_id)
        status = app[1] if app is not None else None
        for row in rows:
            row.eligible += 1
            if app is None:
                row.not_responded += 1
            elif status == AppStatus.DECLINED:
                row.declined += 1
            elif status != AppStatus.WITHDRAWN:
                row.applied += 1
                row.approved += status == AppStatus.APPROVED
        if status == AppStatus.APPROVED:
            for key, flag in zip(PRIORITY_LABELS, student_flags):
                if flag or key in app[2]:
                    priority_counts[key] += 1
    approved = by_status.get(AppStatus.APPROVED, 0)
    by_grade = [grade_rows[g] for g in sorted(grade_rows)]
    return Participation(
        eligible=len(students), applied=sum(r.applied for r in by_grade), approved=approved,
        declined=by_status.get(AppStatus.DECLINED, 0), participation_rate=percent(approved, len(students)),
        declined_reasons=[r[3] for r in apps.values() if r[1] == AppStatus.DECLINED and r[3]], by_grade=by_grade,
        by_class=[class_rows[c] for c in sorted(class_rows, key=lambda c: (classes[c].grade, classes[c].number))],
        by_priority=[PriorityRow(key=key, label=label, approved=priority_counts[key],
                                 share_of_approved=percent(priority_counts[key], approved),
                                 text=f"{label} {priority_counts[key]} 人，占 {percent(priority_counts[key], approved):.2f}%")
                     for key, label in PRIORITY_LABELS.items()])


def _attendance(figures: list[DayFigures]) -> AttendanceOut:
    totals = {k: sum(getattr(f, k) for f in figures) for k in ("expected", "present", "leave", "absent")}
    return AttendanceOut(series=[AttendancePoint(date=f.day, expected=f.expected, present=f.present, leave=f.leave,
                                                 absent=f.absent) for f in figures],
                         attendance_rate=percent(totals["present"], totals["expected"]), **totals)


def _pickups(figures: list[DayFigures]) -> Pickups:
    methods, buckets = Counter(), Counter()
    for f in figures:
        methods.update(f.by_method)
        buckets.update(f.buckets)
    return Pickups(
        released=sum(f.released for f in figures), by_method=dict(methods),
        buckets=[Bucket(from_=b, to=_ten_after(b), count=buckets[b]) for b in sorted(buckets)],
        latest=[LatestRelease(date=f.day, time=school_time(f.latest_release_at).strftime("%H:%M"))
                for f in figures if f.latest_release_at],
        late=sum(f.late for f in figures), with_guard=sum(f.with_guard for f in figures))


def _ten_after(hhmm: str) -> str:
    hour, minute = map(int, hhmm.split(":"))
    minute += 10
    return f"{hour + minute // 60:02d}:{minute % 60:02d}"


def _clubs(session: Session, term: Term) -> list[ClubFill]:
    counts = Counter(session.exec(select(ClubEnrollment.club_id, ClubEnrollment.status).where(
        ClubEnrollment.term_id == term.id)).all())
    clubs = session.exec(select(Club).where(Club.term_id == term.id, Club.is_active == True)  # noqa: E712
                         .order_by(Club.id)).all()
    return [ClubFill(club_id=c.id, name=c.name, capacity=c.capacity,
                     enrolled=counts[(c.id, EnrollmentStatus.ENROLLED)],
                     waitlisted=counts[(c.id, EnrollmentStatus.WAITLISTED)],
                     fill_rate=percent(counts[(c.id, EnrollmentStatus.ENROLLED)], c.capacity)) for c in clubs]


def _incidents(session: Session, school_id: int, start: date, end: date) -> Incidents:
    rows = session.exec(select(Incident.id, Incident.type).where(Incident.school_id == school_id,
                                                                 Incident.day >= start, Incident.day <= end)).all()
    closed = set(session.exec(select(IncidentEntry.incident_id).where(
        IncidentEntry.incident_id.in_([r[0] for r in rows]), IncidentEntry.kind == "close")).all()) if rows else set()
    return Incidents(total=len(rows), open=sum(1 for r in rows if r[0] not in closed),
                     by_type=dict(Counter(IncidentType.LABELS[t] for _, t in rows)))


def _fees(session: Session, term: Term) -> Fees:
    """The term's bills summed per waiver (`Bill.due_cents`: none pays all, half pays amount // 2, full nothing)."""
    count, billed, due, half, full = 0, 0, 0, 0, 0
    for waiver, n, amount, halves in session.exec(select(
            Bill.waiver, func.count(), func.sum(Bill.amount_cents), func.sum(Bill.amount_cents // 2))
            .where(Bill.term_id == term.id).group_by(Bill.waiver)).all():
        count, billed = count + n, billed + amount
        due += {"none": amount, "half": halves}.get(waiver, 0)
        half += n if waiver == "half" else 0
        full += n if waiver == "full" else 0
    return Fees(children_billed=count, billed_cents=billed, waived_cents=billed - due, due_cents=due,
                waivers_half=half, waivers_full=full)


def _satisfaction(session: Session, school_id: int, term: Term) -> Satisfaction:
    from app.surveys.service import satisfaction_summary
    return Satisfaction.model_validate(satisfaction_summary(session, school_id, term.id))


def school_dashboard(*, session: Session, school: School, term_id: int | None, start: date | None,
                     end: date | None) -> SchoolDashboard:
    term = report_term(session, school.id, term_id)
    start, end = _range(term, start, end)
    figures = day_figures(session, school.id, start, end)
    due, done = sum(f.patrols_due for f in figures), sum(f.patrols_done for f in figures)
    return SchoolDashboard(
        school=Named(id=school.id, name=school.name), term=Named(id=term.id, name=term.name), from_=start, to=end,
        participation=_participation(session, term), attendance=_attendance(figures), pickups=_pickups(figures),
        clubs=_clubs(session, term), teachers=_teachers_of(session, {school.id: figures})[school.id],
        patrols=Patrols(due=due, done=done, rate=percent(done, due)),
        incidents=_incidents(session, school.id, start, end), fees=_fees(session, term),
        satisfaction=_satisfaction(session, school.id, term), computed_at=utcnow(),
        today_counted_at=next((f.computed_at for f in figures if f.day == today()), None))


# ---------- the district ----------

RANKED = ("participation_rate", "attendance_rate", "teacher_participation_rate", "patrol_rate", "satisfied_rate")


def get_district(session: Session, account_id: int, district_id: int) -> District:
    district = session.get(District, district_id)
    official = session.exec(select(DistrictOfficial.id).where(DistrictOfficial.district_id == district_id,
                                                              DistrictOfficial.account_id == account_id)).first()
    if district is None or official is None:
        raise NotFound("DISTRICT_NOT_FOUND", "未找到该教育局")
    return district


def _empty_row(school: School) -> SchoolRow:
    return SchoolRow(school=Named(id=school.id, name=school.name), term=None, eligible=0, approved=0,
                     participation_rate=0, attendance_rate=0, late=0, teacher_participation_rate=0,
                     patrol_rate=0, incidents=0, satisfied_rate=0, ranks={})


DISTRICT_COLUMNS = ("school_id", "day", "expected", "present", "leave", "absent", "late", "patrols_due", "patrols_done")


def _district_rows(session: Session, schools: list[School], start: date | None, end: date | None
                   ) -> tuple[list[SchoolRow], datetime | None]:
    """Every school's row, each counted as `school_dashboard` counts it, in a few statements for the whole district
    (GROUP BY school) rather than a dozen per school: terms, served days, kept figures, participation, teachers,
    incidents. Missing past figures are computed per school as the school dashboard does; today's come from
    `TodayFigures` (at most a minute old). Also says when the oldest of today's figures was counted."""
    ids = [s.id for s in schools]
    current, ranges, days, rules = _terms_and_days(session, ids, start, end)
    if not ranges:
        return [_empty_row(s) for s in schools], None
    first, last = min(r[0] for r in ranges.values()), max(r[1] for r in ranges.values())
    kept: dict[int, dict[date, DayFigures]] = {}
    # Only the columns a row needs (the releases' JSON columns would be decoded for nothing).
    for f in session.exec(select(*(getattr(DayFigures, c) for c in DISTRICT_COLUMNS)).where(
            DayFigures.school_id.in_(ids), DayFigures.day >= first, DayFigures.day <= last)).all():
        kept.setdefault(f.school_id, {})[f.day] = f
    eligible = dict(session.exec(select(Student.school_id, func.count()).where(
        Student.school_id.in_(ids), Student.is_active == True).group_by(Student.school_id)).all())  # noqa: E712
    term_ids = [t.id for t in current.values() if t is not None]
    approved = dict(session.exec(select(Application.term_id, func.count()).where(
        Application.term_id.in_(term_ids), Application.status == AppStatus.APPROVED)
        .group_by(Application.term_id)).all())
    now = today()
    live = _today_figures(session, current, days, rules, get_settings().today_figures_max_age_seconds)
    rows = []
    figures_of: dict[int, list[DayFigures]] = {}
    for school in schools:
        if current[school.id] is None:
            continue
        figures, added = [], False
        for day, _ in days[school.id]:
            if day == now:
                found = live.get(school.id)
            else:  # a past day nobody read yet is computed and kept, as day_figures does
                found, kept_now = _kept_or_computed(session, school.id, day, kept.get(school.id, {}).get(day))
                added |= kept_now
            if found is not None:
                figures.append(found)
        if added:
            session.commit()
        figures_of[school.id] = figures
    teachers = _teachers_of(session, figures_of)
    incidents = _incidents_of(session, ranges)
    from app.surveys.service import satisfied_rates
    satisfied = satisfied_rates(session, term_ids)
    for school in schools:
        term = current[school.id]
        if term is None:
            rows.append(_empty_row(school))
            continue
        figures = figures_of[school.id]
        due, done = sum(f.patrols_due for f in figures), sum(f.patrols_done for f in figures)
        n_eligible, n_approved = eligible.get(school.id, 0), approved.get(term.id, 0)
        rows.append(SchoolRow(
            school=Named(id=school.id, name=school.name), term=Named(id=term.id, name=term.name),
            eligible=n_eligible, approved=n_approved, participation_rate=percent(n_approved, n_eligible),
            attendance_rate=_attendance(figures).attendance_rate, late=sum(f.late for f in figures),
            teacher_participation_rate=teachers[school.id].participation_rate, patrol_rate=percent(done, due),
            incidents=incidents.get(school.id, 0), satisfied_rate=satisfied.get(term.id, 0.0), ranks={}))
    counted = [f.computed_at for f in live.values()
               if any(day == now for day, _ in days.get(f.school_id, []))]
    return rows, min(counted, default=None)


def _terms_and_days(session: Session, ids: list[int], start: date | None, end: date | None):
    """Each school's current term, its report range, its served days in it and its rules."""
    terms_of: dict[int, list[Term]] = {}
    for term in session.exec(select(Term).where(Term.school_id.in_(ids)).order_by(Term.starts_on)).all():
        terms_of.setdefault(term.school_id, []).append(term)
    current = {sid: _current(terms_of.get(sid, []), today()) for sid in ids}
    ranges = {sid: _range(t, start, end) for sid, t in current.items() if t is not None}
    if not ranges:
        return current, ranges, {}, {}
    days, rules = _served_days_of(session, current, ranges)
    return current, ranges, days, rules


def _today_figures(session: Session, current: dict[int, Term | None], days: dict[int, list[tuple[date, int]]],
                   rules: dict, max_age: float) -> dict[int, TodayFigures]:
    """Today's figures of every school serving today: those counted less than `max_age` seconds ago as they are,
    the others counted now (on PostgreSQL all in one statement, `rollup.figures`; a school whose day lacks a planned
    session — nobody opened it yet, or a group or club was added since — or on SQLite, by compute_day, which makes
    the day's sessions) and kept for the next reader."""
    now = today()
    serving = {school_id: weekday for school_id, served in days.items() for day, weekday in served if day == now}
    if not serving:
        return {}
    fresh_after = utcnow() - timedelta(seconds=max_age)
    found = {f.school_id: f for f in session.exec(select(TodayFigures).where(
        TodayFigures.school_id.in_(list(serving)), TodayFigures.day == now,
        TodayFigures.computed_at >= fresh_after)).all()} if max_age > 0 else {}
    stale = [school_id for school_id in serving if school_id not in found]
    if not stale:
        return found
    counted: dict[int, DayFigures] = {}
    if session.get_bind().dialect.name == "postgresql":
        counted = {school_id: f for (school_id, _), f in rollup.figures(session, [
            rollup.SchoolDay(school_id, current[school_id].id, now, serving[school_id],
                             rules[school_id].patrols_per_lesson, rules[school_id].lesson_minutes)
            for school_id in stale]).items()}
    for school_id in stale:
        if school_id not in counted:
            figures = compute_day(session, school_id, now)
            if figures is not None:
                counted[school_id] = figures
    return {**found, **_keep_today(session, list(counted.values()))}


def _today_of(session: Session, school_id: int) -> TodayFigures | None:
    """One school's today as `_today_figures` gives it: counted less than `today_figures_max_age_seconds` ago,
    else counted now (None when the school does not serve today)."""
    fresh_after = utcnow() - timedelta(seconds=get_settings().today_figures_max_age_seconds)
    row = session.exec(select(TodayFigures).where(TodayFigures.school_id == school_id, TodayFigures.day == today(),
                                                  TodayFigures.computed_at >= fresh_after)).first()
    if row is not None:
        return row
    counted = compute_day(session, school_id, today())
    return _keep_today(session, [counted])[school_id] if counted is not None else None


def _keep_today(session: Session, counted: list[DayFigures]) -> dict[int, TodayFigures]:
    """Write today's figures just counted, stamped now, for the next reader (whoever counted last wins)."""
    at = utcnow()
    rows = [{**f.model_dump(), "computed_at": at} for f in counted]
    upsert(session, TodayFigures, ("school_id",), rows)
    session.commit()
    return {row["school_id"]: TodayFigures(**row) for row in rows}


def refresh_today_figures(engine) -> int:
    """The worker's job (every `today_figures_refresh_seconds`): count today's figures of every school serving
    today, so the district report reads them instead of counting 100 schools while a 督导 waits."""
    with Session(engine) as session:
        now = today()
        ids = session.exec(select(Term.school_id).where(Term.starts_on <= now, Term.ends_on >= now).distinct()).all()
        if not ids:
            return 0
        current, _, days, rules = _terms_and_days(session, list(ids), now, now)
        return len(_today_figures(session, current, days, rules, max_age=0))


def _current(terms: list[Term], now: date) -> Term | None:
    """`current_term` over terms already read (in start order)."""
    return (next((t for t in terms if t.starts_on <= now <= t.ends_on), None)
            or next((t for t in terms if t.starts_on > now), None)
            or (terms[-1] if terms else None))


def _served_days_of(session: Session, current: dict[int, Term | None], ranges: dict[int, tuple[date, date]]):
    """`served_days` of each school's range (each day with the weekday it runs as) and each school's rules, the
    plans, calendar changes and rules read once for the district. A range lies within one term (`_range`), so only
    that term's plan and changes count."""
    from app.calendar.models import CalendarChange
    from app.calendar.service import _dates, classify
    from app.enrollment.models import PlanStatus, ServicePlan
    from app.schools.models import SchoolRules
    term_ids = [current[sid].id for sid in ranges]
    plans = {p.term_id: p for p in session.exec(select(ServicePlan).where(
        ServicePlan.term_id.in_(term_ids), ServicePlan.status == PlanStatus.PUBLISHED)).all()}
    changes: dict[int, dict[date, CalendarChange]] = {}
    for change in session.exec(select(CalendarChange).where(CalendarChange.term_id.in_(term_ids))).all():
        changes.setdefault(change.term_id, {})[change.day] = change
    rules = {r.school_id: r for r in session.exec(select(SchoolRules).where(SchoolRules.school_id.in_(ranges))).all()}
    days: dict[int, list[tuple[date, int]]] = {}
    seen: dict[tuple, object] = {}
    for school_id, (first, last) in ranges.items():
        rules.setdefault(school_id, SchoolRules(school_id=school_id))
        term, last = current[school_id], min(last, today())
        plan = plans.get(term.id)
        if plan is None or first > last:
            days[school_id] = []
            continue
        term_changes = changes.get(term.id, {})
        served = []
        for d in _dates(max(first, term.starts_on), min(last, term.ends_on)):
            change = term_changes.get(d)
            # classify() looks the date up in the statutory calendar (slow: chinese-calendar scans its tables on
            # every call); schools with the same plan weekdays and rules get the same answer for a date.
            key = (d, tuple(plan.weekdays), rules[school_id].service_on_makeup_days, change.id if change else None)
            entry = seen.get(key)
            if entry is None:
                entry = seen[key] = classify(d, plan, rules[school_id], change)
            if entry.served:
                served.append((entry.day, entry.runs_as_weekday))
        days[school_id] = served
    return days, rules


def _teachers_of(session: Session, figures_of: dict[int, list[DayFigures]]) -> dict[int, Teachers]:
    """Each school's teachers (active staff who teach or head a class) and how many of them served on its days
    (`figures`), with the sessions they served; schools serving the same days are read in one statement."""
    teaching: dict[int, set[int]] = {sid: set() for sid in figures_of}
    for school_id, staff_id, roles in session.exec(select(Staff.school_id, Staff.id, Staff.roles).where(
            Staff.school_id.in_(list(figures_of)), Staff.is_active == True)).all():  # noqa: E712
        if {"teacher", "class_head"} & set(roles or []):
            teaching[school_id].add(staff_id)
    by_days: dict[tuple[date, ...], list[int]] = {}
    for school_id, figures in figures_of.items():
        by_days.setdefault(tuple(sorted(f.day for f in figures)), []).append(school_id)
    served: dict[int, dict[int, int]] = {sid: {} for sid in figures_of}
    for days, school_ids in by_days.items():
        if not days:
            continue
        for school_id, staff_id, sessions in session.exec(
                select(SessionStaff.school_id, SessionStaff.staff_id, func.count())
                .join(ServiceSession, ServiceSession.id == SessionStaff.session_id)
                .where(SessionStaff.school_id.in_(school_ids), ServiceSession.day.in_(days))
                .group_by(SessionStaff.school_id, SessionStaff.staff_id)).all():
            served[school_id][staff_id] = sessions
    out = {}
    for school_id in figures_of:
        participating = teaching[school_id] & set(served[school_id])
        out[school_id] = Teachers(staff=len(teaching[school_id]), participating=len(participating),
                                  participation_rate=percent(len(participating), len(teaching[school_id])),
                                  sessions=sum(served[school_id].values()))
    return out


def _incidents_of(session: Session, ranges: dict[int, tuple[date, date]]) -> dict[int, int]:
    """Incidents per school in its range (`_incidents(...).total`)."""
    first, last = min(r[0] for r in ranges.values()), max(r[1] for r in ranges.values())
    counts: Counter = Counter()
    for school_id, day, n in session.exec(select(Incident.school_id, Incident.day, func.count()).where(
            Incident.school_id.in_(list(ranges)), Incident.day >= first, Incident.day <= last)
            .group_by(Incident.school_id, Incident.day)).all():
        if ranges[school_id][0] <= day <= ranges[school_id][1]:
            counts[school_id] += n
    return counts


def district_dashboard(*, session: Session, district: District, start: date | None, end: date | None
                       ) -> DistrictDashboard:
    schools = session.exec(select(School).where(School.district_id == district.id).order_by(School.id)).all()
    rows, today_counted_at = _district_rows(session, schools, start, end)
    for key in RANKED:
        # Competition ranking (1, 2, 2, 4): equal figures share a rank.
        values = sorted((getattr(r, key) for r in rows), reverse=True)
        for row in rows:
            row.ranks[key] = values.index(getattr(row, key)) + 1
    eligible, approved = sum(r.eligible for r in rows), sum(r.approved for r in rows)
    return DistrictDashboard(
        district=Named(id=district.id, name=district.name), from_=start, to=end or today(),
        schools=sorted(rows, key=lambda r: (r.ranks.get("participation_rate", 0), r.school.id)),
        totals={"schools": len(rows), "eligible": eligible, "approved": approved,
                "participation_rate": percent(approved, eligible), "late": sum(r.late for r in rows),
                "incidents": sum(r.incidents for r in rows)},
        today_counted_at=today_counted_at)


register_periodic(PeriodicJob("day-figures", 3600, keep_yesterday))
register_periodic(PeriodicJob("today-figures", get_settings().today_figures_refresh_seconds, refresh_today_figures))
