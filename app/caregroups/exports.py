"""The term's care groups (看护班) as .xlsx: the groups with each weekday's children and tutors, and every group's
children."""

from sqlmodel import Session

from app.calendar.service import WEEKDAY_NAMES
from app.caregroups.schemas import CareGroupDetail
from app.core.xlsx import titled_workbook
from app.schools.models import GRADE_NAMES, Term
from app.schools.service import export_title

PLACED_BY = {"build": "自动分班", "hand": "管理员调整"}


def care_groups_xlsx(session: Session, term: Term, weekdays: list[int], groups: list[CareGroupDetail]
                     ) -> tuple[bytes, list[int]]:
    day_headers = [f"{WEEKDAY_NAMES[d]}人数" for d in weekdays] + [f"{WEEKDAY_NAMES[d]}看护教师" for d in weekdays]
    overview = []
    for g in groups:
        by_day = {d.weekday: d for d in g.days}
        overview.append([g.name, GRADE_NAMES.get(g.grade, str(g.grade)), g.room, "、".join(g.class_names), g.members,
                         *(by_day[d].children if d in by_day else 0 for d in weekdays),
                         *("、".join(t.name for t in by_day[d].tutors) if d in by_day else "" for d in weekdays)])
    members = [[g.name, m.class_name, m.name, "、".join(WEEKDAY_NAMES[d] for d in m.weekdays) or "已不在托管名单",
                PLACED_BY.get(m.placed_by, m.placed_by), m.reason or ""] for g in groups for m in g.roster]
    sheets = [("看护班", ["看护班", "年级", "教室", "班级", "人数", *day_headers], overview),
              ("学生名单", ["看护班", "班级", "学生", "服务日", "安排", "调整原因"], members)]
    title = export_title(session, term.school_id, "课后服务看护班名单", term=term)
    return titled_workbook(title, sheets), [m.student_id for g in groups for m in g.roster]
