"""The safe handoff: who may take which child today, and recording that they did (docs/pickup.md).

Every release goes through `_release`: one Handoff row per child and day (a unique pair) is the
"released at most once a day" rule, on both databases, whoever tries at the same moment.
"""

import hashlib
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import bindparam, event, literal, literal_column, null, or_, union_all, update
from sqlalchemy.orm import Session as OrmSession, aliased
from sqlmodel import Session, select

from app.attendance.models import Attendance, AttendanceStatus, ServiceSession, SessionKind
from app.attendance.places import Day, Place, PlaceKind, _leaves_on, expected_places
from app.attendance.service import classes_by_id, hhmm, school_day, students_by_id
from app.calendar.models import CalendarChange
from app.calendar.service import ServiceDay, classify, grade_band, timetable
from app.caregroups.models import CareGroup, CareGroupMember
from app.clubs.models import Club, ClubEnrollment, EnrollmentStatus
from app.core.clock import today, utcnow
from app.core.db import InsertOnce
from app.core.deps import Caller
from app.core.errors import AppError, Conflict, Forbidden, NotFound
from app.enrollment.models import Application, AppStatus, PlanStatus, ServicePlan
from app.leave.models import LeaveDay, LeaveKind, LeaveRequest, LeaveStatus
from app.notify.events import PICKED_UP
from app.notify.service import notify_guardians_of_many
from app.people.exposure import Disclosure
from app.people.models import Guardian, Guardianship, Student
from app.people.photos import delete_photo, photo_link, save_photo
from app.people.service import is_guardian_of
from app.pickup import codes
from app.privacy.service import guardians_with_photo_consent
from app.pickup.models import (
    Handoff, HandoffMethod, LatePickup, LateStage, PickupBlock, PickupCodeUse, PickupDelegate, PickupDevice,
)
from app.pickup.schemas import (
    AdultOut, BlockIn, BlockOut, ChildAdultsOut, ChildOut, DelegateAcceptIn, DelegateIn, DelegateOut, DeviceOut,
    DeviceRegistered, HandoffsOut, MyPhotoOut, PickupAdultOut, ReleaseOut, TodayChildOut, VerifyOut, WalkHomeChildOut,
)
from app.schools.models import School, SchoolClass, SchoolRules, Term
from app.schools.service import school_rules

STATUS_LABELS = {"ready": "可以接走", "released": "已接走", "on_leave": "今天请假", "not_in_care": "今天不在托管",
                 "not_authorised": "无权接走"}
GUARD_PLACE = "门卫室"


# ---------- devices ----------

def register_device(*, session: Session, account_id: int, label: str) -> DeviceRegistered:
    """A new phone for this account; every earlier one stops working (one phone shows the code)."""
    now = utcnow()
    session.exec(update(PickupDevice).where(PickupDevice.account_id == account_id,
                                            PickupDevice.revoked_at.is_(None)).values(revoked_at=now))
    device = PickupDevice(account_id=account_id, salt=codes.new_salt(), label=label.strip(), created_at=now)
    session.add(device)
    session.commit()
    return DeviceRegistered(device_id=device.id, secret=codes.secret_text(device.salt),
                            step_seconds=codes.STEP_SECONDS, max_age_seconds=codes.MAX_AGE_SECONDS,
                            server_time=int(now.timestamp()), prefix=codes.PREFIX)


def list_devices(*, session: Session, account_id: int) -> list[DeviceOut]:
    rows = session.exec(select(PickupDevice).where(PickupDevice.account_id == account_id)
                        .order_by(PickupDevice.id.desc())).all()
    return [DeviceOut(id=d.id, label=d.label, created_at=d.created_at, revoked_at=d.revoked_at) for d in rows]


def revoke_devices(*, session: Session, account_id: int) -> int:
    """手机丢了: every phone of the account stops making valid codes at once."""
    result = session.exec(update(PickupDevice).where(PickupDevice.account_id == account_id,
                                                     PickupDevice.revoked_at.is_(None)).values(revoked_at=utcnow()))
    session.commit()
    return result.rowcount


def _my_guardian_rows(session: Session, caller: Caller) -> list[Guardian]:
    return list(session.exec(select(Guardian).where(Guardian.id.in_(caller.actor.guardian_ids))).all())


def save_my_photo(*, session: Session, caller: Caller, data: bytes) -> MyPhotoOut:
    """The guardian's own photo, on their record at every school where they consented to photos (one record per
    school, as the schools know them); PHOTO_CONSENT_REQUIRED when at none."""
    allowed = set(guardians_with_photo_consent(session, caller.actor.guardian_ids))
    rows = [row for row in _my_guardian_rows(session, caller) if row.id in allowed]
    for row in rows:
        save_photo(session=session, owner=row, data=data)
    return MyPhotoOut(photo_url=photo_link(rows[0]) if rows else None)


def my_photo(*, session: Session, caller: Caller) -> MyPhotoOut:
    rows = [r for r in _my_guardian_rows(session, caller) if r.photo_path]
    return MyPhotoOut(photo_url=photo_link(rows[0]) if rows else None)


def delete_my_photo(*, session: Session, caller: Caller) -> None:
    for row in _my_guardian_rows(session, caller):
        delete_photo(session=session, owner=row)


def adult_photos(session: Session, guardian_ids: Iterable[int | None]) -> dict[int, str | None]:
    ids = {g for g in guardian_ids if g}
    if not ids:
        return {}
    return {g.id: photo_link(g) for g in session.exec(select(Guardian).where(Guardian.id.in_(ids))).all()}


@dataclass(frozen=True)
class ScannedAdult:
    account_id: int
    device_id: int
    issued_at: int
    age_seconds: int


def read_code(session: Session, code: str) -> ScannedAdult:
    """The account behind a valid, fresh code; PICKUP_CODE_INVALID / _REVOKED / _EXPIRED otherwise."""
    scanned = codes.parse(code)
    device = session.exec(select(PickupDevice.account_id, PickupDevice.salt, PickupDevice.revoked_at)
                          .where(PickupDevice.id == scanned.device_id)).first()
    now = int(utcnow().timestamp())
    codes.check(scanned, salt=device.salt if device else None, revoked=bool(device and device.revoked_at), now=now)
    return ScannedAdult(device.account_id, scanned.device_id, scanned.issued_at, max(0, now - scanned.issued_at))


