"""Clubs (社团) as .xlsx: one club's roster, or the term's catalogue with every club's roster."""

from sqlmodel import Session

from app.calendar.service import WEEKDAY_NAMES
from app.clubs.models import Club, EnrollmentStatus
from app.clubs.schemas import ClubOut, RosterRow
from app.core.xlsx import Sheet, titled_workbook
from app.schools.models import GRADE_NAMES, Term
from app.schools.service import export_title

ROSTER_HEADERS = ["序号", "班级", "学生", "状态", "家长联系方式"]
CATALOGUE_HEADERS = ["社团", "类别", "指导教师", "地点", "活动日", "时间", "年级", "名额", "已选", "余位", "候补"]


def _status(row: RosterRow) -> str:
    if row.status == EnrollmentStatus.WAITLISTED and row.position:
        return f"候补第 {row.position} 位"
    return EnrollmentStatus.LABELS.get(row.status, row.status)


def _roster_lines(rows: list[RosterRow], club_name: str | None = None) -> list[list]:
    return [[*([club_name] if club_name is not None else []), n, r.class_name, r.student_name, _status(r),
             "；".join(r.guardians)] for n, r in enumerate(rows, start=1)]


def roster_xlsx(session: Session, club: Club, term: Term, rows: list[RosterRow]) -> bytes:
    title = export_title(session, club.school_id, f"{club.name} 社团名单", term=term)
    return titled_workbook(title, [("社团名单", ROSTER_HEADERS, _roster_lines(rows))], name_in_title=False)


def term_xlsx(session: Session, term: Term, clubs: list[ClubOut], rosters: dict[int, list[RosterRow]]) -> bytes:
    catalogue = [[c.name, c.category_label, c.teacher_name or "", c.venue, "、".join(WEEKDAY_NAMES[d] for d in c.weekdays),
                  f"{c.start_time}-{c.end_time}", "、".join(GRADE_NAMES.get(g, str(g)) for g in c.grades), c.capacity,
                  c.enrolled, c.free_seats, c.waitlisted] for c in clubs]
    sheets: list[Sheet] = [("社团目录", CATALOGUE_HEADERS, catalogue),
                           ("社团名单", ["社团", *ROSTER_HEADERS],
                            [line for c in clubs for line in _roster_lines(rosters[c.id], c.name)])]
    return titled_workbook(export_title(session, term.school_id, "社团目录与名单", term=term), sheets)
