"""The day's releases and the late pickups as .xlsx (school, term and dates in the title row)."""

from datetime import date

from sqlmodel import Session, select

from app.attendance.service import hhmm
from app.core.xlsx import titled_workbook
from app.people.models import Student
from app.pickup.models import Handoff, HandoffMethod, LatePickup, LateStage
from app.schools.models import SchoolClass
from app.schools.service import export_title

HANDOFF_HEADERS = ["接走时间", "班级", "学生", "方式", "接走人", "关系", "确认老师", "地点", "备注"]
LATE_HEADERS = ["日期", "班级", "学生", "放学时间", "超时提醒", "交门卫", "接走时间", "接走人", "确认老师", "状态"]


def handoffs_xlsx(session: Session, school_id: int, day: date, method: str | None) -> tuple[bytes, list[int]]:
    """The day's releases in the order they happened, and the children they name."""
    query = (select(Handoff, Student.name, SchoolClass).join(Student, Student.id == Handoff.student_id)
             .join(SchoolClass, SchoolClass.id == Student.class_id)
             .where(Handoff.school_id == school_id, Handoff.day == day))
    if method:
        query = query.where(Handoff.method == method)
    rows = session.exec(query.order_by(Handoff.released_at, Handoff.id)).all()
    lines = [[hhmm(h.released_at), school_class.name, name, HandoffMethod.LABELS[h.method],
              h.adult_name if h.method != HandoffMethod.WALK_HOME else "", h.relation, h.released_by_name, h.place,
              h.note or ""] for h, name, school_class in rows]
    subject = "接送记录" + (f"（{HandoffMethod.LABELS[method]}）" if method else "")
    title = export_title(session, school_id, subject, start=day)
    return titled_workbook(title, [("接送记录", HANDOFF_HEADERS, lines)], name_in_title=False), \
        [h.student_id for h, _, _ in rows]


def late_xlsx(session: Session, school_id: int, start: date, end: date) -> tuple[bytes, list[int]]:
    """Every late pickup raised in the range (超时未接), with when the child went to the guard and when, and by whom,
    they were finally taken home; and the children named."""
    rows = session.exec(
        select(LatePickup, Student.name, SchoolClass, Handoff)
        .join(Student, Student.id == LatePickup.student_id).join(SchoolClass, SchoolClass.id == Student.class_id)
        .join(Handoff, (Handoff.student_id == LatePickup.student_id) & (Handoff.day == LatePickup.day), isouter=True)
        .where(LatePickup.school_id == school_id, LatePickup.day >= start, LatePickup.day <= end)
        .order_by(LatePickup.day, LatePickup.raised_at, LatePickup.id)).all()
    lines = [[late.day.isoformat(), school_class.name, name, late.end_time, hhmm(late.raised_at),
              hhmm(late.to_guard_at) if late.to_guard_at else "", hhmm(handoff.released_at) if handoff else "",
              handoff.adult_name if handoff else "", handoff.released_by_name if handoff else "",
              "已接走" if handoff else LateStage.LABELS[late.stage]]
             for late, name, school_class, handoff in rows]
    title = export_title(session, school_id, "超时接送记录", start=start, end=end)
    return titled_workbook(title, [("超时接送", LATE_HEADERS, lines)], name_in_title=False), \
        [late.student_id for late, _, _, _ in rows]