# ---------- who may take whom ----------

@dataclass(frozen=True)
class Authority:
    """Why an adult relates to a child: as a guardian or as a delegate, and whether they may take them today."""

    student_id: int
    via: str                      # guardian | delegate
    name: str                     # the adult's name as the school has it
    relation: str
    phone: str
    allowed: bool
    reason: str | None = None
    guardian_id: int | None = None
    delegate_id: int | None = None
    authorised_by: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    school_id: int | None = None  # the school where the adult relates to the child


def _delegate_authority(row: PickupDelegate, granted_by: str, day: date) -> Authority:
    reason = None
    if row.revoked_at is not None:
        reason = "临时授权已被家长撤销"
    elif not row.starts_on <= day <= row.ends_on:
        reason = f"临时授权只在 {row.starts_on:%m-%d} 至 {row.ends_on:%m-%d}"
    return Authority(row.student_id, "delegate", row.name, row.relation, row.phone, reason is None, reason,
                     delegate_id=row.id, authorised_by=granted_by, valid_from=row.starts_on, valid_to=row.ends_on,
                     school_id=row.school_id)


def _granted_by(session: Session, delegates: Iterable[PickupDelegate]) -> dict[int, str]:
    """"妈妈（李娜）" for each delegate: the granting guardian's relation to the child and their name."""
    rows = list(delegates)
    if not rows:
        return {}
    found = {(student_id, guardian_id): (relation, name) for student_id, guardian_id, relation, name in session.exec(
        select(Guardianship.student_id, Guardianship.guardian_id, Guardianship.relation, Guardian.name)
        .join(Guardian, Guardian.id == Guardianship.guardian_id)
        .where(Guardianship.guardian_id.in_({r.granted_by_guardian_id for r in rows}))).all()}
    granted = {}
    for row in rows:
        relation, name = found.get((row.student_id, row.granted_by_guardian_id), ("家长", ""))
        granted[row.id] = f"{_call(relation)}（{name}）" if name else _call(relation)
    return granted


def _call(relation: str) -> str:
    """What a child calls the adult, as teachers say it ("由妈妈授权")."""
    return {"父亲": "爸爸", "母亲": "妈妈"}.get(relation, relation)


BLOCKED = "学校已登记：此人不得接走该学生"


def _apply_blocks(session: Session, authorities: list[Authority]) -> list[Authority]:
    """A block (禁止接送) naming the adult's phone overrides guardianship and delegation."""
    if not authorities:
        return authorities
    blocked = set(session.exec(select(PickupBlock.student_id, PickupBlock.phone).where(
        PickupBlock.student_id.in_({a.student_id for a in authorities}), PickupBlock.lifted_at.is_(None))).all())
    return [_blocked(a) if (a.student_id, a.phone) in blocked else a for a in authorities]


def _blocked(authority: Authority) -> Authority:
    return replace(authority, allowed=False, reason=BLOCKED)


def account_authorities(session: Session, account_id: int, school_ids: Iterable[int], day: date) -> list[Authority]:
    """Every child of these schools the account relates to, one Authority per child (the one that allows, if any).
    One statement for the account's guardianships and delegations, each with whether a block names its phone."""
    rows = session.connection().execute(_AUTHORITIES, {"account_id": account_id, "schools": sorted(set(school_ids))}
                                        ).all()
    found = [Authority(row.student_id, "guardian", row.name, row.relation, row.phone, bool(row.allowed),
                       None if row.allowed else "学校登记此家长不接送孩子", guardian_id=row.id, school_id=row.school_id)
             for row in rows if row.via == "guardian"]
    delegated = [row.id for row in rows if row.via == "delegate"]
    if delegated:  # seldom: read the delegations themselves, and who granted them
        delegates = session.exec(select(PickupDelegate).where(PickupDelegate.id.in_(delegated))).all()
        delegates.sort(key=lambda d: delegated.index(d.id))
        granted = _granted_by(session, delegates)
        found += [_delegate_authority(d, granted[d.id], day) for d in delegates]
    blocked = {(row.via, row.id) for row in rows if row.blocked}
    best: dict[int, Authority] = {}
    for authority in found:
        if (authority.via, authority.guardian_id or authority.delegate_id) in blocked:
            authority = _blocked(authority)
        current = best.get(authority.student_id)
        # An allowing authority wins; between equals, the guardian's, then the latest delegation.
        if current is None or (authority.allowed, authority.via == "guardian") > (current.allowed,
                                                                                 current.via == "guardian"):
            best[authority.student_id] = authority
    return [best[sid] for sid in sorted(best)]


def _names_blocked(student_id, phone):
    """Whether a block in force names this phone for this child."""
    return select(literal(1)).where(PickupBlock.student_id == student_id, PickupBlock.phone == phone,
                                    PickupBlock.lifted_at.is_(None)).exists()


_ACCOUNT = bindparam("account_id")
_SCHOOLS = bindparam("schools", expanding=True)
# Guardianships first: a UNION's columns take their types from its first SELECT.
_AUTHORITIES = union_all(
    select(literal_column("'guardian'").label("via"), Guardian.id, Guardianship.student_id, Guardianship.school_id,
           Guardian.name, Guardianship.relation, Guardian.phone, Guardianship.may_pick_up.label("allowed"),
           _names_blocked(Guardianship.student_id, Guardian.phone).label("blocked"))
    .join(Guardianship, Guardianship.guardian_id == Guardian.id)
    .where(Guardian.account_id == _ACCOUNT, Guardian.school_id.in_(_SCHOOLS)),
    select(literal_column("'delegate'"), PickupDelegate.id, PickupDelegate.student_id, PickupDelegate.school_id,
           null(), null(), null(), null(), _names_blocked(PickupDelegate.student_id, PickupDelegate.phone))
    .where(PickupDelegate.account_id == _ACCOUNT, PickupDelegate.school_id.in_(_SCHOOLS)),
)


