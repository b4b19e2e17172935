"""Leave (请假): a guardian asks, the class head approves or notes it, rosters and the calendar read it.

A request covers 1–20 service days of one term, each stored as a LeaveDay row, so "who is on
leave on this date" is one indexed query (rosters in `app/attendance/places.py`, the calendar's
counts). Approved and noted (已知悉) leave are both in force; a request still waiting already shows
on the roster as pending. Asked for today after the school's cutoff, a request is urgent: the
teachers of the child's session today are told at once.
"""

from collections import defaultdict
from datetime import date, time

from sqlalchemy import update
from sqlmodel import Session, select

from app.attendance.places import expected_place, session_staff_ids
from app.auth.models import Account
from app.calendar.service import WEEKDAY_NAMES, DayKind, ServiceDay, grade_band, service_days, timetable
from app.core.clock import school_time, today, utcnow
from app.core.deps import Caller
from app.core.errors import AppError, Conflict, Forbidden, NotFound
from app.enrollment.models import Application, AppStatus, ServicePlan
from app.enrollment.service import published_plan
from app.leave.models import LeaveDay, LeaveKind, LeaveRequest, LeaveStatus
from app.leave.schemas import DecisionIn, LeaveIn, LeaveOut
from app.notify.events import LEAVE_CANCELLED, LEAVE_REQUESTED, LEAVE_URGENT
from app.notify.service import enqueue, notify_guardians
from app.people.models import Student
from app.people.service import is_guardian_of, readable_student, staff_accounts
from app.reports.models import forget_figures
from app.schools.models import SchoolClass, Term
from app.schools.service import school_rules

DECISIONS = {"approve": (LeaveStatus.APPROVED, "已批准"), "note": (LeaveStatus.NOTED, "已由班主任知悉")}
LIST_LIMIT = 200


def day_text(day: date) -> str:
    return f"{day.month}月{day.day}日"


def dates_text(days: list[date]) -> str:
    """Short enough for a WeChat template field: "11月25日、11月26日", or "11月25日等5天"."""
    if len(days) <= 2:
        return "、".join(day_text(d) for d in days)
    return f"{day_text(days[0])}等{len(days)}天"


def _refuse_date(day: date, why: str) -> AppError:
    text = f"{day_text(day)}（{WEEKDAY_NAMES[day.isoweekday()]}）{why}"
    return AppError("LEAVE_DATE_INVALID", text, status_code=422, fields={"dates": text})


# ---------- reading ----------

def _days_of(session: Session, leave_ids: list[int]) -> dict[int, list[date]]:
    days: dict[int, list[date]] = defaultdict(list)
    if leave_ids:
        for leave_id, day in session.exec(select(LeaveDay.leave_id, LeaveDay.day).where(
                LeaveDay.leave_id.in_(leave_ids)).order_by(LeaveDay.day)).all():
            days[leave_id].append(day)
    return days


def leave_outs(session: Session, leaves: list[LeaveRequest]) -> list[LeaveOut]:
    days = _days_of(session, [leave.id for leave in leaves])
    student_ids = {leave.student_id for leave in leaves}
    students = {s.id: (s, c) for s, c in session.exec(select(Student, SchoolClass).join(
        SchoolClass, SchoolClass.id == Student.class_id).where(Student.id.in_(student_ids))).all()} \
        if student_ids else {}
    decider_ids = {leave.decided_by for leave in leaves if leave.decided_by}
    names = dict(session.exec(select(Account.id, Account.display_name).where(Account.id.in_(decider_ids))).all()) \
        if decider_ids else {}
    today_ = today()
    out = []
    for leave in leaves:
        student, school_class = students[leave.student_id]
        leave_days = days[leave.id]
        out.append(LeaveOut(
            id=leave.id, student_id=student.id, student_name=student.name, class_id=school_class.id,
            class_name=school_class.name, kind=leave.kind, kind_label=LeaveKind.LABELS[leave.kind], dates=leave_days,
            reason=leave.reason, early_pickup_time=leave.early_pickup_time, status=leave.status,
            status_label=LeaveStatus.LABELS[leave.status], urgent=leave.urgent, requested_at=leave.requested_at,
            decided_at=leave.decided_at, decided_by_name=names.get(leave.decided_by), comment=leave.comment,
            cancellable=leave.status != LeaveStatus.CANCELLED and any(d >= today_ for d in leave_days)))
    return out


