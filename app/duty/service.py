"""The duty roster (值班表) and patrols (巡查): a duty leader per service day checks each session
`patrols_per_lesson` times per lesson (default twice, as the seeds ask) and records what they saw."""

import math
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, select

from app.attendance.models import Attendance, AttendanceStatus, ServiceSession
from app.attendance.schemas import SessionOut
from app.attendance.service import hhmm, school_sessions
from app.calendar.service import day_in_force, service_days
from app.core.clock import school_moment, today, utcnow
from app.core.deps import Caller
from app.core.errors import AppError, Forbidden, NotFound
from app.duty.models import DutyAssignment, DutyRole, PatrolOrder, PatrolRecord
from app.duty.on_duty import staff_with_role
from app.duty.schemas import (
    DutyPerson, DutyTodayOut, PatrolIn, PatrolOut, RosterDayOut, SessionPatrolsOut,
)
from app.enrollment.service import published_plan
from app.people.models import Staff
from app.people.service import staff_names
from app.schools.models import Term
from app.schools.service import school_rules


def _school_staff(session: Session, school_id: int, staff_ids: list[int]) -> dict[int, Staff]:
    rows = {s.id: s for s in session.exec(select(Staff).where(Staff.id.in_(staff_ids), Staff.school_id == school_id,
                                                             Staff.is_active == True)).all()}  # noqa: E712
    missing = [sid for sid in staff_ids if sid not in rows]
    if missing:
        raise NotFound("STAFF_NOT_FOUND", "未找到该教职工", extra={"errors": [{"staff_id": sid} for sid in missing]})
    return rows


def _served(session: Session, school_id: int, day: date) -> None:
    found = day_in_force(session, school_id, day)
    if found is None or not found[2].served:
        raise AppError("NOT_A_SERVICE_DAY", f"{day:%m月%d日} 不是课后服务日，不用排值班")


def set_day(*, session: Session, school_id: int, day: date, leader_staff_id: int, patrol_staff_ids: list[int],
            account_id: int) -> RosterDayOut:
    """The admin sets (or replaces) a day's duty: one leader, any patrol staff."""
    _served(session, school_id, day)
    patrols = [sid for sid in dict.fromkeys(patrol_staff_ids) if sid != leader_staff_id]
    staff = _school_staff(session, school_id, [leader_staff_id, *patrols])
    if "duty_leader" not in (staff[leader_staff_id].roles or []) and "admin" not in (staff[leader_staff_id].roles or []):
        raise AppError("NOT_A_DUTY_LEADER", f"{staff[leader_staff_id].name} 不是值班领导，请先在教职工里加上该角色")
    session.exec(delete(DutyAssignment).where(DutyAssignment.school_id == school_id, DutyAssignment.day == day))
    session.add_all([DutyAssignment(school_id=school_id, day=day, staff_id=sid, assigned_by=account_id,
                                    role=DutyRole.LEADER if sid == leader_staff_id else DutyRole.PATROL)
                     for sid in [leader_staff_id, *patrols]])
    session.commit()
    return roster(session=session, school_id=school_id, start=day, end=day)[0]


def generate(*, session: Session, term: Term, start: date | None, end: date | None, overwrite: bool,
             account_id: int) -> list[RosterDayOut]:
    """A term's roster, round-robin over the school's duty leaders across the served days; days already on the
    roster keep their leader unless `overwrite`. The turn carries on from whoever was on duty the day before."""
    plan = published_plan(session, term.id)
    if plan is None:
        raise AppError("PLAN_NOT_PUBLISHED", "服务方案还没有公示，无法排值班")
    start = max(start or today(), term.starts_on)
    end = min(end or term.ends_on, term.ends_on)
    leaders = staff_with_role(session, term.school_id, "duty_leader")
    if not leaders:
        raise AppError("NO_DUTY_LEADERS", "学校还没有值班领导，请先在教职工里设置")
    days = [d.day for d in service_days(session, term, plan, start=start, end=end) if d.served]
    taken = {row.day: row.staff_id for row in session.exec(select(DutyAssignment).where(
        DutyAssignment.school_id == term.school_id, DutyAssignment.role == DutyRole.LEADER,
        DutyAssignment.day <= end)).all()}
    before = [taken[d] for d in sorted(taken) if d < start and taken[d] in leaders]
    turn = leaders.index(before[-1]) + 1 if before else 0
    for day in days:
        if day in taken and not overwrite:
            if taken[day] in leaders:  # the turn goes on from whoever keeps this day
                turn = leaders.index(taken[day]) + 1
            continue
        session.exec(delete(DutyAssignment).where(DutyAssignment.school_id == term.school_id,
                                                  DutyAssignment.day == day))
        session.add(DutyAssignment(school_id=term.school_id, day=day, staff_id=leaders[turn % len(leaders)],
                                   role=DutyRole.LEADER, assigned_by=account_id))
        turn += 1
    session.commit()
    return roster(session=session, school_id=term.school_id, start=start, end=end)


