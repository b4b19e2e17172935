"""How long a school keeps children's records, and the purge that removes what is past its time.

Per school (`RetentionRules`, defaults until an admin changes them): photos of a child who left, pickup records,
attendance and notifications. A dated record is kept until its time after the end of the term it falls in, counted
from that term's end; so a whole term goes at once, and a record between two terms waits for the next term's end.
Before a day's handoffs, late pickups or attendance go, the day's figures are kept (`DayFigures`), so the school and
district dashboards read the same numbers after the purge as before it.

`python -m app.cli purge` runs it once and prints what it removed; the worker runs it daily.
"""

import logging
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import delete, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.attendance.models import AbsenceAlert, Attendance, Handover, ServiceSession
from app.core.clock import school_moment, today, utcnow
from app.core.media import remove_image
from app.dataprotection.models import RetentionRules
from app.dataprotection.schemas import RetentionIn, RetentionOut
from app.leave.models import LeaveDay, LeaveRequest
from app.notify.models import InboxMessage, OutboxMessage
from app.notify.worker import PeriodicJob, register_periodic
from app.people.models import Guardian, Guardianship, Student
from app.pickup.models import Handoff, LatePickup, PickupCodeUse, PickupDelegate
from app.reports.models import DayFigures
from app.reports.service import day_figures
from app.schools.models import School, Term

log = logging.getLogger("kehou.retention")

# A pickup code is refused 60 seconds after it was made; its use is kept only so it cannot release twice. Uses belong
# to a phone, not to a school, so they follow no school's setting: a day is ample.
CODE_USES_KEPT = timedelta(days=1)

# What `purge` counts, in the order it is printed.
LABELS = {
    "day_figures_kept": "day figures kept first (for the dashboards)",
    "student_photos": "student photos", "guardian_photos": "guardian photos",
    "handoffs": "handoffs", "late_pickups": "late pickups", "pickup_delegates": "ended pickup delegates",
    "pickup_code_uses": "pickup code uses",
    "attendance": "attendance marks", "absence_alerts": "absence alerts", "handovers": "handovers",
    "leave_requests": "leave requests",
    "notifications": "notifications",
}


# ---------- the settings ----------

def retention_rules(session: Session, school_id: int) -> RetentionRules:
    """The school's retention; the defaults until an admin changes them (not saved until then)."""
    return session.get(RetentionRules, school_id) or RetentionRules(school_id=school_id, updated_at=None)


def retention_out(rules: RetentionRules) -> RetentionOut:
    return RetentionOut.model_validate(rules, from_attributes=True)


def update_retention(*, session: Session, school_id: int, data: RetentionIn, account_id: int) -> RetentionOut:
    rules = session.get(RetentionRules, school_id) or RetentionRules(school_id=school_id)
    for key, value in data.model_dump().items():
        setattr(rules, key, value)
    rules.updated_at, rules.updated_by = utcnow(), account_id
    session.add(rules)
    session.commit()
    return retention_out(rules)


def horizon(terms: list[Term], keep_days: int, now: date) -> date | None:
    """The last date whose records are past their time: the end of the latest term that ended more than
    `keep_days` days before `now` (None while no term has)."""
    return max((t.ends_on for t in terms if t.ends_on + timedelta(days=keep_days) < now), default=None)


# ---------- the purge ----------

def _keep_figures(session: Session, school_id: int, pickups_until: date | None, attendance_until: date | None) -> int:
    """Keep the figures of every past day whose records are about to go, unless kept already."""
    days: set[date] = set()
    if pickups_until:
        for model in (Handoff, LatePickup):
            days.update(session.exec(select(model.day).where(model.school_id == school_id,
                                                             model.day <= pickups_until).distinct()).all())
    if attendance_until:
        days.update(session.exec(select(ServiceSession.day).join(Attendance, Attendance.session_id == ServiceSession.id)
                                 .where(ServiceSession.school_id == school_id, ServiceSession.day <= attendance_until)
                                 .distinct()).all())
        days.update(session.exec(select(LeaveDay.day).where(LeaveDay.school_id == school_id,
                                                            LeaveDay.day <= attendance_until).distinct()).all())
    if not days:
        return 0
    kept = set(session.exec(select(DayFigures.day).where(DayFigures.school_id == school_id,
                                                         DayFigures.day.in_(days))).all())
    # One day at a time: the days to purge are scattered over a term, most of them already kept by the dashboards.
    return sum(len(day_figures(session, school_id, day, day)) for day in sorted(days - kept))


def _purge_pickups(session: Session, school_id: int, until: date) -> Counter:
    removed = Counter()
    removed["handoffs"] = session.exec(delete(Handoff).where(Handoff.school_id == school_id,
                                                             Handoff.day <= until)).rowcount
    removed["late_pickups"] = session.exec(delete(LatePickup).where(LatePickup.school_id == school_id,
                                                                    LatePickup.day <= until)).rowcount
    still_named = select(Handoff.delegate_id).where(Handoff.delegate_id.is_not(None))
    removed["pickup_delegates"] = session.exec(delete(PickupDelegate).where(
        PickupDelegate.school_id == school_id, PickupDelegate.ends_on <= until,
        PickupDelegate.id.not_in(still_named))).rowcount
    return removed


