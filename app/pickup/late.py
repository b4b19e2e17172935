"""After the bell: late pickups, the guard, the live board and the school-clear check (清校)."""

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.attendance.places import session_staff_ids
from app.attendance.service import hhmm, school_day, sweep_schools
from app.core.clock import school_moment, today, utcnow
from app.core.db import InsertOnce
from app.core.errors import Conflict
from app.duty.on_duty import duty_staff_ids, staff_with_role
from app.notify.events import LATE_PICKUP, EventType, register
from app.notify.service import enqueue, notify_guardians
from app.notify.worker import PeriodicJob, register_periodic
from app.people.exposure import Disclosure
from app.people.models import Guardian, Guardianship
from app.people.photos import photo_link
from app.people.service import staff_accounts, staff_names
from app.pickup.models import Clearance, LatePickup, LateStage
from app.pickup.schemas import BoardCount, BoardOut, ClearanceOut, LateChildOut, RemainingChild
from app.pickup.service import ChildToday, children_today
from app.schools.models import GRADE_NAMES
from app.schools.service import school_rules

# For staff (inbox): the duty leader hears of every late child, the guard of every child handed to them.
LATE_PICKUP_ALERT = register(EventType(
    "late_pickup_alert", "超时未接", "{student_name}（{class_name}）放学时间 {end_time} 已过 {minutes} 分钟仍未接走，"
    "现在{place}。", {"thing1": "{student_name}", "time2": "{time}", "thing3": "{place}"}))
CHILD_WITH_GUARD = register(EventType(
    "child_with_guard", "孩子交门卫看护", "{student_name}（{class_name}）放学 {minutes} 分钟后仍未接走，已交门卫看护。"
    "请联系家长，家长到校后扫码交接。", {"thing1": "{student_name}", "time2": "{time}", "thing3": "门卫室"}))


def _waiting(children: dict[int, ChildToday]) -> list[ChildToday]:
    """Children at school and not yet collected."""
    return [c for c in children.values() if c.in_care and c.handoff is None]


_raise_late = InsertOnce(LatePickup, "student_id", "day")
_record_clearance = InsertOnce(Clearance, "school_id", "day")


def raise_late_pickups(*, session: Session, now: datetime | None = None) -> int:
    """Mark late every child still at school after their end time + grace, and hand to the guard those still
    there after `guard_after_minutes`; each step once per child and day (a unique row), whoever sweeps.
    Returns how many steps were taken."""
    return sweep_schools(session, now or utcnow(), _school_late_pickups)