def child_adults(session: Session, student: Student, day: date) -> list[Authority]:
    """Everyone who may (or may not) take the child today, for the manual fallback."""
    found = [Authority(student.id, "guardian", guardian.name, link.relation, guardian.phone, link.may_pick_up,
                       None if link.may_pick_up else "学校登记此家长不接送孩子", guardian_id=guardian.id)
             for guardian, link in session.exec(
                 select(Guardian, Guardianship).join(Guardianship, Guardianship.guardian_id == Guardian.id)
                 .where(Guardianship.student_id == student.id).order_by(Guardianship.id)).all()]
    delegates = session.exec(select(PickupDelegate).where(
        PickupDelegate.student_id == student.id, PickupDelegate.revoked_at.is_(None),
        PickupDelegate.ends_on >= day).order_by(PickupDelegate.starts_on)).all()
    granted = _granted_by(session, delegates)
    found += [_delegate_authority(d, granted[d.id], day) for d in delegates]
    return _apply_blocks(session, found)


# ---------- where each child is today ----------

@dataclass(frozen=True)
class ChildToday:
    student: Student
    school_class: SchoolClass
    place: Place
    end_time: str | None
    arrived: bool          # a teacher marked the child present (or late) today
    marked_away: bool      # marked absent or on leave: not at school
    handoff: Handoff | None
    late: LatePickup | None

    @property
    def in_care(self) -> bool:
        """At school today, waiting to be collected (or collected already)."""
        if self.marked_away and not self.arrived:
            return False
        return self.arrived or self.place.expected

    @property
    def where(self) -> str:
        if self.handoff is not None:
            return self.handoff.place or "已离校"
        if self.late is not None and self.late.stage == LateStage.WITH_GUARD:
            return GUARD_PLACE
        return self.place.label

    def status(self) -> tuple[str, str | None]:
        if self.handoff is not None:
            return "released", None
        if self.in_care:
            return "ready", None
        if self.place.kind == PlaceKind.LEAVE:
            return "on_leave", "今天请假"
        return "not_in_care", "今天不参加课后服务" if self.place.kind == PlaceKind.NOT_IN_CARE else "今天不在校"


def children_today(session: Session, school_id: int, day: date, student_ids: Iterable[int] | None = None,
                   served: Day | None = None) -> dict[int, ChildToday]:
    """Each child's day as pickup sees it: place, end time, marks, release and lateness. With no ids, every
    child in care today (or released, or marked present)."""
    if student_ids is not None and served is None:
        found = _children_at_the_gate(session, school_id, day, set(student_ids))
        if found is not None:
            return found
    if served is None:
        _, served = school_day(session, school_id, day)
    wanted = set(student_ids) if student_ids is not None else None
    places = expected_places(session, served, wanted) if served else {sid: Place(sid, PlaceKind.NOT_IN_CARE)
                                                                     for sid in wanted or ()}
    session_ids = [s.id for s in served.sessions] if served else []
    marks: dict[int, set[str]] = {}
    if session_ids:
        query = select(Attendance.student_id, Attendance.status).where(Attendance.session_id.in_(session_ids))
        if wanted is not None:
            query = query.where(Attendance.student_id.in_(wanted))
        for sid, status in session.exec(query).all():
            marks.setdefault(sid, set()).add(status)
    handoffs = _by_student(session, Handoff, school_id, day, wanted)
    lates = _by_student(session, LatePickup, school_id, day, wanted)
    ids = set(places) | set(handoffs) | {sid for sid, m in marks.items() if m & set(AttendanceStatus.ARRIVED)}
    if wanted is not None:
        ids &= wanted
    students = students_by_id(session, school_id, ids)
    classes = classes_by_id(session, (s.class_id for s in students.values()))
    end_times = timetable(served.plan, day).end_times if served else {}
    found = {}
    for sid, student in students.items():
        school_class = classes[student.class_id]
        mark = marks.get(sid, set())
        found[sid] = ChildToday(
            student=student, school_class=school_class, place=places.get(sid, Place(sid, PlaceKind.NOT_IN_CARE)),
            end_time=end_times.get(grade_band(school_class.grade)), arrived=bool(mark & set(AttendanceStatus.ARRIVED)),
            marked_away=bool(mark & {AttendanceStatus.ABSENT, AttendanceStatus.LEAVE}),
            handoff=handoffs.get(sid), late=lates.get(sid))
    return found


# ---------- the same, for a few children, in a few statements (the gate at 17:30: docs/benchmarks.md) ----------

@dataclass(frozen=True)
class _Calendar:
    """What the gate needs of a school's date: the term, the calendar's word on the day, the grades' end times."""

    term_id: int
    entry: ServiceDay
    end_times: dict[str, str]


# The calendar changes a few times a term and is the same for every scan of a dismissal, so the gate keeps a school's
# day for DAY_CACHE_SECONDS: a day cancelled (停课) or a plan republished reaches another process's gate that much
# later. Nothing else is kept: who may take whom, releases, leave, marks and places are read on every scan. A change
# to a term, plan, calendar or school written through this process forgets every kept day at once.
DAY_CACHE_SECONDS = 5.0
_calendars: dict[tuple[int, date], tuple[float, int, _Calendar | None]] = {}
_calendar_generation = [0]
_CALENDAR_MODELS = (Term, ServicePlan, CalendarChange, SchoolRules, School)


@event.listens_for(OrmSession, "after_flush")  # every session, SQLModel's or not
def _forget_calendars(session, _context) -> None:
    if any(isinstance(row, _CALENDAR_MODELS) for rows in (session.new, session.dirty, session.deleted) for row in rows):
        _calendar_generation[0] += 1


def _calendar(session: Session, school_id: int, day: date) -> _Calendar | None:
    """The school's day (None without a published plan), read at most every DAY_CACHE_SECONDS."""
    now, generation = time.monotonic(), _calendar_generation[0]
    kept = _calendars.get((school_id, day))
    if kept is not None and kept[0] > now and kept[1] == generation:
        return kept[2]
    in_force = _day_in_force(session, school_id, day)
    found = _Calendar(in_force[0].id, in_force[2], timetable(in_force[1], day).end_times) if in_force else None
    if len(_calendars) > 1000:
        _calendars.clear()
    _calendars[(school_id, day)] = (now + DAY_CACHE_SECONDS, generation, found)
    return found


def _day_in_force(session: Session, school_id: int, day: date) -> tuple[Term, ServicePlan, ServiceDay] | None:
    """`day_in_force` in one statement: the term covering the day, its published plan and the day's change."""
    found = session.exec(_DAY_IN_FORCE, params={"school_id": school_id, "day": day}).first()
    if found is None or found[1] is None:
        return None
    term, plan, change = found
    # The school's rules decide only whether a weekend make-up day (调休) is served: read them only then.
    rules = school_rules(session, school_id) if day.isoweekday() > 5 else None
    return term, plan, classify(day, plan, rules, change)


