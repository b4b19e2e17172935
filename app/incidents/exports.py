"""突发情况 as .xlsx: each incident as it stands now (corrections applied), its follow-ups and its closing."""

from datetime import date

from sqlmodel import Session

from app.attendance.service import hhmm
from app.core.clock import school_time
from app.core.xlsx import titled_workbook
from app.incidents.schemas import IncidentOut
from app.schools.service import export_title

HEADERS = ["日期", "时间", "类型", "程度", "地点", "涉及学生", "经过", "处理措施", "报告人", "状态", "处理结果",
           "跟进与更正"]
ENTRY_LABELS = {"follow_up": "跟进", "correction": "更正", "close": "结案"}


def incidents_xlsx(session: Session, school_id: int, incidents: list[IncidentOut], start: date | None, end: date
                   ) -> bytes:
    lines = [[i.day.isoformat(), hhmm(i.at), i.type_label, i.severity_label, i.place,
              "、".join(f"{c.name}（{c.class_name}）" for c in i.children), i.description, i.actions_taken,
              i.reported_by, "已结案" if i.status == "closed" else "处理中", i.resolution or "",
              "\n".join(f"{school_time(e.written_at):%m-%d %H:%M} {e.written_by}（{ENTRY_LABELS[e.kind]}）：{e.text}"
                        for e in i.entries)]
             for i in sorted(incidents, key=lambda i: (i.at, i.id))]
    title = export_title(session, school_id, "突发情况记录", start=start, end=end) if start else \
        export_title(session, school_id, f"突发情况记录（截至{end}）")
    return titled_workbook(title, [("突发情况", HEADERS, lines)], name_in_title=False)
