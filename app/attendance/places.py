"""Where every child should be on a service day, and the sessions that day holds.

A child's expected place for a day is their club when enrolled in one meeting that weekday,
else their care group, unless on leave or not in care that day (not applied for that weekday,
withdrawn, or not approved). Sessions are one per care group plus one per club meeting that
weekday; they are created the first time a day is needed, so a day cancelled beforehand has none.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.attendance.models import ServiceSession, SessionKind, SessionStaff
from app.core.clock import today
from app.calendar.service import ServiceDay, day_in_force, grade_band, timetable
from app.caregroups.models import CareGroup, CareGroupMember, CareGroupTutor
from app.clubs.models import Club, ClubEnrollment, EnrollmentStatus
from app.enrollment.models import Application, AppStatus, ServicePlan
from app.leave.models import LeaveDay, LeaveKind, LeaveRequest, LeaveStatus
from app.people.models import Student
from app.schools.models import Term


class PlaceKind:
    CARE_GROUP = "care_group"
    CLUB = "club"
    LEAVE = "leave"              # on approved (or noted) leave that day
    UNPLACED = "unplaced"        # in care, but not yet in a care group
    NOT_IN_CARE = "not_in_care"  # not applied for that weekday, withdrawn, not approved, or not a service day
    LABELS = {CARE_GROUP: "看护班", CLUB: "社团", LEAVE: "请假", UNPLACED: "未分班", NOT_IN_CARE: "今天不参加托管"}


@dataclass(frozen=True)
class Place:
    """Where a child should be on one day, and what the teacher there should know."""

    student_id: int
    kind: str
    session_id: int | None = None
    name: str | None = None           # the group's or club's name
    # A leave request touching the day: in force (approved/noted), or still waiting for the class head.
    leave_id: int | None = None
    leave_kind: str | None = None
    leave_pending: bool = False
    early_pickup_time: str | None = None
    # The session the child belongs to today, leave or not: its roster lists them (as on leave if so).
    usual_session_id: int | None = None

    @property
    def expected(self) -> bool:
        """Should the child be in a session today (and so be marked)?"""
        return self.kind in (PlaceKind.CARE_GROUP, PlaceKind.CLUB, PlaceKind.UNPLACED)

    @property
    def label(self) -> str:
        return self.name or PlaceKind.LABELS[self.kind]


@dataclass(frozen=True)
class Day:
    """A served day of one school: its term, plan, calendar entry and sessions."""

    term: Term
    plan: ServicePlan
    entry: ServiceDay
    sessions: list[ServiceSession]


def service_day(session: Session, school_id: int, day: date) -> Day | None:
    """The day's sessions (created on first need), or None when the school does not serve that day."""
    return served_day(session, day_in_force(session, school_id, day))


def served_day(session: Session, found: tuple[Term, ServicePlan, ServiceDay] | None) -> Day | None:
    """`service_day` for a calendar entry already looked up (`day_in_force`), e.g. to show why a day is not served."""
    if found is None or not found[2].served:
        return None
    term, plan, entry = found
    return Day(term, plan, entry, _ensure_sessions(session, term, plan, entry))


def _planned_sessions(session: Session, term: Term, plan: ServicePlan, entry: ServiceDay) -> list[tuple]:
    """(kind, owner id, name, room, starts, ends, staff ids) for each session the day should hold."""
    weekday = entry.runs_as_weekday
    times = timetable(plan, entry.day)
    planned = []
    groups = session.exec(select(CareGroup).where(CareGroup.term_id == term.id).order_by(CareGroup.id)).all()
    tutors: dict[int, list[int]] = {}
    for group_id, staff_id in session.exec(select(CareGroupTutor.group_id, CareGroupTutor.staff_id).where(
            CareGroupTutor.school_id == term.school_id, CareGroupTutor.weekday == weekday)).all():
        tutors.setdefault(group_id, []).append(staff_id)
    for group in groups:
        planned.append((SessionKind.CARE_GROUP, group.id, group.name, group.room, times.starts_at,
                        times.end_times[grade_band(group.grade)], sorted(tutors.get(group.id, []))))
    clubs = session.exec(select(Club).where(Club.term_id == term.id, Club.is_active == True)  # noqa: E712
                         .order_by(Club.id)).all()
    for club in clubs:
        if weekday in club.weekdays:
            staff = [club.teacher_staff_id] if club.teacher_staff_id else []
            planned.append((SessionKind.CLUB, club.id, club.name, club.venue, club.start_time, club.end_time, staff))
    return planned


