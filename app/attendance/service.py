"""A service day as the teachers live it: their sessions, the class head's handover, roll call and absence alerts.

Where each child should be comes from `app/attendance/places.py`; this module reads and marks against it.
Who may see a session: its own teachers, the school's admins and duty leaders (whole roster), and a class
head for the rows of their own class. Who may mark: the session's teachers, admins and duty leaders.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.attendance.models import (
    AbsenceAlert, Attendance, AttendanceStatus, Handover, ServiceSession, SessionKind,
)
from app.audit.service import record_access
from app.attendance.places import Day, Place, PlaceKind, expected_places, served_day, session_staff_ids
from app.attendance.schemas import (
    ChildAttendanceOut, ChildDayOut, ChildHandoverOut, ChildPlaceOut, HandoverIn, HandoverOut, HandoverRow, LeaveOut,
    MarkIn, RosterOut, RosterRow, SavedHandover, SchoolDayOut, SessionOut, SessionsOut, TeacherOut,
)
from app.auth.models import Account
from app.calendar.schemas import DayOut
from app.calendar.service import day_in_force, day_out
from app.caregroups.models import CareGroupMember
from app.core.clock import school_moment, school_time, today, utcnow
from app.core.config import get_settings
from app.core.deps import Caller
from app.core.errors import AppError, Forbidden, NotFound
from app.duty.on_duty import duty_staff_ids
from app.leave.models import LeaveKind
from app.notify.events import EventType, register
from app.notify.service import enqueue, notify_guardians, notify_guardians_of_many
from app.notify.worker import PeriodicJob, register_periodic
from app.people.models import Staff, Student
from app.people.photos import photo_link
from app.people.service import staff_accounts, staff_names
from app.reports.models import forget_figures
from app.schools.models import School, SchoolClass, Term
from app.schools.service import school_rules

# Staff-side counterparts of the guardians' `absent`: inbox text for the people who go and look.
ABSENCE_ALERT = register(EventType(
    "absence_alert", "托管未到：{student_name}", "{student_name}（{class_name}）今天应到{place}，{time} 仍未到，也没有请假。",
    {"thing1": "{student_name}", "time2": "{time}", "thing3": "{place}"}))
HANDOVER_MISSING = register(EventType(
    "handover_missing", "交接未到：{student_name}",
    "{class_name}交接时{student_name}未到（{time}，{head_name}确认）。今天应到{place}，没有请假，请留意。",
    {"thing1": "{student_name}", "time2": "{time}", "thing3": "{place}"}))

SCHOOL_WIDE = ("admin", "duty_leader")
UNMARKED = "unmarked"
NO_PLAN = "no_plan"
KIND_LABELS = {SessionKind.CARE_GROUP: "看护班", SessionKind.CLUB: "社团"}


# ---------- small readers ----------

def _zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def hhmm(at: datetime) -> str:
    return school_time(at).strftime("%H:%M")


def session_starts(row: ServiceSession) -> datetime:
    """When the session starts, in UTC (its times are school-local)."""
    return school_moment(row.day, row.starts_at)


def _marker_names(session: Session, school_id: int, account_ids: Iterable[int]) -> dict[int, str]:
    """Who marked, by the name the school knows them by (their account's name otherwise)."""
    ids = set(account_ids)
    if not ids:
        return {}
    names = dict(session.exec(select(Account.id, Account.display_name).where(Account.id.in_(ids))).all())
    names.update(session.exec(select(Staff.account_id, Staff.name).where(Staff.school_id == school_id,
                                                                         Staff.account_id.in_(ids))).all())
    return names


def classes_by_id(session: Session, class_ids: Iterable[int]) -> dict[int, SchoolClass]:
    ids = set(class_ids)
    return {c.id: c for c in session.exec(select(SchoolClass).where(SchoolClass.id.in_(ids))).all()} if ids else {}


def students_by_id(session: Session, school_id: int, student_ids: Iterable[int]) -> dict[int, Student]:
    ids = set(student_ids)
    if not ids:
        return {}
    return {s.id: s for s in session.exec(select(Student).where(Student.school_id == school_id,
                                                                Student.id.in_(ids))).all()}


def _excused(place: Place) -> bool:
    """A guardian already said the child will not come (leave in force or still pending): no one is alarmed.
    Early pickup is not an excuse: the child comes, and leaves early."""
    return place.leave_id is not None and place.leave_kind != LeaveKind.EARLY_PICKUP


def _leave_out(place: Place) -> LeaveOut | None:
    if place.leave_id is None:
        return None
    kind_label = LeaveKind.LABELS.get(place.leave_kind or "", "请假")
    label = kind_label + (f" {place.early_pickup_time}" if place.early_pickup_time else "") \
        + ("（待班主任处理）" if place.leave_pending else "")
    return LeaveOut(leave_id=place.leave_id, kind=place.leave_kind or "", kind_label=kind_label,
                    pending=place.leave_pending, early_pickup_time=place.early_pickup_time, label=label)


def _where(row: ServiceSession) -> str:
    return f"「{row.name}」社团" if row.kind == SessionKind.CLUB else f"看护班「{row.name}」"


def school_day(session: Session, school_id: int, day: date) -> tuple[DayOut, Day | None]:
    """The calendar's word on the date, and the day's sessions when it is served."""
    found = day_in_force(session, school_id, day)
    if found is None:
        weekday = day.isoweekday()
        return DayOut(date=day, weekday=weekday, kind=NO_PLAN, kind_label="没有已公示的服务方案", served=False,
                      note=None, runs_as_weekday=weekday, change_id=None, timetable=None), None
    return day_out(found[2], found[1]), served_day(session, found)


def _not_future(day: date) -> None:
    if day > today():
        raise AppError("DATE_IN_FUTURE", "还没到这一天，不能点名或交接")


# ---------- sessions ----------

def _session_outs(session: Session, sessions: list[ServiceSession], places: dict[int, Place],
                  staff_id: int | None) -> list[SessionOut]:
    ids = [s.id for s in sessions]
    staff = session_staff_ids(session, ids)
    names = staff_names(session, (sid for ids_ in staff.values() for sid in ids_))
    arrived = dict(session.exec(select(Attendance.session_id, func.count()).where(
        Attendance.session_id.in_(ids), Attendance.status.in_(AttendanceStatus.ARRIVED))
        .group_by(Attendance.session_id)).all()) if ids else {}
    expected = Counter(p.session_id for p in places.values() if p.session_id)
    on_leave = Counter(p.usual_session_id for p in places.values() if p.kind == PlaceKind.LEAVE)
    return [SessionOut(id=s.id, school_id=s.school_id, date=s.day, kind=s.kind, kind_label=KIND_LABELS[s.kind],
                       name=s.name, room=s.room, starts_at=s.starts_at, ends_at=s.ends_at,
                       teachers=[TeacherOut(staff_id=t, name=names.get(t, "")) for t in sorted(staff[s.id])],
                       serving=staff_id in staff[s.id], expected_count=expected[s.id],
                       arrived_count=arrived.get(s.id, 0), leave_count=on_leave[s.id]) for s in sessions]


def list_sessions(*, session: Session, caller: Caller, day: date) -> SessionsOut:
    """Admins and duty leaders: every session of their schools that day; other staff: the ones they serve."""
    days, outs = [], []
    for school_id in sorted(caller.school_ids):
        info, served = school_day(session, school_id, day)
        school = session.get(School, school_id)
        days.append(SchoolDayOut(**info.model_dump(), school_id=school_id, school_name=school.name))
        if served is None:
            continue
        staff_id = caller.actor.staff_id(school_id)
        sessions = served.sessions
        if not caller.actor.has_role(school_id, *SCHOOL_WIDE):
            serving = session_staff_ids(session, [s.id for s in sessions])
            sessions = [s for s in sessions if staff_id in serving[s.id]]
        if sessions:
            outs += _session_outs(session, sessions, expected_places(session, served), staff_id)
    return SessionsOut(date=day, sessions=outs, days=days)


def school_sessions(session: Session, school_id: int, day: date) -> list[SessionOut]:
    """Every session of the school that day, with its teachers and counts (none when the day is not served)."""
    _, served = school_day(session, school_id, day)
    if served is None:
        return []
    return _session_outs(session, served.sessions, expected_places(session, served), None)


@dataclass(frozen=True)
class Access:
    """What a caller may do with one session: everything, or read their own class's rows (a class head)."""

    full: bool
    class_ids: frozenset[int] = frozenset()


def session_access(session: Session, caller: Caller, row: ServiceSession) -> Access:
    actor = caller.actor
    staff_id = actor.staff_id(row.school_id)
    if actor.has_role(row.school_id, *SCHOOL_WIDE) or staff_id in session_staff_ids(session, [row.id])[row.id]:
        return Access(full=True)
    if staff_id is not None and actor.has_role(row.school_id, "class_head"):
        headed = session.exec(select(SchoolClass.id).where(SchoolClass.head_staff_id == staff_id)).all()
        return Access(full=False, class_ids=frozenset(headed))
    raise NotFound("SESSION_NOT_FOUND", "未找到该场次")


def get_session_row(*, session: Session, caller: Caller, session_id: int) -> ServiceSession:
    row = session.get(ServiceSession, session_id)
    if row is None or row.school_id not in caller.school_ids:
        raise NotFound("SESSION_NOT_FOUND", "未找到该场次")
    return row


# ---------- roster ----------

def _day_of(session: Session, row: ServiceSession) -> Day | None:
    """The session's day if it still holds this session (a day cancelled or a group deleted since does not)."""
    _, served = school_day(session, row.school_id, row.day)
    return served if served is not None and any(s.id == row.id for s in served.sessions) else None


def roster(*, session: Session, caller: Caller, row: ServiceSession) -> RosterOut:
    return _roster(session, row, session_access(session, caller, row), caller.actor.staff_id(row.school_id))


def _roster(session: Session, row: ServiceSession, access: Access, staff_id: int | None,
            served: Day | None = None) -> RosterOut:
    """`served`: the session's day when the caller has just read it (`_day_of`), so it is not read again."""
    served = served or _day_of(session, row)
    places = expected_places(session, served) if served else {}
    marks = {a.student_id: a for a in session.exec(select(Attendance).where(Attendance.session_id == row.id)).all()}
    at_club: dict[int, str] = {}
    if row.kind == SessionKind.CARE_GROUP and served:
        members = session.exec(select(CareGroupMember.student_id).where(
            CareGroupMember.group_id == row.care_group_id)).all()
        at_club = {sid: places[sid].label for sid in members if sid in places and places[sid].kind == PlaceKind.CLUB}
    ids = {sid for sid, p in places.items() if p.usual_session_id == row.id} | set(at_club) | set(marks)
    students = students_by_id(session, row.school_id, ids)
    if not access.full:
        students = {sid: s for sid, s in students.items() if s.class_id in access.class_ids}
        if not students:
            raise NotFound("SESSION_NOT_FOUND", "未找到该场次")
    classes = classes_by_id(session, (s.class_id for s in students.values()))
    alerted = set(session.exec(select(AbsenceAlert.student_id).where(AbsenceAlert.session_id == row.id)).all())
    missing = _handover_missing(session, row.school_id, row.day)
    markers = _marker_names(session, row.school_id, (m.marked_by for m in marks.values()))

    rows = []
    for sid, student in students.items():
        place = places.get(sid) or Place(sid, PlaceKind.NOT_IN_CARE)
        mark = marks.get(sid)
        arrived = mark is not None and mark.status in AttendanceStatus.ARRIVED
        club = at_club.get(sid)
        note = f"在社团：{club}" if club else "交接时未到" if sid in missing and not arrived else None
        school_class = classes[student.class_id]
        rows.append(((place.session_id != row.id, school_class.grade, school_class.number, student.student_no), RosterRow(
            student_id=sid, name=student.name, class_id=school_class.id, class_name=school_class.name,
            photo_url=photo_link(student), expected=place.session_id == row.id, place=place.label, note=note,
            status=mark.status if mark else None,
            status_label=AttendanceStatus.LABELS.get(mark.status) if mark else None,
            arrived_at=mark.arrived_at if mark else None, marked_at=mark.marked_at if mark else None,
            marked_by=markers.get(mark.marked_by) if mark else None, leave=_leave_out(place), club=club,
            absence_alert=sid in alerted, handover_missing=sid in missing)))
    rows.sort(key=lambda pair: pair[0])  # the children expected here first, then by class and number
    return RosterOut(session=_session_outs(session, [row], places, staff_id)[0], rows=[r for _, r in rows])


def _handover_missing(session: Session, school_id: int, day: date) -> set[int]:
    missing: set[int] = set()
    for ids in session.exec(select(Handover.missing_ids).where(Handover.school_id == school_id,
                                                               Handover.day == day)).all():
        missing.update(ids)
    return missing


# ---------- roll call ----------

def _mark_refusal(row: ServiceSession, served: Day, place: Place, name: str, status: str) -> tuple[str, str] | None:
    """Why this mark may not be written here, or None. A child is in one place at a time: only the session
    they belong to today takes their mark (a child not yet in any care group may be marked in any group)."""
    if status == UNMARKED:
        return None  # taking a stale mark back is always allowed
    if place.kind == PlaceKind.NOT_IN_CARE:
        return "CHILD_NOT_IN_CARE", f"{name}今天不参加托管"
    if place.usual_session_id == row.id:
        return None
    if place.usual_session_id is None:
        if row.kind == SessionKind.CARE_GROUP:
            return None
        return "CHILD_NOT_ON_ROSTER", f"{name}不在「{row.name}」的名单上"
    elsewhere = next(s for s in served.sessions if s.id == place.usual_session_id)
    return "CHILD_EXPECTED_ELSEWHERE", f"{name}今天应在{_where(elsewhere)}"


def mark_attendance(*, session: Session, caller: Caller, row: ServiceSession, marks: list[MarkIn]) -> RosterOut:
    """Write a batch of marks, all or nothing; the last write wins per child, with who and when."""
    access = session_access(session, caller, row)
    staff_id = caller.actor.staff_id(row.school_id)
    if not access.full:
        _roster(session, row, access, staff_id)  # 404 unless the class head may at least read it
        raise Forbidden("NOT_SESSION_STAFF", "只有本场次的教师、值班领导或管理员可以点名")
    _not_future(row.day)
    served = _day_of(session, row)
    if served is None:
        raise AppError("SESSION_NOT_HELD", "该场次当天已停开，不能点名", status_code=409)
    ids = [m.student_id for m in marks]
    if len(set(ids)) != len(ids):
        twice = sorted({sid for sid in ids if ids.count(sid) > 1})
        raise AppError("STUDENT_LISTED_TWICE", f"同一名学生在一次点名中出现了两次：{twice}", status_code=422)
    students = students_by_id(session, row.school_id, ids)
    places = expected_places(session, served, list(students))
    refusals = []
    for mark in marks:
        student = students.get(mark.student_id)
        refusal = ("STUDENT_NOT_FOUND", f"未找到学生（编号 {mark.student_id}）") if student is None else \
            _mark_refusal(row, served, places[student.id], student.name, mark.status)
        if refusal:
            refusals.append({"student_id": mark.student_id, "code": refusal[0], "message": refusal[1]})
    if refusals:
        raise AppError(refusals[0]["code"], "；".join(r["message"] for r in refusals) + "。本次点名未保存。",
                       status_code=409, extra={"errors": refusals})

    now = utcnow()
    existing = {a.student_id: a for a in session.exec(select(Attendance).where(
        Attendance.session_id == row.id, Attendance.student_id.in_(ids))).all()}
    arrived = []
    for mark in marks:
        mine = existing.get(mark.student_id)
        if mark.status == UNMARKED:
            if mine is not None:
                session.delete(mine)
            continue
        mine = mine or _new_mark(session, row, mark.student_id, mark.status, caller.account_id, now)
        is_arrival = mark.status in AttendanceStatus.ARRIVED
        # The time of arrival survives corrections (present → late) but not a mark saying the child is not here.
        mine.arrived_at = (mine.arrived_at or now) if is_arrival else None
        mine.status, mine.marked_at, mine.marked_by = mark.status, now, caller.account_id
        session.add(mine)
        if is_arrival:
            arrived.append((students[mark.student_id], mine.arrived_at))
    forget_figures(session, row.school_id, [row.day])  # a past day corrected: its kept figures are recomputed
    # The roster answered is read before the commit, in the same transaction (it sees the marks just written), so
    # the day read above serves it (after the commit its rows would be expired and read again one by one), and its
    # teachers are the ones the arrival message names.
    out = _roster(session, row, access, staff_id, served)
    if arrived:
        teacher = "、".join(sorted(t.name for t in out.session.teachers if t.name)) or caller.actor.name
        notify_guardians_of_many(
            session, school_id=row.school_id, event="arrived",
            data_of={student.id: {"student_name": student.name, "time": hhmm(at), "place": row.name,
                                  "teacher_name": teacher} for student, at in arrived},
            key_of=lambda student_id: f"arrived:{row.day.isoformat()}:{student_id}")  # once a day per child
    # The answer lists the session's children: logged as a roster read, in the roll call's own transaction.
    record_access(session, caller, school_id=row.school_id, action="roster.session",
                  student_ids=(r.student_id for r in out.rows), detail=row.name, commit=False)
    session.commit()
    return out


def _new_mark(session: Session, row: ServiceSession, student_id: int, status: str, account_id: int,
              now: datetime) -> Attendance:
    """A first mark for the child; when another teacher's first mark got in just before, theirs is updated
    instead (ours is the later write)."""
    mark = Attendance(school_id=row.school_id, session_id=row.id, student_id=student_id, status=status,
                      marked_by=account_id, marked_at=now)
    try:
        with session.begin_nested():
            session.add(mark)
            session.flush()
        return mark
    except IntegrityError:
        return session.exec(select(Attendance).where(Attendance.session_id == row.id,
                                                     Attendance.student_id == student_id)).one()


# ---------- absence alerts ----------

def raise_absence_alerts(*, session: Session, now: datetime | None = None) -> int:
    """Alert for every child expected in a session that started more than the school's
    `absence_alert_minutes` ago today, not marked present or late, and with no leave (in force or pending)
    and no teacher's "leave" mark. The unique AbsenceAlert row makes each alert fire once, however many
    workers sweep. Returns how many alerts were raised."""
    return sweep_schools(session, now or utcnow(), _school_absence_alerts)


def sweep_schools(session: Session, now: datetime, sweep_one: Callable[[Session, int, date, datetime], int]) -> int:
    """`sweep_one(session, school_id, day, now)` for every school in term today; the sum of what they did."""
    day = now.astimezone(_zone()).date()
    school_ids = session.exec(select(Term.school_id).where(Term.starts_on <= day, Term.ends_on >= day)
                              .distinct().order_by(Term.school_id)).all()
    return sum(sweep_one(session, school_id, day, now) for school_id in school_ids)


def _school_absence_alerts(session: Session, school_id: int, day: date, now: datetime) -> int:
    _, served = school_day(session, school_id, day)
    if served is None:
        return 0
    grace = timedelta(minutes=school_rules(session, school_id).absence_alert_minutes)
    due = {s.id: s for s in served.sessions if session_starts(s) + grace <= now}
    if not due:
        return 0
    places = expected_places(session, served)
    # Arrived, or a teacher recorded leave (a guardian phoned): nothing to alert.
    settled = set(session.exec(select(Attendance.student_id).where(
        Attendance.session_id.in_(list(due)),
        Attendance.status.in_((*AttendanceStatus.ARRIVED, AttendanceStatus.LEAVE)))).all())
    alerted = set(session.exec(select(AbsenceAlert.student_id).where(AbsenceAlert.session_id.in_(list(due)))).all())
    missing = [(due[p.session_id], sid) for sid, p in places.items()
               if p.session_id in due and not _excused(p) and sid not in settled and sid not in alerted]
    if not missing:
        return 0
    students = students_by_id(session, school_id, (sid for _, sid in missing))
    classes = classes_by_id(session, (s.class_id for s in students.values()))
    duty_leaders = duty_staff_ids(session, school_id, day)  # the day's leader; every one until the roster names one
    raised = 0
    for row, sid in missing:
        try:
            with session.begin_nested():
                session.add(AbsenceAlert(school_id=school_id, session_id=row.id, student_id=sid, raised_at=now))
                session.flush()
        except IntegrityError:
            continue  # another worker raised it first
        raised += 1
        student, school_class = students[sid], classes[students[sid].class_id]
        data = {"student_id": sid, "student_name": student.name, "class_name": school_class.name,
                "place": row.name, "time": hhmm(now)}
        head = [school_class.head_staff_id] if school_class.head_staff_id else []
        for account_id in staff_accounts(session, head + duty_leaders):
            enqueue(session, account_id=account_id, event=ABSENCE_ALERT.key, data=data, school_id=school_id,
                    dedupe_key=f"absence_alert:{row.id}:{sid}:{account_id}")
        notify_guardians(session, student_id=sid, school_id=school_id, event="absent", data=data,
                         dedupe_key=f"absent:{row.id}:{sid}")
    session.commit()
    return raised


def sweep_absences(engine: Engine) -> int:
    """One sweep in a session of its own (the notification worker runs it every minute; cron may too)."""
    with Session(engine) as session:
        return raise_absence_alerts(session=session)


register_periodic(PeriodicJob("absence-alerts", 60, sweep_absences))


# ---------- handover ----------

def get_class_row(*, session: Session, caller: Caller, class_id: int) -> SchoolClass:
    """The class if the caller is its head or an admin of its school; 404 otherwise."""
    row = session.get(SchoolClass, class_id)
    if row is not None and row.school_id in caller.school_ids:
        staff_id = caller.actor.staff_id(row.school_id)
        if caller.actor.has_role(row.school_id, "admin") or (staff_id is not None and row.head_staff_id == staff_id):
            return row
    raise NotFound("CLASS_NOT_FOUND", "未找到该班级")


def _class_places(session: Session, school_class: SchoolClass, served: Day | None) -> tuple[dict[int, Student],
                                                                                             dict[int, Place]]:
    """The class's active children, and where those in care today should be."""
    students = {s.id: s for s in session.exec(select(Student).where(
        Student.class_id == school_class.id, Student.is_active == True)  # noqa: E712
        .order_by(Student.student_no)).all()}
    if served is None or not students:
        return students, {}
    places = expected_places(session, served, list(students))
    return students, {sid: p for sid, p in places.items() if p.kind != PlaceKind.NOT_IN_CARE}


def handover_view(*, session: Session, school_class: SchoolClass, day: date) -> HandoverOut:
    info, served = school_day(session, school_class.school_id, day)
    students, places = _class_places(session, school_class, served)
    by_id = {s.id: s for s in served.sessions} if served else {}
    saved = session.exec(select(Handover).where(Handover.class_id == school_class.id, Handover.day == day)).first()
    present, missing = (set(saved.present_ids), set(saved.missing_ids)) if saved else (set(), set())
    rows = []
    for sid, place in places.items():
        target = by_id.get(place.session_id)
        rows.append(HandoverRow(
            student_id=sid, name=students[sid].name, photo_url=photo_link(students[sid]),
            destination_kind=place.kind, destination=place.label, session_id=place.session_id,
            room=target.room if target else None, starts_at=target.starts_at if target else None,
            expected=place.expected, leave=_leave_out(place), present=sid in present if saved else None,
            missing=sid in missing))
    rows.sort(key=lambda r: (not r.expected, students[r.student_id].student_no))
    out = None
    if saved:
        who = _marker_names(session, school_class.school_id, [saved.confirmed_by])
        out = SavedHandover(present_ids=saved.present_ids, missing_ids=saved.missing_ids, notes=saved.notes,
                            confirmed_by=who.get(saved.confirmed_by, ""), confirmed_at=saved.confirmed_at)
    return HandoverOut(class_id=school_class.id, class_name=school_class.name, day=info, rows=rows, handover=out)


def confirm_handover(*, session: Session, caller: Caller, school_class: SchoolClass, data: HandoverIn) -> HandoverOut:
    """Record who the class head handed over; the expected children not there and not on leave are flagged to
    the teachers waiting for them at once. Confirming again replaces the record (with the new who and when)."""
    _not_future(data.date)
    info, served = school_day(session, school_class.school_id, data.date)
    if served is None:
        raise AppError("NO_SERVICE_THAT_DAY", f"{data.date.isoformat()} 不提供课后服务"
                       + (f"（{info.note}）" if info.note else ""), status_code=409)
    students, places = _class_places(session, school_class, served)
    present = sorted(set(data.present_ids))
    wrong = [{"student_id": sid, "message": f"{students[sid].name}今天不参加托管" if sid in students
              else f"学生（编号 {sid}）不是{school_class.name}的学生"} for sid in present if sid not in places]
    if wrong:
        raise AppError("HANDOVER_STUDENT_NOT_EXPECTED", "；".join(w["message"] for w in wrong),
                       extra={"errors": wrong})
    missing = [sid for sid, p in places.items() if p.expected and sid not in present and not _excused(p)]
    now = utcnow()
    record = session.exec(select(Handover).where(Handover.class_id == school_class.id,
                                                 Handover.day == data.date)).first()
    if record is None:
        record = Handover(school_id=school_class.school_id, class_id=school_class.id, day=data.date,
                          confirmed_by=caller.account_id)
        try:
            with session.begin_nested():
                session.add(record)
                session.flush()
        except IntegrityError:  # confirmed from two phones at once: the later one replaces
            record = session.exec(select(Handover).where(Handover.class_id == school_class.id,
                                                         Handover.day == data.date)).one()
    record.present_ids, record.missing_ids, record.notes = present, missing, data.notes
    record.confirmed_by, record.confirmed_at = caller.account_id, now
    session.add(record)
    if data.date == today():  # a late record of a past day alarms no one
        _flag_missing(session, caller, school_class, served, {sid: places[sid] for sid in missing}, students, now)
    session.commit()
    return handover_view(session=session, school_class=school_class, day=data.date)


def _flag_missing(session: Session, caller: Caller, school_class: SchoolClass, served: Day,
                  missing: dict[int, Place], students: dict[int, Student], now: datetime) -> None:
    by_id = {s.id: s for s in served.sessions}
    staff = session_staff_ids(session, {p.session_id for p in missing.values() if p.session_id})
    for sid, place in missing.items():
        if place.session_id is None:
            continue  # not in a care group yet: no teacher is waiting for the child
        data = {"student_id": sid, "student_name": students[sid].name, "class_name": school_class.name,
                "place": by_id[place.session_id].name, "time": hhmm(now), "head_name": caller.actor.name}
        for account_id in staff_accounts(session, staff[place.session_id]):
            # Once per child and day: confirming again does not tell the teachers twice.
            enqueue(session, account_id=account_id, event=HANDOVER_MISSING.key, data=data,
                    school_id=school_class.school_id,
                    dedupe_key=f"handover_missing:{served.entry.day.isoformat()}:{sid}:{account_id}")


# ---------- a child's day ----------

def child_day(*, session: Session, student: Student, day: date) -> ChildDayOut:
    """Where the child should be, since when they are there, leave and handover: the guardian's view."""
    info, served = school_day(session, student.school_id, day)
    place = expected_places(session, served, [student.id])[student.id] if served \
        else Place(student.id, PlaceKind.NOT_IN_CARE)
    target = next((s for s in served.sessions if s.id == place.session_id), None) if served else None
    teachers = sorted(staff_names(session, session_staff_ids(session, [target.id])[target.id]).values()) \
        if target else []
    day_ids = [s.id for s in served.sessions] if served else []
    mark = session.exec(select(Attendance).where(Attendance.student_id == student.id,
                                                 Attendance.session_id.in_(day_ids))
                        .order_by(Attendance.marked_at.desc())).first() if day_ids else None
    alerted = bool(day_ids) and session.exec(select(AbsenceAlert.id).where(
        AbsenceAlert.student_id == student.id, AbsenceAlert.session_id.in_(day_ids))).first() is not None
    return ChildDayOut(
        student_id=student.id, student_name=student.name, date=day, day=info,
        place=ChildPlaceOut(kind=place.kind, label=place.label, session_id=place.session_id,
                            room=target.room if target else None, starts_at=target.starts_at if target else None,
                            ends_at=target.ends_at if target else None, teachers=teachers),
        attendance=ChildAttendanceOut(status=mark.status, status_label=AttendanceStatus.LABELS[mark.status],
                                      arrived_at=mark.arrived_at, marked_at=mark.marked_at) if mark else None,
        leave=_leave_out(place), handover=_child_handover(session, student, day, place), absence_alert=alerted)


def _child_handover(session: Session, student: Student, day: date, place: Place) -> ChildHandoverOut | None:
    if place.kind == PlaceKind.NOT_IN_CARE:
        return None
    saved = session.exec(select(Handover).where(Handover.class_id == student.class_id, Handover.day == day)).first()
    if saved is None:
        return ChildHandoverOut(status="pending", label="班主任尚未交接", confirmed_at=None)
    if student.id in saved.present_ids:
        return ChildHandoverOut(status="handed_over", label="班主任已交接", confirmed_at=saved.confirmed_at)
    if student.id in saved.missing_ids:
        return ChildHandoverOut(status="missing", label="交接时未到", confirmed_at=saved.confirmed_at)
    return ChildHandoverOut(status="not_listed", label="不在交接名单中", confirmed_at=saved.confirmed_at)