def _newest_first(query):
    return query.order_by(LeaveRequest.requested_at.desc(), LeaveRequest.id.desc()).limit(LIST_LIMIT)


def child_leaves(*, session: Session, caller: Caller, student_id: int) -> list[LeaveOut]:
    """A child's requests, newest first: for the child's guardians and the school's staff."""
    student = readable_student(session=session, caller=caller, student_id=student_id)
    rows = session.exec(_newest_first(select(LeaveRequest).where(LeaveRequest.student_id == student.id))).all()
    return leave_outs(session, list(rows))


def _heads_class(session: Session, caller: Caller, school_class: SchoolClass) -> bool:
    staff_id = caller.actor.staff_id(school_class.school_id)
    return (staff_id is not None and school_class.head_staff_id == staff_id
            and caller.actor.has_role(school_class.school_id, "class_head"))


def class_leaves(*, session: Session, caller: Caller, school_class: SchoolClass, status: str | None = None,
                 day: date | None = None) -> list[LeaveOut]:
    """The class head's list (admins and duty leaders read any class of their school)."""
    if not (caller.actor.has_role(school_class.school_id, "admin", "duty_leader")
            or _heads_class(session, caller, school_class)):
        raise Forbidden("NOT_CLASS_HEAD", "只能查看本班学生的请假")
    query = select(LeaveRequest).join(Student, Student.id == LeaveRequest.student_id).where(
        LeaveRequest.school_id == school_class.school_id, Student.class_id == school_class.id)
    if status is not None:
        query = query.where(LeaveRequest.status == status)
    if day is not None:
        query = query.where(LeaveRequest.id.in_(select(LeaveDay.leave_id).where(
            LeaveDay.school_id == school_class.school_id, LeaveDay.day == day)))
    return leave_outs(session, list(session.exec(_newest_first(query)).all()))


def school_leaves(*, session: Session, school_id: int, start: date, end: date, class_id: int | None = None,
                  status: str | None = None) -> list[LeaveOut]:
    """Every request of the school with a day in the range (all of them: for the export), oldest first."""
    query = select(LeaveRequest).where(LeaveRequest.school_id == school_id, LeaveRequest.id.in_(
        select(LeaveDay.leave_id).where(LeaveDay.school_id == school_id, LeaveDay.day >= start, LeaveDay.day <= end)))
    if class_id is not None:
        query = query.join(Student, Student.id == LeaveRequest.student_id).where(Student.class_id == class_id)
    if status is not None:
        query = query.where(LeaveRequest.status == status)
    return leave_outs(session, list(session.exec(query.order_by(LeaveRequest.requested_at, LeaveRequest.id)).all()))


# ---------- asking ----------

def _term_of(session: Session, school_id: int, days: list[date]) -> tuple[Term, ServicePlan]:
    first, last = days[0], days[-1]
    term = session.exec(select(Term).where(Term.school_id == school_id, Term.starts_on <= first,
                                           Term.ends_on >= first)).first()
    if term is None:
        raise _refuse_date(first, "不在任何学期内")
    if last > term.ends_on:
        raise AppError("LEAVE_DATES_SPAN_TERMS", "请假日期须在同一学期内", status_code=422,
                       fields={"dates": f"{term.name}到{day_text(term.ends_on)}结束"})
    plan = published_plan(session, term.id)
    if plan is None:
        raise AppError("PLAN_NOT_PUBLISHED", "本学期课后服务方案尚未公示", status_code=422)
    return term, plan