_DAY_IN_FORCE = (
    select(Term, ServicePlan, CalendarChange)
    .outerjoin(ServicePlan, (ServicePlan.term_id == Term.id) & (ServicePlan.status == PlanStatus.PUBLISHED))
    .outerjoin(CalendarChange, (CalendarChange.term_id == Term.id) & (CalendarChange.day == bindparam("day")))
    .where(Term.school_id == bindparam("school_id"), Term.starts_on <= bindparam("day"),
           Term.ends_on >= bindparam("day")).limit(1))


def _children_at_the_gate(session: Session, school_id: int, day: date, wanted: set[int]
                          ) -> dict[int, ChildToday] | None:
    """`children_today` for the children named, as the gate asks for them: one statement for the day and one for
    the children, their place, release and lateness; clubs, leave and marks only for a child who has one. None when
    the day's sessions are still to be made (the first look at a served day): `children_today` makes them."""
    if not wanted:
        return {}
    calendar = _calendar(session, school_id, day)
    entry = calendar.entry if calendar and calendar.entry.served else None
    rows = session.exec(_CHILDREN, params={"school_id": school_id, "day": day, "wanted": list(wanted),
                                           "term_id": calendar.term_id if entry else None}).all()
    if entry is None:
        return {row.Student.id: ChildToday(
            student=row.Student, school_class=row.SchoolClass, place=Place(row.Student.id, PlaceKind.NOT_IN_CARE),
            end_time=None, arrived=False, marked_away=False, handoff=row.Handoff, late=row.LatePickup) for row in rows}
    weekday = entry.runs_as_weekday
    in_care = {row.Student.id for row in rows if row.weekdays is not None and row.Student.is_active
               and weekday in row.weekdays and (row.leaves_on is None or day < row.leaves_on)}
    if any(row.group_id is not None and row.group_session_id is None for row in rows if row.Student.id in in_care):
        return None
    club_of: dict[int, tuple[int, str]] = {}
    for student_id, weekdays, is_active, name, session_id in session.exec(_CLUBS, params={
            "term_id": calendar.term_id, "day": day, "wanted": [r.Student.id for r in rows if r.in_a_club and
                                                              r.Student.id in in_care]}).all() \
            if any(r.in_a_club for r in rows if r.Student.id in in_care) else ():
        if is_active and weekday in weekdays:
            if session_id is None:
                return None
            club_of[student_id] = (session_id, name)
    leaves = _leaves_on(session, school_id, day, {r.Student.id for r in rows if r.on_leave_list} & in_care)
    marks: dict[int, set[str]] = {}
    if any(r.marked for r in rows):
        for sid, status in session.exec(_MARKS, params={"school_id": school_id, "day": day, "term_id": calendar.term_id,
                                                        "wanted": [r.Student.id for r in rows if r.marked]}).all():
            marks.setdefault(sid, set()).add(status)
    end_times = calendar.end_times
    found = {}
    for row in rows:
        sid = row.Student.id
        mark = marks.get(sid, set())
        found[sid] = ChildToday(
            student=row.Student, school_class=row.SchoolClass, place=_place(row, sid in in_care, club_of.get(sid),
                                                                             leaves.get(sid)),
            end_time=end_times.get(grade_band(row.SchoolClass.grade)), arrived=bool(mark & set(AttendanceStatus.ARRIVED)),
            marked_away=bool(mark & {AttendanceStatus.ABSENT, AttendanceStatus.LEAVE}), handoff=row.Handoff,
            late=row.LatePickup)
    return found


def _place(row, in_care: bool, club: tuple[int, str] | None, leave: LeaveRequest | None) -> Place:
    """What `expected_places` says of one child, from the gate's row."""
    sid = row.Student.id
    if not in_care:
        return Place(sid, PlaceKind.NOT_IN_CARE)
    if club is not None:
        target = (SessionKind.CLUB, *club)
    elif row.group_id is not None:
        target = (SessionKind.CARE_GROUP, row.group_session_id, row.group_name)
    else:
        target = None
    info = {"usual_session_id": target[1] if target else None}
    if leave is not None:
        info.update(leave_id=leave.id, leave_kind=leave.kind, leave_pending=leave.status == LeaveStatus.SUBMITTED,
                    early_pickup_time=leave.early_pickup_time)
        if leave.kind != LeaveKind.EARLY_PICKUP and leave.status in LeaveStatus.IN_FORCE:
            return Place(sid, PlaceKind.LEAVE, **info)
    if target is None:
        return Place(sid, PlaceKind.UNPLACED, **info)
    kind, session_id, name = target
    return Place(sid, kind, session_id=session_id, name=name, **info)


def _exists_for_child(*where) -> object:
    return select(literal(1)).where(*where).exists()


_WANTED = bindparam("wanted", expanding=True)
_GROUP_SESSION = aliased(ServiceSession)
# Each child named, of this school: class, approved application, care group (with its session today), release,
# lateness, and whether there is anything more to read (a club, leave, a mark today).
_CHILDREN = (
    select(Student, SchoolClass, Application.weekdays, Application.leaves_on, CareGroup.id.label("group_id"),
           CareGroup.name.label("group_name"), _GROUP_SESSION.id.label("group_session_id"), Handoff, LatePickup,
           _exists_for_child(ClubEnrollment.student_id == Student.id, ClubEnrollment.term_id == bindparam("term_id"),
                             ClubEnrollment.status == EnrollmentStatus.ENROLLED).label("in_a_club"),
           _exists_for_child(LeaveDay.student_id == Student.id, LeaveDay.day == bindparam("day"),
                             LeaveDay.school_id == bindparam("school_id")).label("on_leave_list"),
           _exists_for_child(Attendance.student_id == Student.id, Attendance.school_id == bindparam("school_id"),
                             ServiceSession.id == Attendance.session_id, ServiceSession.day == bindparam("day")
                             ).label("marked"))
    .join(SchoolClass, SchoolClass.id == Student.class_id)
    .outerjoin(Application, (Application.student_id == Student.id) & (Application.term_id == bindparam("term_id"))
               & (Application.status == AppStatus.APPROVED))
    .outerjoin(CareGroupMember, (CareGroupMember.student_id == Student.id)
               & (CareGroupMember.term_id == bindparam("term_id")))
    .outerjoin(CareGroup, (CareGroup.id == CareGroupMember.group_id) & (CareGroup.term_id == bindparam("term_id")))
    .outerjoin(_GROUP_SESSION, (_GROUP_SESSION.care_group_id == CareGroup.id) & (_GROUP_SESSION.day == bindparam("day")))
    .outerjoin(Handoff, (Handoff.student_id == Student.id) & (Handoff.day == bindparam("day"))
               & (Handoff.school_id == bindparam("school_id")))
    .outerjoin(LatePickup, (LatePickup.student_id == Student.id) & (LatePickup.day == bindparam("day"))
               & (LatePickup.school_id == bindparam("school_id")))
    .where(Student.school_id == bindparam("school_id"), Student.id.in_(_WANTED)))