def swap(*, session: Session, caller: Caller, school_id: int, day: date, from_staff_id: int, to_staff_id: int,
         reason: str) -> RosterDayOut:
    """换班: someone else takes a person's duty that day; who was replaced, and why, is kept."""
    row = session.exec(select(DutyAssignment).where(DutyAssignment.school_id == school_id, DutyAssignment.day == day,
                                                    DutyAssignment.staff_id == from_staff_id)).first()
    if row is None:
        raise NotFound("DUTY_NOT_FOUND", "这一天没有此人的值班")
    if not caller.actor.has_role(school_id, "admin") and caller.actor.staff_id(school_id) != from_staff_id:
        raise Forbidden(message="只能由本人或管理员换班")
    new = _school_staff(session, school_id, [to_staff_id])[to_staff_id]
    if row.role == DutyRole.LEADER and not {"duty_leader", "admin"} & set(new.roles or []):
        raise AppError("NOT_A_DUTY_LEADER", f"{new.name} 不是值班领导")
    if session.exec(select(DutyAssignment.id).where(DutyAssignment.school_id == school_id, DutyAssignment.day == day,
                                                    DutyAssignment.staff_id == to_staff_id)).first():
        raise AppError("ALREADY_ON_DUTY", f"{new.name} 这一天已在值班", status_code=409)
    row.swapped_from_staff_id, row.staff_id, row.swap_reason = from_staff_id, to_staff_id, reason.strip()
    row.assigned_by, row.assigned_at = caller.account_id, utcnow()
    session.add(row)
    session.commit()
    return roster(session=session, school_id=school_id, start=day, end=day)[0]


def roster(*, session: Session, school_id: int, start: date, end: date) -> list[RosterDayOut]:
    rows = session.exec(select(DutyAssignment).where(DutyAssignment.school_id == school_id,
                                                     DutyAssignment.day >= start, DutyAssignment.day <= end)
                        .order_by(DutyAssignment.day, DutyAssignment.id)).all()
    ids = {r.staff_id for r in rows} | {r.swapped_from_staff_id for r in rows if r.swapped_from_staff_id}
    names = staff_names(session, ids)
    by_day: dict[date, list[DutyAssignment]] = defaultdict(list)
    for row in rows:
        by_day[row.day].append(row)

    def person(row: DutyAssignment) -> DutyPerson:
        return DutyPerson(staff_id=row.staff_id, name=names.get(row.staff_id, ""), role=row.role,
                          role_label=DutyRole.LABELS[row.role],
                          swapped_from=names.get(row.swapped_from_staff_id) if row.swapped_from_staff_id else None,
                          swap_reason=row.swap_reason)
    return [RosterDayOut(date=day, weekday=day.isoweekday(),
                         leader=next((person(r) for r in by_day[day] if r.role == DutyRole.LEADER), None),
                         patrols=[person(r) for r in by_day[day] if r.role == DutyRole.PATROL])
            for day in sorted(by_day)]


# ---------- patrols ----------

def patrol_times(row: SessionOut, day: date, per_lesson: int, lesson_minutes: int) -> list[datetime]:
    """When each expected patrol of a session falls due: `per_lesson` evenly spread over each lesson, the first
    one a share into the session (a patrol at the very start would find nothing yet)."""
    starts, ends = school_moment(day, row.starts_at), school_moment(day, row.ends_at)
    lessons = max(1, math.ceil((ends - starts).total_seconds() / 60 / lesson_minutes))
    step = (ends - starts) / (lessons * per_lesson)
    return [starts + step * (k + 1) - step / 2 for k in range(lessons * per_lesson)]


def _session_patrols(session: Session, school_id: int, day: date, now: datetime) -> list[SessionPatrolsOut]:
    rules = school_rules(session, school_id)
    sessions = school_sessions(session, school_id, day)
    done = Counter(session.exec(select(PatrolRecord.session_id).where(PatrolRecord.school_id == school_id,
                                                                      PatrolRecord.day == day)).all())
    out = []
    for row in sessions:
        times = patrol_times(row, day, rules.patrols_per_lesson, rules.lesson_minutes)
        due_by_now = sum(1 for t in times if t <= now)
        later = [t for t in times[done[row.id]:] if t > now]
        out.append(SessionPatrolsOut(
            session_id=row.id, name=row.name, room=row.room, starts_at=row.starts_at, ends_at=row.ends_at,
            teachers=[t.name for t in row.teachers], expected_count=row.expected_count,
            present_count=row.arrived_count, patrols_expected=len(times),
            patrols_due_now=max(0, due_by_now - done[row.id]), patrols_done=done[row.id],
            next_due_at=hhmm(later[0]) if later else None))
    return out


