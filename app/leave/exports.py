"""请假记录 as .xlsx: the school's leave requests with a day in a range."""

from datetime import date

from sqlmodel import Session

from app.core.clock import school_time
from app.core.xlsx import titled_workbook
from app.leave.schemas import LeaveOut
from app.schools.service import export_title

HEADERS = ["班级", "学生", "类型", "请假日期", "天数", "原因", "提前接走时间", "状态", "申请时间", "处理人", "处理时间",
           "处理意见"]


def _when(at) -> str:  # noqa: ANN001
    return f"{school_time(at):%Y-%m-%d %H:%M}" if at else ""


def leave_xlsx(session: Session, school_id: int, leaves: list[LeaveOut], start: date, end: date) -> bytes:
    lines = [[x.class_name, x.student_name, x.kind_label, "、".join(d.isoformat() for d in x.dates), len(x.dates),
              x.reason, x.early_pickup_time or "", x.status_label, _when(x.requested_at), x.decided_by_name or "",
              _when(x.decided_at), x.comment or ""]
             for x in sorted(leaves, key=lambda x: (x.class_name, x.student_name, x.requested_at))]
    title = export_title(session, school_id, "请假记录", start=start, end=end)
    return titled_workbook(title, [("请假记录", HEADERS, lines)], name_in_title=False)