_CLUBS = (select(ClubEnrollment.student_id, Club.weekdays, Club.is_active, Club.name, ServiceSession.id)
          .join(Club, (Club.id == ClubEnrollment.club_id) & (Club.term_id == bindparam("term_id")))
          .outerjoin(ServiceSession, (ServiceSession.club_id == Club.id) & (ServiceSession.day == bindparam("day")))
          .where(ClubEnrollment.term_id == bindparam("term_id"), ClubEnrollment.status == EnrollmentStatus.ENROLLED,
                 ClubEnrollment.student_id.in_(_WANTED)))
# Marks in today's sessions of the term's groups and clubs (a session whose group was deleted left the day).
_MARKS = (select(Attendance.student_id, Attendance.status)
          .join(ServiceSession, ServiceSession.id == Attendance.session_id)
          .where(ServiceSession.school_id == bindparam("school_id"), ServiceSession.day == bindparam("day"),
                 ServiceSession.term_id == bindparam("term_id"), Attendance.student_id.in_(_WANTED),
                 or_(ServiceSession.care_group_id.in_(select(CareGroup.id).where(
                     CareGroup.term_id == bindparam("term_id"))), ServiceSession.club_id.in_(select(Club.id).where(
                         Club.term_id == bindparam("term_id"), Club.is_active == True)))))  # noqa: E712


def _by_student(session: Session, model, school_id: int, day: date, wanted: set[int] | None) -> dict:
    query = select(model).where(model.school_id == school_id, model.day == day)
    if wanted is not None:
        query = query.where(model.student_id.in_(wanted))
    return {row.student_id: row for row in session.exec(query).all()}


def release_out(row: Handoff, student_name: str) -> ReleaseOut:
    at = hhmm(row.released_at)
    who = f"{_call(row.relation)}（{row.adult_name}）" if row.relation else row.adult_name
    summary = (f"{at} 自行回家，{row.released_by_name}确认" if row.method == HandoffMethod.WALK_HOME
               else f"已由 {who} {at} 接走，{row.released_by_name}确认")
    return ReleaseOut(student_id=row.student_id, student_name=student_name, method=row.method,
                      method_label=HandoffMethod.LABELS[row.method], adult_name=row.adult_name, relation=row.relation,
                      released_at=row.released_at, released_time=at, released_by=row.released_by_name,
                      place=row.place, note=row.note, summary=summary)


def _child_status(child: ChildToday, authority: Authority | None) -> tuple[str, str | None]:
    status, reason = child.status()
    if status == "ready" and authority is not None and not authority.allowed:
        return "not_authorised", authority.reason
    return status, reason


def child_out(child: ChildToday, authority: Authority) -> ChildOut:
    status, reason = _child_status(child, authority)
    return ChildOut(student_id=child.student.id, school_id=child.student.school_id, name=child.student.name,
                    class_name=child.school_class.name,
                    grade=child.school_class.grade, photo_url=photo_link(child.student), relation=authority.relation,
                    via=authority.via, authorised_by=authority.authorised_by, place=child.where,
                    end_time=child.end_time, status=status, status_label=STATUS_LABELS[status], reason=reason,
                    late=child.late.stage if child.late and not child.handoff else None,
                    released=release_out(child.handoff, child.student.name) if child.handoff else None)


# ---------- verify ----------

def _adult_out(session: Session, authorities: list[Authority]) -> AdultOut:
    guardian = next((a for a in authorities if a.via == "guardian"), None)
    first = guardian or (authorities[0] if authorities else None)
    if first is None:
        # Not an adult of this school: nothing about them is told (the code is worthless to other schools).
        return AdultOut(kind="guardian", name="", relation="")
    return AdultOut(kind=first.via, name=first.name, relation=first.relation,
                    photo_url=adult_photos(session, [first.guardian_id]).get(first.guardian_id),
                    authorised_by=first.authorised_by, valid_to=first.valid_to)


def verify(*, session: Session, caller: Caller, code: str) -> VerifyOut:
    """Who the code's adult is, and each child of the caller's school they relate to. Changes nothing."""
    adult = read_code(session, code)
    day = today()
    authorities = account_authorities(session, adult.account_id, caller.school_ids, day)
    children: list[ChildOut] = []
    for school_id in sorted({a.school_id for a in authorities}):
        mine = [a for a in authorities if a.school_id == school_id]
        today_ = children_today(session, school_id, day, [a.student_id for a in mine])
        children += [child_out(today_[a.student_id], a) for a in mine if a.student_id in today_]
    return VerifyOut(adult=_adult_out(session, authorities), children=children,
                     code_age_seconds=adult.age_seconds)


# ---------- release ----------

class PickupRefused(Conflict):
    code, message = "PICKUP_REFUSED", "有孩子不能交给此人，本次没有交接任何孩子"


def _refusal(problems: list[dict]) -> PickupRefused:
    return PickupRefused(extra={"errors": problems})


def _problem(child: ChildToday | None, student_id: int, code: str, message: str) -> dict:
    return {"student_id": student_id, "name": child.student.name if child else None, "code": code,
            "message": message}


REFUSAL_CODES = {"released": "CHILD_ALREADY_RELEASED", "on_leave": "CHILD_ON_LEAVE",
                 "not_in_care": "CHILD_NOT_IN_CARE", "not_authorised": "NOT_AUTHORISED_FOR_CHILD"}


