"""The access audit: every staff read of a child's record, photo, roster, pickup verification or export leaves
one append-only row (who, role, what, which children, when, from where). Guardians reading their own children
are not logged: the trail is about who else looked."""

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import func, insert
from sqlmodel import Session, select

from app.audit.models import AuditEvent, AuditEventStudent
from app.audit.schemas import AccessOut, AuditOut, AuditPage
from app.core.clock import school_moment, utcnow
from app.core.deps import Caller
from app.core.logging import request_origin

ACTIONS = {"student.read": "查看学生信息", "student.photo": "查看学生照片", "student.guardians": "查看监护人",
           "student.day": "查看孩子当天去向", "roster.list": "查看学生名单", "roster.session": "查看点名名单",
           "roster.club": "查看社团名单", "roster.class": "查看班级交接名单", "pickup.verify": "扫码核验接送", "pickup.adults": "查看可接送人",
           "export.applications": "导出申请名单", "export.reports": "导出统计", "export.workload": "导出课时",
           "export.duty_report": "导出值班日志", "export.surveys": "导出满意度调查",
           "export.guardian_data": "家长导出孩子的全部信息", "student.erase": "删除学生个人信息",
           "export.handoffs": "导出接送记录", "export.late_pickups": "导出超时接送记录",
           "export.incidents": "导出突发情况记录", "export.audit": "导出访问审计", "export.students": "导出学生名单",
           "export.care_groups": "导出看护班名单", "export.clubs": "导出社团名单", "export.leave": "导出请假记录",
           "export.patrols": "导出巡查记录", "export.duty_roster": "导出值班表", "export.bills": "导出收费名单"}
SHOWN_IDS = 200


def record_access(session: Session, caller: Caller, *, school_id: int, action: str,
                  student_ids: Iterable[int] = (), detail: str = "", by_guardian: bool = False,
                  commit: bool = True) -> None:
    """Log a staff read of children's data at `school_id` (nothing for a guardian reading their own child).

    `by_guardian` logs a guardian's own act as well: taking everything about their child out of Kehou (the export)
    is part of the record whoever does it. `commit=False` leaves the row in the caller's transaction (a write that
    answers with children's data logs it with its own commit)."""
    if school_id not in caller.school_ids and not by_guardian:
        return
    ids = sorted(set(student_ids))
    roles = frozenset({"guardian"}) if by_guardian else caller.actor.staff.get(school_id, (None, frozenset()))[1] or (
        frozenset({"district"}) if school_id in caller.actor.district_school_ids else frozenset())
    client_ip, request_id = request_origin.get()
    event_id = session.connection().execute(insert(AuditEvent).returning(AuditEvent.id), {
        "at": utcnow(), "account_id": caller.account_id, "actor_name": caller.actor.name[:50],
        "roles": ",".join(sorted(roles)), "school_id": school_id, "action": action, "detail": detail[:200],
        "student_count": len(ids), "client_ip": client_ip, "request_id": request_id}).scalar_one()
    if ids:
        session.connection().execute(insert(AuditEventStudent), [{"event_id": event_id, "student_id": sid}
                                                                 for sid in ids])
    if commit:
        session.commit()


def search(*, session: Session, school_ids: frozenset[int], student_id: int | None, actor_id: int | None,
           start: date | None, end: date | None, limit: int, offset: int) -> AuditPage:
    query = select(AuditEvent).where(AuditEvent.school_id.in_(school_ids))
    if student_id:
        query = query.where(AuditEvent.id.in_(select(AuditEventStudent.event_id).where(
            AuditEventStudent.student_id == student_id)))
    if actor_id:
        query = query.where(AuditEvent.account_id == actor_id)
    if start:
        query = query.where(AuditEvent.at >= school_moment(start))
    if end:
        query = query.where(AuditEvent.at < school_moment(end + timedelta(days=1)))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(AuditEvent.id.desc()).limit(limit).offset(offset)).all()
    students: dict[int, list[int]] = {}
    if rows:
        for event_id, sid in session.exec(select(AuditEventStudent.event_id, AuditEventStudent.student_id).where(
                AuditEventStudent.event_id.in_([r.id for r in rows])).order_by(AuditEventStudent.student_id)).all():
            students.setdefault(event_id, []).append(sid)
    return AuditPage(total=total, items=[AuditOut(
        id=r.id, at=r.at, account_id=r.account_id, actor_name=r.actor_name, roles=r.roles, school_id=r.school_id,
        action=r.action, action_label=ACTIONS.get(r.action, r.action), detail=r.detail,
        student_ids=students.get(r.id, [])[:SHOWN_IDS], student_count=r.student_count, client_ip=r.client_ip)
        for r in rows])


def child_access_log(*, session: Session, student_id: int, limit: int = 200) -> list[AccessOut]:
    rows = session.exec(select(AuditEvent).join(AuditEventStudent, AuditEventStudent.event_id == AuditEvent.id)
                        .where(AuditEventStudent.student_id == student_id)
                        .order_by(AuditEvent.id.desc()).limit(limit)).all()
    return [AccessOut(at=r.at, actor_name=r.actor_name, roles=r.roles,
                      action_label=ACTIONS.get(r.action, r.action)) for r in rows]