def _check_service_days(session: Session, student: Student, data: LeaveIn) -> tuple[Term, dict[date, ServiceDay]]:
    """Every date must be a day the child is in care: served by the calendar, and one of their weekdays."""
    past = [d for d in data.dates if d < today()]
    if past:
        text = f"{day_text(past[0])}已过，不能再请假"
        raise AppError("LEAVE_DATE_PAST", text, status_code=422, fields={"dates": text})
    term, plan = _term_of(session, student.school_id, data.dates)
    application = session.exec(select(Application).where(Application.term_id == term.id,
                                                          Application.student_id == student.id)).first()
    if application is None or application.status != AppStatus.APPROVED:
        raise AppError("NOT_IN_CARE", f"{student.name}本学期没有参加课后服务，无需请假", status_code=422)
    calendar = {d.day: d for d in service_days(session, term, plan, start=data.dates[0], end=data.dates[-1])}
    for day in data.dates:
        entry = calendar[day]
        if not entry.served:
            why = DayKind.LABELS[entry.kind] + (f"（{entry.note}）" if entry.note else "")
            raise _refuse_date(day, f"不是课后服务日：{why}")
        if entry.runs_as_weekday not in application.weekdays:
            raise _refuse_date(day, f"不在孩子报名的服务日内（报名了{'、'.join(WEEKDAY_NAMES[w] for w in sorted(application.weekdays))}）")
        if application.leaves_on is not None and day >= application.leaves_on:
            raise _refuse_date(day, "孩子已退出课后服务")
    if data.kind == LeaveKind.EARLY_PICKUP:
        school_class = session.get(SchoolClass, student.class_id)
        times = timetable(plan, data.dates[0])
        ends = times.end_times[grade_band(school_class.grade)]
        if not times.starts_at <= data.early_pickup_time < ends:
            text = f"提前接走时间须在当天课后服务时间内（{times.starts_at}–{ends}）"
            raise AppError("EARLY_PICKUP_TIME_INVALID", text, status_code=422, fields={"early_pickup_time": text})
    return term, calendar


def _is_urgent(session: Session, school_id: int, days: list[date]) -> bool:
    if today() not in days:
        return False
    cutoff = time.fromisoformat(school_rules(session, school_id).leave_cutoff)
    return school_time(utcnow()).time().replace(tzinfo=None) > cutoff


def _class_head_accounts(session: Session, student: Student) -> list[int]:
    school_class = session.get(SchoolClass, student.class_id)
    return staff_accounts(session, [school_class.head_staff_id]) if school_class else []


def _message_data(student: Student, school_class: SchoolClass, leave: LeaveRequest, days: list[date]) -> dict:
    pickup = f"（{leave.early_pickup_time} 接走）" if leave.early_pickup_time else ""
    return {"student_id": student.id, "student_name": student.name, "class_name": school_class.name,
            "kind_label": LeaveKind.LABELS[leave.kind], "pickup": pickup, "reason": leave.reason,
            "dates": dates_text(days), "leave_id": leave.id}


def request_leave(*, session: Session, caller: Caller, data: LeaveIn) -> LeaveOut:
    """A guardian's request for their child; urgent (teachers told at once) when for today after the cutoff."""
    student = readable_student(session=session, caller=caller, student_id=data.student_id)
    _check_service_days(session, student, data)
    urgent = _is_urgent(session, student.school_id, data.dates)
    # Looked up before writing anything: finding today's session may create the day's sessions (and commit).
    place = expected_place(session, student.school_id, student.id, today()) if urgent else None
    teacher_accounts = staff_accounts(session, session_staff_ids(session, [place.session_id])[place.session_id]) \
        if place is not None and place.session_id else []

    # One request at a time per child, so two taps cannot both pass the overlap check.
    session.exec(select(Student.id).where(Student.id == student.id).with_for_update()).first()
    taken = session.exec(select(LeaveDay.day).join(LeaveRequest, LeaveRequest.id == LeaveDay.leave_id).where(
        LeaveDay.student_id == student.id, LeaveDay.day.in_(data.dates),
        LeaveRequest.status != LeaveStatus.CANCELLED).order_by(LeaveDay.day)).first()
    if taken is not None:
        text = f"{day_text(taken)}已有请假，请勿重复申请"
        raise Conflict("LEAVE_OVERLAP", text, fields={"dates": text})

    leave = LeaveRequest(school_id=student.school_id, student_id=student.id, kind=data.kind, reason=data.reason,
                         early_pickup_time=data.early_pickup_time, urgent=urgent, requested_by=caller.account_id)
    session.add(leave)
    session.flush()
    session.add_all([LeaveDay(school_id=student.school_id, leave_id=leave.id, student_id=student.id, day=day)
                     for day in data.dates])
    message = _message_data(student, session.get(SchoolClass, student.class_id), leave, data.dates)
    for account_id in teacher_accounts:
        enqueue(session, account_id=account_id, event=LEAVE_URGENT.key, school_id=student.school_id,
                data={**message, "place": place.label}, dedupe_key=f"leave_urgent:{leave.id}:{account_id}")
    for account_id in _class_head_accounts(session, student):
        if account_id not in teacher_accounts:  # already told by the urgent message
            enqueue(session, account_id=account_id, event=LEAVE_REQUESTED.key, school_id=student.school_id,
                    data=message, dedupe_key=f"leave_requested:{leave.id}:{account_id}")
    session.commit()
    return leave_outs(session, [leave])[0]