def _check_ready(children: dict[int, ChildToday], wanted: list[int], authority_of: Callable[[int], Authority | None]
                 ) -> None:
    problems = []
    for sid in wanted:
        child = children.get(sid)
        authority = authority_of(sid)
        if child is None or authority is None:
            problems.append(_problem(child, sid, "NOT_AUTHORISED_FOR_CHILD", "此人不是该学生的家长或被授权人"))
            continue
        status, reason = _child_status(child, authority)
        if status == "released":
            problems.append(_problem(child, sid, REFUSAL_CODES[status], release_out(child.handoff, child.student.name)
                                     .summary))
        elif status != "ready":
            problems.append(_problem(child, sid, REFUSAL_CODES[status], reason or STATUS_LABELS[status]))
    if problems:
        raise _refusal(problems)


@dataclass(frozen=True)
class Releaser:
    school_id: int
    staff_id: int
    name: str


def _releaser(caller: Caller, school_id: int) -> Releaser:
    staff_id = caller.actor.staff_id(school_id)
    if staff_id is None or school_id not in caller.school_ids:
        raise Forbidden()
    return Releaser(school_id, staff_id, caller.actor.staff_names[school_id])  # read with the caller


_insert_handoff = InsertOnce(Handoff, "student_id", "day")
_use_code = InsertOnce(PickupCodeUse, "device_id", "issued_at")


def _release(session: Session, by: Releaser, day: date, children: dict[int, ChildToday], method: str,
             adult_of: Callable[[int], Authority | None], note: str | None, device_id: int | None = None
             ) -> list[ReleaseOut]:
    """Write one Handoff per child, all or none: a child someone else released a moment ago refuses the batch
    (the unique (child, day) row decides, also between two teachers at the same instant). Not committed."""
    now = utcnow()
    rows = []
    for sid, child in children.items():
        adult = adult_of(sid)
        rows.append(dict(school_id=by.school_id, student_id=sid, day=day, method=method,
                         guardian_id=adult.guardian_id if adult else None,
                         delegate_id=adult.delegate_id if adult else None,
                         adult_name=adult.name if adult else child.student.name,
                         relation=adult.relation if adult else "", released_by_staff_id=by.staff_id,
                         released_by_name=by.name, session_id=child.place.usual_session_id,
                         place=child.where, note=note, device_id=device_id, released_at=now))
    # All the children in one statement; the first one already taken refuses the batch.
    inserted = {row.student_id for row in _insert_handoff.many(session, rows, "student_id")}
    for values in rows:
        sid = values["student_id"]
        if sid not in inserted:
            session.rollback()
            taken = session.exec(select(Handoff).where(Handoff.student_id == sid, Handoff.day == day)).one()
            session.rollback()
            raise _refusal([_problem(children[sid], sid, "CHILD_ALREADY_RELEASED",
                                     release_out(taken, children[sid].student.name).summary)])
    released = [release_out(Handoff(id=None, **values), children[values["student_id"]].student.name)
                for values in rows]
    _tell_guardians(session, by.school_id, day, released)
    return released


def _tell_guardians(session: Session, school_id: int, day: date, released: list[ReleaseOut]) -> None:
    """PICKED_UP to the guardians of every child released, once per child, day and guardian."""
    notify_guardians_of_many(session, school_id=school_id, event=PICKED_UP.key, data_of={
        out.student_id: {"student_name": out.student_name, "adult_name": out.adult_name,
                         "relation": out.relation or HandoffMethod.LABELS[out.method], "time": out.released_time,
                         "teacher_name": out.released_by, "summary": out.summary} for out in released},
        key_of=lambda student_id: f"picked_up:{student_id}:{day}")


def release_by_code(*, session: Session, caller: Caller, code: str, student_ids: list[int], note: str | None,
                    on_answer: Callable[[HandoffsOut], None] | None = None) -> HandoffsOut:
    """Hand the children to the adult whose code was scanned, all or none; the code is used up."""
    adult = read_code(session, code)
    day = today()
    wanted = list(dict.fromkeys(student_ids))
    students = {s.id: s for s in session.exec(select(Student.id, Student.school_id).where(Student.id.in_(wanted)))
                .all()}
    school_ids = {s.school_id for s in students.values()} & caller.school_ids
    if len(school_ids) != 1 or len(students) != len(wanted) or any(
            s.school_id not in caller.school_ids for s in students.values()):
        raise _refusal([_problem(None, sid, "NOT_AUTHORISED_FOR_CHILD", "此人不是该学生的家长或被授权人")
                        for sid in wanted if sid not in students or students[sid].school_id not in caller.school_ids]
                       or [{"student_id": None, "code": "MIXED_SCHOOLS", "message": "一次只能交接同一所学校的孩子"}])
    school_id = school_ids.pop()
    authorities = {a.student_id: a for a in account_authorities(session, adult.account_id, [school_id], day)}
    children = children_today(session, school_id, day, wanted)
    _check_ready(children, wanted, authorities.get)
    by = _releaser(caller, school_id)
    if not _use_code(session, {"device_id": adult.device_id, "issued_at": adult.issued_at, "used_at": utcnow()}):
        session.rollback()
        raise AppError("PICKUP_CODE_USED", "这个接送码已经用过，请家长等新码出现后再扫", status_code=409)
    released = HandoffsOut(released=_release(session, by, day, {sid: children[sid] for sid in wanted},
                                             HandoffMethod.QR, authorities.get, note, adult.device_id))
    if on_answer is not None:
        on_answer(released)
    session.commit()
    return released


def release_manually(*, session: Session, caller: Caller, student: Student, guardian_id: int | None,
                     delegate_id: int | None, note: str) -> ReleaseOut:
    """A release without a code (no phone, dead battery): the teacher checked the adult against the photos."""
    if not note.strip():
        raise AppError("NOTE_REQUIRED", "人工交接须写明核对情况", fields={"note": "请写明如何核对了接孩子的人"})
    day = today()
    adult = next((a for a in child_adults(session, student, day)
                  if (guardian_id and a.guardian_id == guardian_id) or (delegate_id and a.delegate_id == delegate_id)),
                 None)
    children = children_today(session, student.school_id, day, [student.id])
    _check_ready(children, [student.id], lambda _: adult)
    by = _releaser(caller, student.school_id)
    released = _release(session, by, day, children, HandoffMethod.MANUAL, lambda _: adult, note.strip())
    session.commit()
    return released[0]


