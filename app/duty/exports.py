"""The duty roster (值班表) and the patrols (巡查记录) of a range of days as .xlsx."""

from datetime import date

from sqlmodel import Session

from app.calendar.service import WEEKDAY_NAMES
from app.core.clock import school_time
from app.core.xlsx import titled_workbook
from app.duty.schemas import DutyPerson, PatrolOut, RosterDayOut
from app.schools.service import export_title

PATROL_HEADERS = ["日期", "时间", "场次", "巡查人", "教师在岗", "看到人数", "点名已到", "人数不符", "秩序", "备注"]
ROSTER_HEADERS = ["日期", "星期", "值班领导", "巡查人员", "换班说明"]


def patrols_xlsx(session: Session, school_id: int, patrols: list[PatrolOut], start: date, end: date) -> bytes:
    lines = [[f"{school_time(p.at):%Y-%m-%d}", p.time, p.session_name, p.by, "是" if p.teacher_present else "否",
              p.headcount_seen, p.roster_present, "是" if p.headcount_differs else "", p.order_label, p.note or ""]
             for p in patrols]
    title = export_title(session, school_id, "巡查记录", start=start, end=end)
    return titled_workbook(title, [("巡查记录", PATROL_HEADERS, lines)], name_in_title=False)


def _swap(person: DutyPerson) -> str:
    return f"{person.name}替{person.swapped_from}（{person.swap_reason or '未注明原因'}）" if person.swapped_from else ""


def roster_xlsx(session: Session, school_id: int, days: list[RosterDayOut], start: date, end: date) -> bytes:
    lines = [[d.date.isoformat(), WEEKDAY_NAMES[d.weekday], d.leader.name if d.leader else "未排",
              "、".join(p.name for p in d.patrols),
              "；".join(filter(None, (_swap(p) for p in ([d.leader] if d.leader else []) + d.patrols)))]
             for d in days]
    title = export_title(session, school_id, "值班表", start=start, end=end)
    return titled_workbook(title, [("值班表", ROSTER_HEADERS, lines)], name_in_title=False)