def _school_late_pickups(session: Session, school_id: int, day: date, now: datetime) -> int:
    _, served = school_day(session, school_id, day)
    if served is None:
        return 0
    rules = school_rules(session, school_id)
    overdue = [(child, minutes) for child in _waiting(children_today(session, school_id, day, served=served))
               if child.end_time is not None
               and (minutes := int((now - school_moment(day, child.end_time)).total_seconds() // 60))
               >= rules.late_grace_minutes]
    if not overdue:
        return 0
    # Who is told, read once for the sweep: the day's duty leader, the guards, and each child's teachers.
    duty = staff_accounts(session, duty_staff_ids(session, school_id, day))
    guards = staff_accounts(session, staff_with_role(session, school_id, "guard"))
    teachers = session_staff_ids(session, {c.place.usual_session_id for c, _ in overdue if c.place.usual_session_id})
    names = staff_names(session, {sid for ids in teachers.values() for sid in ids})
    steps = 0
    for child, minutes in overdue:
        data = {"student_id": child.student.id, "student_name": child.student.name,
                "class_name": child.school_class.name, "end_time": child.end_time, "minutes": minutes,
                "time": hhmm(now), "place": child.where}
        if child.late is None and _raise_late(session, {
                "school_id": school_id, "student_id": child.student.id, "day": day, "end_time": child.end_time,
                "stage": LateStage.LATE, "raised_at": now}):
            steps += 1
            keeper = "、".join(names[t] for t in teachers.get(child.place.usual_session_id, []) if t in names) or "老师"
            notify_guardians(session, student_id=child.student.id, school_id=school_id, event=LATE_PICKUP.key,
                             data={**data, "keeper": keeper}, dedupe_key=f"late_pickup:{child.student.id}:{day}")
            _tell_staff(session, duty, LATE_PICKUP_ALERT, data, school_id, f"late_pickup_alert:{child.student.id}:{day}")
        if minutes >= rules.guard_after_minutes and session.exec(update(LatePickup).where(
                LatePickup.student_id == child.student.id, LatePickup.day == day,
                LatePickup.stage == LateStage.LATE).values(stage=LateStage.WITH_GUARD, to_guard_at=now)).rowcount:
            steps += 1
            notify_guardians(session, student_id=child.student.id, school_id=school_id, event=LATE_PICKUP.key,
                             data={**data, "keeper": "门卫"}, dedupe_key=f"with_guard:{child.student.id}:{day}")
            _tell_staff(session, guards + duty, CHILD_WITH_GUARD, data, school_id,
                        f"child_with_guard:{child.student.id}:{day}")
    session.commit()
    return steps


def _tell_staff(session: Session, account_ids: list[int], event: EventType, data: dict, school_id: int,
                dedupe: str) -> None:
    for account_id in dict.fromkeys(account_ids):
        enqueue(session, account_id=account_id, event=event.key, data=data, school_id=school_id,
                dedupe_key=f"{dedupe}:{account_id}")


def sweep_late_pickups(engine: Engine) -> int:
    """One sweep in a session of its own (the worker runs it every minute; `python -m app.cli sweep-late-pickups`)."""
    with Session(engine) as session:
        return raise_late_pickups(session=session)


register_periodic(PeriodicJob("late-pickups", 60, sweep_late_pickups))


# ---------- the late list (teachers, duty leader, guard) ----------

def late_list(*, session: Session, school_id: int, day: date, stage: str | None, shown: Disclosure
              ) -> list[LateChildOut]:
    """The children still waiting, each with the guardians who may take them; phones as `shown` lets the caller
    read them (app/people/exposure.py: the duty leader on duty, the guard for the children in their keeping…)."""
    children = {sid: c for sid, c in children_today(session, school_id, day).items()
                if c.late is not None and c.handoff is None and (stage is None or c.late.stage == stage)}
    contacts: dict[int, list[dict]] = defaultdict(list)
    if children:
        for sid, guardian_id, name, relation, phone in session.exec(
                select(Guardianship.student_id, Guardian.id, Guardian.name, Guardianship.relation, Guardian.phone)
                .join(Guardian, Guardian.id == Guardianship.guardian_id)
                .where(Guardianship.student_id.in_(children), Guardianship.may_pick_up == True)  # noqa: E712
                .order_by(Guardianship.id)).all():
            contacts[sid].append({"name": name, "relation": relation, "phone": shown.phone(
                phone, student_id=sid, class_id=children[sid].student.class_id, guardian_id=guardian_id)})
    return [LateChildOut(student_id=sid, name=c.student.name, class_name=c.school_class.name,
                         photo_url=photo_link(c.student), place=c.where, end_time=c.late.end_time, stage=c.late.stage,
                         stage_label=LateStage.LABELS[c.late.stage], late_since=c.late.raised_at,
                         to_guard_at=c.late.to_guard_at, guardians=contacts[sid])
            for sid, c in sorted(children.items(), key=lambda kv: kv[1].late.raised_at)]


# ---------- the board and 清校 ----------

def _count(key: str, name: str, children: list[ChildToday]) -> BoardCount:
    released = sum(1 for c in children if c.handoff)
    return BoardCount(key=key, name=name, in_care=len(children), released=released,
                      remaining=len(children) - released,
                      late=sum(1 for c in children if c.late and not c.handoff))


def _remaining(children: list[ChildToday]) -> list[RemainingChild]:
    waiting = sorted(_waiting({c.student.id: c for c in children}),
                     key=lambda c: (c.end_time or "", c.school_class.grade, c.school_class.number, c.student.name))
    return [RemainingChild(student_id=c.student.id, name=c.student.name, class_name=c.school_class.name,
                           place=c.where, end_time=c.end_time, late=c.late.stage if c.late else None) for c in waiting]


def _clearance(session: Session, school_id: int, day: date) -> ClearanceOut | None:
    row = session.exec(select(Clearance).where(Clearance.school_id == school_id, Clearance.day == day)).first()
    return ClearanceOut(date=row.day, cleared_at=row.cleared_at, cleared_by=row.cleared_by_name,
                        released_count=row.released_count) if row else None


def board(*, session: Session, school_id: int, day: date) -> BoardOut:
    _, served = school_day(session, school_id, day)
    everyone = [c for c in children_today(session, school_id, day, served=served).values()
                if c.in_care or c.handoff]
    by_grade: dict[int, list[ChildToday]] = defaultdict(list)
    by_group: dict[tuple, list[ChildToday]] = defaultdict(list)
    for c in everyone:
        by_grade[c.school_class.grade].append(c)
        by_group[(c.place.usual_session_id or 0, c.place.label)].append(c)
    released_at = [c.handoff.released_at for c in everyone if c.handoff]
    totals = _count("all", "全校", everyone)
    return BoardOut(
        date=day, served=served is not None, in_care=totals.in_care, released=totals.released,
        remaining=totals.remaining, late=totals.late,
        with_guard=sum(1 for c in everyone if c.late and c.late.stage == LateStage.WITH_GUARD and not c.handoff),
        latest_release_at=max(released_at) if released_at else None,
        by_grade=[_count(str(g), GRADE_NAMES.get(g, f"{g}年级"), by_grade[g]) for g in sorted(by_grade)],
        by_group=[_count(str(key[0]), key[1], by_group[key]) for key in sorted(by_group)],
        not_released=_remaining(everyone), clearance=_clearance(session, school_id, day))


def get_clearance(*, session: Session, school_id: int, day: date) -> ClearanceOut | None:
    return _clearance(session, school_id, day)


def clear_school(*, session: Session, school_id: int, staff_id: int) -> ClearanceOut:
    """清校: recorded only when every child at school today has been collected; the first record stands."""
    day = today()
    existing = _clearance(session, school_id, day)
    if existing is not None:
        return existing
    everyone = [c for c in children_today(session, school_id, day).values() if c.in_care or c.handoff]
    remaining = _remaining(everyone)
    if remaining:
        raise Conflict("SCHOOL_NOT_CLEAR", f"还有 {len(remaining)} 名学生未接走，不能清校", extra={"errors": [
            {"student_id": r.student_id, "name": r.name, "class_name": r.class_name, "place": r.place,
             "code": "CHILD_STILL_HERE", "message": f"{r.name}（{r.class_name}）仍在{r.place}"} for r in remaining]})
    _record_clearance(session, dict(school_id=school_id, day=day, cleared_at=utcnow(), cleared_by_staff_id=staff_id,
                                    cleared_by_name=staff_names(session, [staff_id])[staff_id],
                                    released_count=sum(1 for c in everyone if c.handoff)))
    session.commit()  # two duty leaders at once: the first record stands, both are answered with it
    return _clearance(session, school_id, day)