def _purge_attendance(session: Session, school_id: int, until: date) -> Counter:
    removed = Counter()
    old_sessions = select(ServiceSession.id).where(ServiceSession.school_id == school_id, ServiceSession.day <= until)
    removed["attendance"] = session.exec(delete(Attendance).where(
        Attendance.school_id == school_id, Attendance.session_id.in_(old_sessions))).rowcount
    removed["absence_alerts"] = session.exec(delete(AbsenceAlert).where(
        AbsenceAlert.school_id == school_id, AbsenceAlert.session_id.in_(old_sessions))).rowcount
    removed["handovers"] = session.exec(delete(Handover).where(Handover.school_id == school_id,
                                                               Handover.day <= until)).rowcount
    # A request goes once all its days have (one over the horizon keeps the whole request).
    later = select(LeaveDay.leave_id).where(LeaveDay.school_id == school_id, LeaveDay.day > until)
    expired = select(LeaveRequest.id).where(LeaveRequest.school_id == school_id, LeaveRequest.id.not_in(later),
                                            LeaveRequest.requested_at < school_moment(until + timedelta(days=1)))
    expired_ids = list(session.exec(expired).all())
    if expired_ids:
        session.exec(delete(LeaveDay).where(LeaveDay.leave_id.in_(expired_ids)))
        session.exec(delete(LeaveRequest).where(LeaveRequest.id.in_(expired_ids)))
    removed["leave_requests"] = len(expired_ids)
    return removed


def _purge_messages(session: Session, *conditions) -> int:
    old = select(InboxMessage.id).where(*conditions)
    session.exec(delete(OutboxMessage).where(OutboxMessage.inbox_id.in_(old)))
    return session.exec(delete(InboxMessage).where(*conditions)).rowcount


def _purge_photos(session: Session, school_id: int, keep_days: int, files: list[str]) -> Counter:
    """Photos of children marked left `keep_days` ago (the last change to a child who left is that mark), and of
    guardians with no child at the school still here or left more recently."""
    removed = Counter()
    cutoff = utcnow() - timedelta(days=keep_days)
    for student in session.exec(select(Student).where(
            Student.school_id == school_id, Student.is_active == False,  # noqa: E712
            Student.photo_path.is_not(None), Student.updated_at <= cutoff)).all():
        files.append(student.photo_path)
        student.photo_path = None
        session.add(student)
        removed["student_photos"] += 1
    still_needed = select(Guardianship.guardian_id).join(Student, Student.id == Guardianship.student_id).where(
        Guardianship.school_id == school_id, or_(Student.is_active == True, Student.updated_at > cutoff))  # noqa: E712
    for guardian in session.exec(select(Guardian).where(
            Guardian.school_id == school_id, Guardian.photo_path.is_not(None),
            Guardian.id.not_in(still_needed))).all():
        files.append(guardian.photo_path)
        guardian.photo_path = None
        session.add(guardian)
        removed["guardian_photos"] += 1
    return removed


def purge(session: Session) -> Counter:
    """Remove every school's records past their time; what was removed, counted by kind (see LABELS)."""
    now = today()
    removed: Counter = Counter()
    files: list[str] = []
    rules_of = {r.school_id: r for r in session.exec(select(RetentionRules)).all()}
    terms_of: dict[int, list[Term]] = {}
    for term in session.exec(select(Term)).all():
        terms_of.setdefault(term.school_id, []).append(term)
    for school_id in session.exec(select(School.id).order_by(School.id)).all():
        rules = rules_of.get(school_id) or RetentionRules(school_id=school_id)
        terms = terms_of.get(school_id, [])
        pickups_until = horizon(terms, rules.pickup_days, now)
        attendance_until = horizon(terms, rules.attendance_days, now)
        notifications_until = horizon(terms, rules.notification_days, now)
        removed["day_figures_kept"] += _keep_figures(session, school_id, pickups_until, attendance_until)
        if pickups_until:
            removed.update(_purge_pickups(session, school_id, pickups_until))
        if attendance_until:
            removed.update(_purge_attendance(session, school_id, attendance_until))
        if notifications_until:
            removed["notifications"] += _purge_messages(
                session, InboxMessage.school_id == school_id,
                InboxMessage.created_at < school_moment(notifications_until + timedelta(days=1)))
        removed.update(_purge_photos(session, school_id, rules.photo_days, files))
        session.commit()
    # Messages of no school (none are sent today) follow the default, counted from when they were sent.
    removed["notifications"] += _purge_messages(session, InboxMessage.school_id.is_(None), InboxMessage.created_at < (
        utcnow() - timedelta(days=RetentionRules(school_id=0).notification_days)))
    removed["pickup_code_uses"] += session.exec(delete(PickupCodeUse).where(
        PickupCodeUse.used_at < utcnow() - CODE_USES_KEPT)).rowcount
    session.commit()
    for path in files:  # the files go once no row names them
        remove_image(path)
    if sum(removed.values()):
        log.info("purge: %s", ", ".join(f"{n} {k}" for k, n in removed.items() if n))
    return removed


def report_lines(removed: Counter) -> list[str]:
    """What `python -m app.cli purge` prints: one line per kind, zeros included, so a run says what it checked."""
    return [f"removed {removed.get(key, 0)} {label}" if key != "day_figures_kept" else
            f"kept {removed.get(key, 0)} {label}" for key, label in LABELS.items()]


def purge_expired(engine: Engine) -> Counter:
    """One purge in a session of its own (the worker, daily; `python -m app.cli purge`)."""
    with Session(engine) as session:
        return purge(session)


register_periodic(PeriodicJob("retention-purge", 24 * 3600, purge_expired))
