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
from app.attendance.places import PlaceKind, expected_places
from app.attendance.service import school_day
from app.clubs.models import Club, ClubEnrollment, EnrollmentStatus
from app.core.clock import school_time, today, utcnow
from app.core.errors import NotFound
from app.duty.models import PatrolRecord
from app.duty.service import patrol_times
from app.enrollment.models import Bill
from app.enrollment.reports import summary as application_summary
from app.incidents.models import Incident, IncidentEntry, IncidentType
from app.notify.worker import PeriodicJob, register_periodic
from app.people.models import DistrictOfficial, Staff
from app.pickup.models import Handoff, LatePickup, LateStage
from app.reports.models import DayFigures
from app.reports.schemas import (
    Attendance as AttendanceOut, AttendancePoint, Bucket, ClubFill, DistrictDashboard, Fees, Incidents, LatestRelease,
    Named, Participation, Patrols, Pickups, Satisfaction, SchoolDashboard, SchoolRow, Teachers,
)
from app.schools.models import District, School, Term
from app.schools.service import current_term, school_rules
from app.workload.service import served_days


def percent(part: int | float, whole: int | float) -> float:
    return round(part * 100 / whole, 2) if whole else 0.0


# ---------- one day ----------

def compute_day(session: Session, school_id: int, day: date) -> DayFigures | None:
    """A served day's figures from the raw rows (None when the school did not serve that day)."""
    _, served = school_day(session, school_id, day)
    if served is None:
        return None
    places = expected_places(session, served)
    session_ids = [s.id for s in served.sessions]
    marks: dict[int, set[str]] = {}
    if session_ids:
        for student_id, status in session.exec(select(Attendance.student_id, Attendance.status).where(
                Attendance.session_id.in_(session_ids))).all():
            marks.setdefault(student_id, set()).add(status)
    expected = present = leave = 0
    for student_id in set(places) | set(marks):
        mark, place = marks.get(student_id, set()), places.get(student_id)
        if mark & set(AttendanceStatus.ARRIVED):       # came, on leave or not
            expected, present = expected + 1, present + 1
        elif (place and place.kind == PlaceKind.LEAVE) or AttendanceStatus.LEAVE in mark:
            leave += 1
        elif place and place.expected:
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


def _bucket(at: datetime) -> str:
    local = school_time(at)
    return f"{local.hour:02d}:{local.minute // 10 * 10:02d}"


def day_figures(session: Session, school_id: int, start: date, end: date) -> list[DayFigures]:
    """Figures for every served day in the range: kept ones for past days (computed and kept when missing),
    today's live."""
    days = [d for d in served_days(session, school_id, start, min(end, today()))]
    kept = {f.day: f for f in session.exec(select(DayFigures).where(
        DayFigures.school_id == school_id, DayFigures.day >= start, DayFigures.day <= end)).all()}
    figures, added = [], False
    for day in days:
        found = kept.get(day)
        if found is None:
            found = compute_day(session, school_id, day)
            if found is None:
                continue
            if day < today():
                session.add(found)
                added = True
        figures.append(found)
    if added:
        session.commit()
    return figures


def keep_yesterday(engine) -> int:
    """Nightly (the worker runs it hourly; a kept day is skipped): compute and keep yesterday's figures."""
    from sqlmodel import Session as NewSession
    with NewSession(engine) as session:
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
    s = application_summary(session, term)
    return Participation(eligible=s.eligible, applied=sum(r.applied for r in s.by_grade),
                         approved=s.by_status.get("approved", 0), declined=s.by_status.get("declined", 0),
                         participation_rate=s.participation_rate, declined_reasons=s.declined_reasons,
                         by_grade=s.by_grade, by_class=s.by_class, by_priority=s.by_priority)


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


def _teachers(session: Session, school_id: int, days: list[date]) -> Teachers:
    teaching = {sid for sid, roles in session.exec(select(Staff.id, Staff.roles).where(
        Staff.school_id == school_id, Staff.is_active == True)).all()  # noqa: E712
        if {"teacher", "class_head"} & set(roles or [])}
    served = session.exec(select(SessionStaff.staff_id).join(
        ServiceSession, ServiceSession.id == SessionStaff.session_id).where(
        SessionStaff.school_id == school_id, ServiceSession.day.in_(days))).all() if days else []
    participating = teaching & set(served)
    return Teachers(staff=len(teaching), participating=len(participating),
                    participation_rate=percent(len(participating), len(teaching)), sessions=len(served))