# ---------- deciding and cancelling ----------

def _locked(session: Session, leave_id: int) -> LeaveRequest | None:
    return session.exec(select(LeaveRequest).where(LeaveRequest.id == leave_id).with_for_update()).first()


def decide(*, session: Session, caller: Caller, leave_id: int, data: DecisionIn) -> LeaveOut:
    """The class head (or an admin) approves or notes a request; the same decision again changes nothing."""
    leave = _locked(session, leave_id)
    if leave is None or leave.school_id not in caller.school_ids:
        raise NotFound("LEAVE_NOT_FOUND", "未找到该请假")
    student = session.get(Student, leave.student_id)
    school_class = session.get(SchoolClass, student.class_id)
    if not (caller.actor.has_role(leave.school_id, "admin") or _heads_class(session, caller, school_class)):
        raise Forbidden("NOT_CLASS_HEAD", "只有该生的班主任或管理员可以处理请假")
    status, decision_label = DECISIONS[data.decision]
    if leave.status == LeaveStatus.CANCELLED:
        raise Conflict("LEAVE_CANCELLED", "家长已撤销该请假")
    if leave.status == status:
        return leave_outs(session, [leave])[0]
    if leave.status != LeaveStatus.SUBMITTED:
        raise Conflict("LEAVE_DECIDED", f"该请假已处理（{LeaveStatus.LABELS[leave.status]}）")
    leave.status, leave.decided_by, leave.decided_at = status, caller.account_id, utcnow()
    leave.comment = data.comment
    session.add(leave)
    days = _days_of(session, [leave.id])[leave.id]
    notify_guardians(session, student_id=student.id, school_id=leave.school_id, event="leave_decision",
                     data={"student_name": student.name, "dates": dates_text(days), "decision": decision_label,
                           "comment": f"班主任留言：{data.comment}" if data.comment else "", "leave_id": leave.id},
                     dedupe_key=f"leave_decision:{leave.id}")
    forget_figures(session, leave.school_id, days)  # decided after the day: the kept figures are recomputed
    session.commit()
    return leave_outs(session, [leave])[0]


def cancel(*, session: Session, caller: Caller, leave_id: int) -> LeaveOut:
    """The guardian takes a request back from today on; days already gone stay on record as they were."""
    leave = _locked(session, leave_id)
    if leave is None or not (caller.as_guardian and is_guardian_of(session, caller.actor, leave.student_id)):
        raise NotFound("LEAVE_NOT_FOUND", "未找到该请假")
    student = session.get(Student, leave.student_id)
    if leave.status == LeaveStatus.CANCELLED:
        return leave_outs(session, [leave])[0]
    days = _days_of(session, [leave.id])[leave.id]
    today_ = today()
    upcoming = [d for d in days if d >= today_]
    if not upcoming:
        raise Conflict("LEAVE_PAST", "请假日期都已过去，不能撤销")
    cancelled = leave
    if len(upcoming) < len(days):
        # The past days keep their request (rosters and roll call of those days stay true); the rest move
        # to a cancelled copy, so the record shows both what was taken and what was called off.
        cancelled = LeaveRequest(school_id=leave.school_id, student_id=leave.student_id, kind=leave.kind,
                                 reason=leave.reason, early_pickup_time=leave.early_pickup_time, urgent=leave.urgent,
                                 requested_by=leave.requested_by, requested_at=leave.requested_at,
                                 decided_by=leave.decided_by, decided_at=leave.decided_at, comment=leave.comment)
        session.add(cancelled)
        session.flush()
        session.exec(update(LeaveDay).where(LeaveDay.leave_id == leave.id, LeaveDay.day >= today_)
                     .values(leave_id=cancelled.id))
    cancelled.status = LeaveStatus.CANCELLED
    session.add(cancelled)
    session.flush()
    message = _message_data(student, session.get(SchoolClass, student.class_id), cancelled, upcoming)
    for account_id in _class_head_accounts(session, student):
        enqueue(session, account_id=account_id, event=LEAVE_CANCELLED.key, school_id=leave.school_id, data=message,
                dedupe_key=f"leave_cancelled:{cancelled.id}:{account_id}")
    session.commit()
    return leave_outs(session, [cancelled])[0]