def pickup_adults(*, session: Session, student: Student, shown: Disclosure) -> ChildAdultsOut:
    """The child's adults for the manual fallback; phones as `shown` lets the caller read them (masked, the last
    four digits still let the teacher ask the adult at the gate)."""
    day = today()
    adults = child_adults(session, student, day)
    child = children_today(session, student.school_id, day, [student.id])[student.id]
    allowed = next((a for a in adults if a.allowed), None) or (adults[0] if adults else None)
    placeholder = allowed or Authority(student.id, "guardian", "", "", "", False, "没有登记可接送的大人")
    photos = adult_photos(session, (a.guardian_id for a in adults))
    return ChildAdultsOut(child=child_out(child, placeholder), adults=[PickupAdultOut(
        kind=a.via, guardian_id=a.guardian_id, delegate_id=a.delegate_id, name=a.name, relation=a.relation,
        phone=shown.phone(a.phone, student_id=student.id, class_id=student.class_id, guardian_id=a.guardian_id),
        photo_url=photos.get(a.guardian_id), allowed=a.allowed, reason=a.reason, authorised_by=a.authorised_by,
        valid_from=a.valid_from,
        valid_to=a.valid_to) for a in adults])


def handoffs_of_day(*, session: Session, school_ids: frozenset[int], day: date, method: str | None
                    ) -> list[ReleaseOut]:
    query = select(Handoff, Student.name).join(Student, Student.id == Handoff.student_id).where(
        Handoff.school_id.in_(school_ids), Handoff.day == day)
    if method:
        query = query.where(Handoff.method == method)
    return [release_out(row, name) for row, name in session.exec(query.order_by(Handoff.released_at.desc())).all()]


# ---------- walk home (自行回家) ----------

def _walkers(session: Session, school_id: int, day: date, served: Day | None) -> dict[int, str]:
    """Children whose approved application says they go home alone, with the guardian's statement."""
    if served is None:
        return {}
    return {sid: statement for sid, statement in session.exec(
        select(Application.student_id, Application.self_statement).where(
            Application.term_id == served.term.id, Application.status == AppStatus.APPROVED,
            Application.pickup_mode == "self")).all() if statement and statement.strip()}


def _may_leave(child: ChildToday, now: datetime) -> bool:
    return child.end_time is not None and hhmm(now) >= child.end_time


def walk_home_list(*, session: Session, school_id: int, day: date) -> list[WalkHomeChildOut]:
    _, served = school_day(session, school_id, day)
    walkers = _walkers(session, school_id, day, served)
    children = children_today(session, school_id, day, walkers, served) if walkers else {}
    now = utcnow()
    return [WalkHomeChildOut(student_id=sid, name=c.student.name, class_name=c.school_class.name,
                             photo_url=photo_link(c.student), place=c.where, end_time=c.end_time,
                             statement=walkers[sid], may_leave_now=day == today() and _may_leave(c, now),
                             released=release_out(c.handoff, c.student.name) if c.handoff else None)
            for sid, c in sorted(children.items(), key=lambda kv: (kv[1].school_class.grade, kv[1].school_class.number,
                                                                    kv[1].student.name)) if c.in_care or c.handoff]


def release_walking_home(*, session: Session, caller: Caller, school_id: int, student_ids: list[int]
                         ) -> list[ReleaseOut]:
    """Children whose guardian signed a statement go home alone at their grade's end time, all or none."""
    day = today()
    _, served = school_day(session, school_id, day)
    walkers = _walkers(session, school_id, day, served)
    wanted = list(dict.fromkeys(student_ids))
    children = children_today(session, school_id, day, wanted, served)
    now = utcnow()
    problems = []
    for sid in wanted:
        child = children.get(sid)
        status, reason = child.status() if child else ("not_in_care", "未找到该学生")
        if child is None or sid not in walkers:
            problems.append(_problem(child, sid, "WALK_HOME_NOT_ALLOWED", "家长没有签署自行回家的情况说明，不能自行离校"))
        elif status != "ready":
            problems.append(_problem(child, sid, REFUSAL_CODES[status], release_out(child.handoff, child.student.name)
                                     .summary if child.handoff else reason or STATUS_LABELS[status]))
        elif not _may_leave(child, now):
            problems.append(_problem(child, sid, "WALK_HOME_TOO_EARLY", f"{child.end_time} 放学后才能自行回家"))
    if problems:
        raise _refusal(problems)
    by = _releaser(caller, school_id)
    released = _release(session, by, day, {sid: children[sid] for sid in wanted}, HandoffMethod.WALK_HOME,
                        lambda _: None, None)
    session.commit()
    return released


# ---------- the guardian's view of today ----------

def my_children_today(*, session: Session, account_id: int) -> list[TodayChildOut]:
    """Each child this account may collect (as guardian or delegate), with today's status, in every school."""
    day = today()
    school_ids = set(session.exec(select(Guardian.school_id).where(Guardian.account_id == account_id)).all()) | set(
        session.exec(select(PickupDelegate.school_id).where(PickupDelegate.account_id == account_id)).all())
    out = []
    for school_id in sorted(school_ids):
        school_name = session.get(School, school_id).name
        authorities = [a for a in account_authorities(session, account_id, [school_id], day)
                       if a.via == "guardian" or a.allowed]
        children = children_today(session, school_id, day, [a.student_id for a in authorities])
        for a in authorities:
            c = children.get(a.student_id)
            if c is None:
                continue
            status, reason = _child_status(c, a)
            out.append(TodayChildOut(student_id=c.student.id, name=c.student.name, school_name=school_name,
                                     class_name=c.school_class.name, via=a.via, status=status,
                                     status_label=STATUS_LABELS[status], reason=reason, place=c.where,
                                     end_time=c.end_time, late=c.late.stage if c.late and not c.handoff else None,
                                     released=release_out(c.handoff, c.student.name) if c.handoff else None))
    return out


# ---------- delegates ----------

def _invite_hash(invite_code: str) -> str:
    return hashlib.sha256(invite_code.strip().upper().encode()).hexdigest()


