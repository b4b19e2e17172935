"""The access audit as .xlsx: the rows `GET /audit` finds for one school, all of them (not a page), with the
children named as people read them rather than by id."""

from datetime import date

from sqlmodel import Session, select

from app.audit.schemas import AuditOut
from app.core.clock import school_time
from app.core.errors import AppError
from app.core.xlsx import titled_workbook
from app.people.models import STAFF_ROLES, Student
from app.schools.models import SchoolClass
from app.schools.service import export_title

HEADERS = ["时间", "查看人", "角色", "操作", "说明", "涉及学生人数", "涉及学生", "IP 地址"]
ROLE_LABELS = {**STAFF_ROLES, "district": "教育局"}
EXPORT_MAX = 50_000


def refuse_if_too_many(total: int) -> None:
    if total > EXPORT_MAX:
        raise AppError("EXPORT_TOO_LARGE", f"共 {total} 条记录，一次最多导出 {EXPORT_MAX} 条，请缩小日期范围",
                       status_code=422)


def audit_xlsx(session: Session, school_id: int, items: list[AuditOut], start: date | None, end: date | None
               ) -> tuple[bytes, list[int]]:
    """The rows oldest first, and the children they name."""
    named = sorted({sid for item in items for sid in item.student_ids})
    names: dict[int, str] = {}
    for start_at in range(0, len(named), 1000):  # in chunks: a parameter list has its limits
        names |= {sid: f"{name}（{school_class.name}）" for sid, name, school_class in session.exec(
            select(Student.id, Student.name, SchoolClass).join(SchoolClass, SchoolClass.id == Student.class_id)
            .where(Student.id.in_(named[start_at:start_at + 1000]))).all()}
    lines = []
    for item in sorted(items, key=lambda i: i.id):
        children = "、".join(names.get(sid, f"#{sid}") for sid in item.student_ids)
        if item.student_count > len(item.student_ids):
            children += f" 等 {item.student_count} 人"
        lines.append([f"{school_time(item.at):%Y-%m-%d %H:%M:%S}", item.actor_name,
                      "、".join(ROLE_LABELS.get(r, r) for r in item.roles.split(",") if r), item.action_label,
                      item.detail, item.student_count, children, item.client_ip or ""])
    subject = "访问审计记录" + (f"（截至{end}）" if end and not start else "")
    title = export_title(session, school_id, subject, start=start, end=end)
    return titled_workbook(title, [("访问审计", HEADERS, lines)], name_in_title=False), named