def _ensure_sessions(session: Session, term: Term, plan: ServicePlan, entry: ServiceDay) -> list[ServiceSession]:
    planned = _planned_sessions(session, term, plan, entry)
    by_owner = {(s.kind, s.care_group_id or s.club_id): s for s in _day_rows(session, term.school_id, entry.day)}
    missing = [(kind, owner_id, name, room, starts, ends) for kind, owner_id, name, room, starts, ends, _ in planned
               if (kind, owner_id) not in by_owner]
    new_ids: set[int] = set()
    if missing:
        new_ids = _create_sessions(session, term, entry.day, missing)
        by_owner = {(s.kind, s.care_group_id or s.club_id): s for s in _day_rows(session, term.school_id, entry.day)}
    staff_rows: dict[int, list[SessionStaff]] = {}
    for row in session.exec(select(SessionStaff).join(ServiceSession, ServiceSession.id == SessionStaff.session_id)
                            .where(ServiceSession.school_id == term.school_id,
                                   ServiceSession.day == entry.day)).all():
        staff_rows.setdefault(row.session_id, []).append(row)
    changed = False
    for kind, owner_id, name, room, starts, ends, staff_ids in planned:
        row = by_owner[(kind, owner_id)]
        # A day is frozen once it has passed: its sessions are history. A session created just now (a
        # past day nobody opened, counted by the service record) still gets the rota it had.
        if row.id in new_ids or row.day >= today():
            changed |= _sync_staff(session, row, staff_rows.get(row.id, []), staff_ids)
        if row.day >= today() and (row.name, row.room, row.starts_at, row.ends_at) != (name, room, starts, ends):
            # A group renamed or moved, a club's times changed: today's and later sessions follow.
            row.name, row.room, row.starts_at, row.ends_at = name, room, starts, ends
            session.add(row)
            changed = True
    if changed:
        try:
            session.commit()
        except IntegrityError:  # a concurrent first reader synced the same rota a moment earlier
            session.rollback()
    planned_owners = {(kind, owner_id) for kind, owner_id, *_ in planned}
    rows = sorted(by_owner.values(), key=lambda s: (s.kind, s.name))
    # A group deleted or a club closed since keeps its row (its roll call is history) but leaves the day.
    return [s for s in rows if (s.kind, s.care_group_id or s.club_id) in planned_owners]


def _day_rows(session: Session, school_id: int, day: date) -> list[ServiceSession]:
    return list(session.exec(select(ServiceSession).where(ServiceSession.school_id == school_id,
                                                          ServiceSession.day == day)).all())


def _create_sessions(session: Session, term: Term, day: date, missing: list[tuple]) -> set[int]:
    """Insert the day's missing sessions in one go; the ids of those this call created."""
    def build(kind, owner_id, name, room, starts, ends) -> ServiceSession:
        return ServiceSession(school_id=term.school_id, term_id=term.id, day=day, kind=kind, name=name, room=room,
                              starts_at=starts, ends_at=ends,
                              care_group_id=owner_id if kind == SessionKind.CARE_GROUP else None,
                              club_id=owner_id if kind == SessionKind.CLUB else None)
    rows = [build(*spec) for spec in missing]
    try:
        with session.begin_nested():
            session.add_all(rows)
            session.flush()
    except IntegrityError:
        # Another request created some of the same day's sessions at the same moment: theirs are as
        # good as ours, so create the rest one by one and let each collision go.
        rows = []
        for spec in missing:
            row = build(*spec)
            try:
                with session.begin_nested():
                    session.add(row)
                    session.flush()
                rows.append(row)
            except IntegrityError:
                continue
    session.commit()
    return {row.id for row in rows}


def _sync_staff(session: Session, row: ServiceSession, current: list[SessionStaff], staff_ids: list[int]) -> bool:
    """Keep a session's scheduled teachers in step with the tutor rota; True when something changed.

    Substitutes an admin put in (rows with a reason) are left alone: the list is then the admin's.
    """
    if any(r.reason for r in current):
        return False
    have = {r.staff_id for r in current}
    for staff_id in set(staff_ids) - have:
        session.add(SessionStaff(school_id=row.school_id, session_id=row.id, staff_id=staff_id))
    gone = have - set(staff_ids)
    if gone:
        session.exec(delete(SessionStaff).where(SessionStaff.session_id == row.id,
                                                SessionStaff.staff_id.in_(gone)))
    return bool(gone or set(staff_ids) - have)