def duty_today(*, session: Session, caller: Caller, school_id: int) -> DutyTodayOut:
    day = today()
    found = day_in_force(session, school_id, day)
    served = bool(found and found[2].served)
    listed = roster(session=session, school_id=school_id, start=day, end=day)
    leader, patrols = (listed[0].leader, listed[0].patrols) if listed else (None, [])
    staff_id = caller.actor.staff_id(school_id)
    mine = next((p for p in ([leader] if leader else []) + patrols if p.staff_id == staff_id), None)
    expected = []
    if served and mine is not None:
        per_lesson = school_rules(session, school_id).patrols_per_lesson
        expected = [f"每节课巡查各场次 {per_lesson} 次，记录教师在岗、人数和秩序", "处理突发情况并通知家长",
                    "放学后查看接送看板，全部接走后清校"] if mine.role == DutyRole.LEADER else \
            ["按值班领导安排巡查各场次并记录"]
    return DutyTodayOut(date=day, served=served, on_duty=mine is not None, role=mine.role if mine else None,
                        role_label=mine.role_label if mine else None, leader=leader, patrols=patrols,
                        sessions=_session_patrols(session, school_id, day, utcnow()) if served else [],
                        expected=expected)


def _may_patrol(session: Session, caller: Caller, school_id: int, day: date) -> int:
    """The caller's staff id if they are on duty that day (or an admin)."""
    staff_id = caller.actor.staff_id(school_id)
    on_duty = session.exec(select(DutyAssignment.id).where(DutyAssignment.school_id == school_id,
                                                           DutyAssignment.day == day,
                                                           DutyAssignment.staff_id == staff_id)).first()
    if staff_id is None or not (on_duty or caller.actor.has_role(school_id, "admin")):
        raise Forbidden(message="今天不是你值班，不能记录巡查")
    return staff_id


def record_patrol(*, session: Session, caller: Caller, data: PatrolIn) -> PatrolOut:
    row = session.get(ServiceSession, data.session_id)
    if row is None or row.school_id not in caller.school_ids:
        raise NotFound("SESSION_NOT_FOUND", "未找到该场次")
    if row.day != today():
        raise AppError("PATROL_NOT_TODAY", "只能记录今天场次的巡查")
    at = data.at or utcnow()
    if at > utcnow() + timedelta(minutes=5):
        raise AppError("PATROL_IN_FUTURE", "巡查时间不能晚于现在")
    staff_id = _may_patrol(session, caller, row.school_id, row.day)
    present = session.exec(select(func.count()).select_from(Attendance).where(
        Attendance.session_id == row.id, Attendance.status.in_(AttendanceStatus.ARRIVED))).one()
    record = PatrolRecord(school_id=row.school_id, session_id=row.id, day=row.day, at=at, staff_id=staff_id,
                          teacher_present=data.teacher_present, headcount_seen=data.headcount_seen,
                          roster_present=present, order=data.order, note=(data.note or "").strip() or None)
    session.add(record)
    session.commit()
    return patrols_of_day(session=session, school_id=row.school_id, day=row.day, record_id=record.id)[0]


def patrols_of_day(*, session: Session, school_id: int, day: date, record_id: int | None = None) -> list[PatrolOut]:
    return patrols_between(session=session, school_id=school_id, start=day, end=day, record_id=record_id)


def patrols_between(*, session: Session, school_id: int, start: date, end: date, record_id: int | None = None
                    ) -> list[PatrolOut]:
    """The patrols recorded on the days from `start` to `end`, in the order they were made."""
    query = (select(PatrolRecord, ServiceSession.name, Staff.name)
             .join(ServiceSession, ServiceSession.id == PatrolRecord.session_id)
             .join(Staff, Staff.id == PatrolRecord.staff_id)
             .where(PatrolRecord.school_id == school_id, PatrolRecord.day >= start, PatrolRecord.day <= end))
    if record_id is not None:
        query = query.where(PatrolRecord.id == record_id)
    return [PatrolOut(id=r.id, session_id=r.session_id, session_name=session_name, at=r.at, time=hhmm(r.at),
                      by=by, teacher_present=r.teacher_present, headcount_seen=r.headcount_seen,
                      roster_present=r.roster_present, headcount_differs=r.headcount_seen != r.roster_present,
                      order=r.order, order_label=PatrolOrder.LABELS[r.order], note=r.note)
            for r, session_name, by in session.exec(query.order_by(PatrolRecord.at, PatrolRecord.id)).all()]