def _delegate_out(session: Session, row: PickupDelegate, invite_code: str | None = None,
                  granted_by: dict[int, str] | None = None) -> DelegateOut:
    """`granted_by` when the caller read who granted many delegations at once (`_granted_by`)."""
    student = session.get(Student, row.student_id)  # the child and school come from the identity map after once
    if row.revoked_at is not None:
        status = "revoked"
    elif row.ends_on < today():
        status = "expired"
    else:
        status = "accepted" if row.account_id else "invited"
    labels = {"invited": "待对方确认", "accepted": "已生效", "revoked": "已撤销", "expired": "已过期"}
    return DelegateOut(id=row.id, student_id=row.student_id, student_name=student.name,
                       school_name=session.get(School, row.school_id).name, name=row.name, phone=row.phone,
                       relation=row.relation, from_=row.starts_on, to=row.ends_on,
                       granted_by=(granted_by or _granted_by(session, [row]))[row.id], status=status,
                       status_label=labels[status],
                       invite_code=invite_code,
                       invite_path=f"pages/delegate-accept/index?code={invite_code}" if invite_code else None)


def guardian_link(session: Session, caller: Caller, student_id: int) -> Guardianship:
    """The caller's guardianship of this child; 404 for anyone else's child."""
    link = session.exec(select(Guardianship).where(Guardianship.student_id == student_id,
                                                   Guardianship.guardian_id.in_(caller.actor.guardian_ids))).first()
    if link is None:
        raise NotFound("STUDENT_NOT_FOUND", "未找到该学生")
    return link


def create_delegate(*, session: Session, caller: Caller, data: DelegateIn) -> DelegateOut:
    link = guardian_link(session, caller, data.student_id)
    if data.from_ < today():
        raise AppError("DELEGATE_DATES_INVALID", "开始日期不能早于今天", fields={"from": "开始日期不能早于今天"})
    invite_code = secrets.token_urlsafe(9).upper().replace("-", "2").replace("_", "3")
    row = PickupDelegate(school_id=link.school_id, student_id=data.student_id, name=data.name.strip(),
                         phone=data.phone, relation=data.relation.strip(), starts_on=data.from_, ends_on=data.to,
                         granted_by_guardian_id=link.guardian_id, invite_hash=_invite_hash(invite_code))
    session.add(row)
    session.commit()
    return _delegate_out(session, row, invite_code)


def list_delegates(*, session: Session, caller: Caller, student_id: int) -> list[DelegateOut]:
    guardian_link(session, caller, student_id)
    rows = session.exec(select(PickupDelegate).where(PickupDelegate.student_id == student_id)
                        .order_by(PickupDelegate.id.desc())).all()
    granted_by = _granted_by(session, rows)
    return [_delegate_out(session, row, granted_by=granted_by) for row in rows]


def revoke_delegate(*, session: Session, caller: Caller, delegate_id: int) -> DelegateOut:
    """A guardian of the child (or an admin of the school) withdraws a delegation at once."""
    row = session.get(PickupDelegate, delegate_id)
    if row is None or not (row.school_id in caller.school_ids
                           or (caller.as_guardian and is_guardian_of(session, caller.actor, row.student_id))):
        raise NotFound("DELEGATE_NOT_FOUND", "未找到该临时授权")
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by = utcnow(), caller.account_id
        session.add(row)
        session.commit()
    return _delegate_out(session, row)


def accept_delegation(*, session: Session, account_id: int, data: DelegateAcceptIn) -> DelegateOut:
    """The delegate binds the invitation to their own WeChat account, once, with the phone the guardian gave."""
    row = session.exec(select(PickupDelegate).where(PickupDelegate.invite_hash == _invite_hash(data.invite_code))
                       ).first()
    if row is None or row.phone != data.phone:
        raise NotFound("DELEGATE_INVITE_INVALID", "邀请码或手机号不对，请向孩子家长确认")
    if row.revoked_at is not None or row.ends_on < today():
        raise AppError("DELEGATE_INVITE_CLOSED", "这份临时授权已撤销或已过期", status_code=409)
    if row.account_id not in (None, account_id):
        raise AppError("DELEGATE_INVITE_USED", "这份邀请已被其他微信账号使用", status_code=409)
    if row.account_id is None:
        row.account_id, row.accepted_at = account_id, utcnow()
        session.add(row)
        session.commit()
    return _delegate_out(session, row)


def my_delegations(*, session: Session, account_id: int) -> list[DelegateOut]:
    rows = session.exec(select(PickupDelegate).where(PickupDelegate.account_id == account_id)
                        .order_by(PickupDelegate.starts_on.desc())).all()
    return [_delegate_out(session, row) for row in rows]


# ---------- blocks (禁止接送) ----------

def _block_out(row: PickupBlock, student_name: str) -> BlockOut:
    return BlockOut(id=row.id, student_id=row.student_id, student_name=student_name, name=row.name, phone=row.phone,
                    reason=row.reason, created_at=row.created_at, lifted_at=row.lifted_at)


def create_block(*, session: Session, caller: Caller, student: Student, data: BlockIn) -> BlockOut:
    row = PickupBlock(school_id=student.school_id, student_id=student.id, name=data.name.strip(), phone=data.phone,
                      reason=data.reason.strip(), created_by=caller.account_id)
    session.add(row)
    session.commit()
    return _block_out(row, student.name)


def list_blocks(*, session: Session, school_ids: frozenset[int], student_id: int | None) -> list[BlockOut]:
    query = select(PickupBlock, Student.name).join(Student, Student.id == PickupBlock.student_id).where(
        PickupBlock.school_id.in_(school_ids), PickupBlock.lifted_at.is_(None))
    if student_id:
        query = query.where(PickupBlock.student_id == student_id)
    return [_block_out(row, name) for row, name in session.exec(query.order_by(PickupBlock.id)).all()]


def lift_block(*, session: Session, caller: Caller, block_id: int) -> BlockOut:
    row = session.get(PickupBlock, block_id)
    if row is None or row.school_id not in caller.school_ids:
        raise NotFound("BLOCK_NOT_FOUND", "未找到该禁止接送记录")
    if row.lifted_at is None:
        row.lifted_at, row.lifted_by = utcnow(), caller.account_id
        session.add(row)
        session.commit()
    return _block_out(row, session.get(Student, row.student_id).name)