def session_staff_ids(session: Session, session_ids: Iterable[int]) -> dict[int, list[int]]:
    ids = list(session_ids)
    staff: dict[int, list[int]] = {sid: [] for sid in ids}
    if ids:
        for session_id, staff_id in session.exec(select(SessionStaff.session_id, SessionStaff.staff_id).where(
                SessionStaff.session_id.in_(ids))).all():
            staff[session_id].append(staff_id)
    return staff


def expected_places(session: Session, day: Day, student_ids: Iterable[int] | None = None) -> dict[int, Place]:
    """Where each child in care today should be; children of the school not in care today are left out
    unless named in `student_ids` (then they come back as NOT_IN_CARE)."""
    wanted = set(student_ids) if student_ids is not None else None
    weekday, today_ = day.entry.runs_as_weekday, day.entry.day
    query = (select(Application.student_id, Application.weekdays, Application.leaves_on)
             .join(Student, Student.id == Application.student_id)
             .where(Application.term_id == day.term.id, Application.status == AppStatus.APPROVED,
                    Student.is_active == True))  # noqa: E712
    if wanted is not None:
        query = query.where(Application.student_id.in_(wanted))
    in_care = {student_id for student_id, weekdays, leaves_on in session.exec(query).all()
               if weekday in weekdays and (leaves_on is None or today_ < leaves_on)}

    by_group = {s.care_group_id: s for s in day.sessions if s.kind == SessionKind.CARE_GROUP}
    by_club = {s.club_id: s for s in day.sessions if s.kind == SessionKind.CLUB}
    club_of = {student_id: by_club[club_id] for student_id, club_id in session.exec(
        select(ClubEnrollment.student_id, ClubEnrollment.club_id).where(
            ClubEnrollment.term_id == day.term.id, ClubEnrollment.status == EnrollmentStatus.ENROLLED,
            ClubEnrollment.student_id.in_(in_care))).all() if club_id in by_club}
    group_of = {student_id: by_group.get(group_id) for student_id, group_id in session.exec(
        select(CareGroupMember.student_id, CareGroupMember.group_id).where(
            CareGroupMember.term_id == day.term.id, CareGroupMember.student_id.in_(in_care))).all()}
    leaves = _leaves_on(session, day.term.school_id, today_, in_care)

    places: dict[int, Place] = {}
    for student_id in sorted(wanted if wanted is not None else in_care):
        if student_id not in in_care:
            places[student_id] = Place(student_id, PlaceKind.NOT_IN_CARE)
            continue
        target = club_of.get(student_id) or group_of.get(student_id)
        leave = leaves.get(student_id)
        info = {"usual_session_id": target.id if target else None}
        if leave is not None:
            info.update(leave_id=leave.id, leave_kind=leave.kind, leave_pending=leave.status == LeaveStatus.SUBMITTED,
                        early_pickup_time=leave.early_pickup_time)
            if leave.kind != LeaveKind.EARLY_PICKUP and leave.status in LeaveStatus.IN_FORCE:
                places[student_id] = Place(student_id, PlaceKind.LEAVE, **info)
                continue
        if target is None:
            places[student_id] = Place(student_id, PlaceKind.UNPLACED, **info)
        else:
            places[student_id] = Place(student_id, target.kind, session_id=target.id, name=target.name, **info)
    return places


def _leaves_on(session: Session, school_id: int, day: date, student_ids: set[int]) -> dict[int, LeaveRequest]:
    """The leave touching `day` for each child: one in force wins over one still waiting."""
    if not student_ids:
        return {}
    rows = session.exec(select(LeaveRequest).join(LeaveDay, LeaveDay.leave_id == LeaveRequest.id).where(
        LeaveDay.school_id == school_id, LeaveDay.day == day, LeaveDay.student_id.in_(student_ids),
        LeaveRequest.status != LeaveStatus.CANCELLED).order_by(LeaveRequest.requested_at)).all()
    found: dict[int, LeaveRequest] = {}
    for row in rows:
        if row.student_id not in found or row.status in LeaveStatus.IN_FORCE:
            found[row.student_id] = row
    return found


def expected_place(session: Session, school_id: int, student_id: int, day: date) -> Place:
    served = service_day(session, school_id, day)
    if served is None:
        return Place(student_id, PlaceKind.NOT_IN_CARE)
    return expected_places(session, served, [student_id])[student_id]