def _incidents(session: Session, school_id: int, start: date, end: date) -> Incidents:
    rows = session.exec(select(Incident.id, Incident.type).where(Incident.school_id == school_id,
                                                                 Incident.day >= start, Incident.day <= end)).all()
    closed = set(session.exec(select(IncidentEntry.incident_id).where(
        IncidentEntry.incident_id.in_([r[0] for r in rows]), IncidentEntry.kind == "close")).all()) if rows else set()
    return Incidents(total=len(rows), open=sum(1 for r in rows if r[0] not in closed),
                     by_type=dict(Counter(IncidentType.LABELS[t] for _, t in rows)))


def _fees(session: Session, term: Term) -> Fees:
    bills = session.exec(select(Bill).where(Bill.term_id == term.id)).all()
    billed, due = sum(b.amount_cents for b in bills), sum(b.due_cents for b in bills)
    return Fees(children_billed=len(bills), billed_cents=billed, waived_cents=billed - due, due_cents=due,
                waivers_half=sum(1 for b in bills if b.waiver == "half"),
                waivers_full=sum(1 for b in bills if b.waiver == "full"))


def _satisfaction(session: Session, school_id: int, term: Term) -> Satisfaction:
    from app.surveys.service import satisfaction_summary
    return Satisfaction.model_validate(satisfaction_summary(session, school_id, term.id))


def school_dashboard(*, session: Session, school: School, term_id: int | None, start: date | None,
                     end: date | None) -> SchoolDashboard:
    term = report_term(session, school.id, term_id)
    start, end = _range(term, start, end)
    figures = day_figures(session, school.id, start, end)
    return SchoolDashboard(
        school=Named(id=school.id, name=school.name), term=Named(id=term.id, name=term.name), from_=start, to=end,
        participation=_participation(session, term), attendance=_attendance(figures), pickups=_pickups(figures),
        clubs=_clubs(session, term), teachers=_teachers(session, school.id, [f.day for f in figures]),
        patrols=Patrols(due=sum(f.patrols_due for f in figures), done=sum(f.patrols_done for f in figures),
                        rate=percent(sum(f.patrols_done for f in figures), sum(f.patrols_due for f in figures))),
        incidents=_incidents(session, school.id, start, end), fees=_fees(session, term),
        satisfaction=_satisfaction(session, school.id, term), computed_at=utcnow())


# ---------- the district ----------

RANKED = ("participation_rate", "attendance_rate", "teacher_participation_rate", "patrol_rate", "satisfied_rate")


def get_district(session: Session, account_id: int, district_id: int) -> District:
    district = session.get(District, district_id)
    official = session.exec(select(DistrictOfficial.id).where(DistrictOfficial.district_id == district_id,
                                                              DistrictOfficial.account_id == account_id)).first()
    if district is None or official is None:
        raise NotFound("DISTRICT_NOT_FOUND", "未找到该教育局")
    return district


def _school_row(session: Session, school: School, start: date | None, end: date | None) -> SchoolRow:
    term = current_term(session, school.id)
    if term is None:
        return SchoolRow(school=Named(id=school.id, name=school.name), term=None, eligible=0, approved=0,
                         participation_rate=0, attendance_rate=0, late=0, teacher_participation_rate=0,
                         patrol_rate=0, incidents=0, satisfied_rate=0, ranks={})
    first, last = _range(term, start, end)
    figures = day_figures(session, school.id, first, last)
    participation = application_summary(session, term)
    attendance = _attendance(figures)
    teachers = _teachers(session, school.id, [f.day for f in figures])
    due, done = sum(f.patrols_due for f in figures), sum(f.patrols_done for f in figures)
    return SchoolRow(school=Named(id=school.id, name=school.name), term=Named(id=term.id, name=term.name),
                     eligible=participation.eligible, approved=participation.by_status.get("approved", 0),
                     participation_rate=participation.participation_rate,
                     attendance_rate=attendance.attendance_rate, late=sum(f.late for f in figures),
                     teacher_participation_rate=teachers.participation_rate, patrol_rate=percent(done, due),
                     incidents=_incidents(session, school.id, first, last).total,
                     satisfied_rate=_satisfaction(session, school.id, term).satisfied_rate, ranks={})


def district_dashboard(*, session: Session, district: District, start: date | None, end: date | None
                       ) -> DistrictDashboard:
    schools = session.exec(select(School).where(School.district_id == district.id).order_by(School.id)).all()
    rows = [_school_row(session, school, start, end) for school in schools]
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
                "incidents": sum(r.incidents for r in rows)})


register_periodic(PeriodicJob("day-figures", 3600, keep_yesterday))
