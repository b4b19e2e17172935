"""The teachers' service record (课时): each session served counts as one extra lesson (一次相当于加课时一节).

A session counts for each teacher on it (SessionStaff) when its day is still a served day in the
calendar and is today or earlier: a day cancelled afterwards (运动会) counts for nobody, even if its
sessions had been created. A substitute (代课) counts for the substitute, not for the teacher replaced.
Sessions are created lazily, so the record first makes sure every served day up to today has them.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlmodel import Session, select

from app.attendance.models import ServiceSession, SessionKind, SessionStaff
from app.attendance.places import service_day
from app.calendar.service import WEEKDAY_NAMES, service_days
from app.core.clock import today
from app.core.deps import Caller
from app.core.errors import Forbidden
from app.core.scope import get_in_schools
from app.core.xlsx import workbook_bytes
from app.duty.models import DutyAssignment, PatrolRecord
from app.enrollment.service import published_plan
from app.people.models import Staff
from app.people.service import staff_names
from app.schools.models import School, Term
from app.schools.service import export_title, school_rules
from app.workload.schemas import SchoolRecordsOut, ServedSession, ServiceRecordOut, StaffTotals, Totals

KIND_LABELS = {SessionKind.CARE_GROUP: "看护班", SessionKind.CLUB: "社团"}
SUMMARY_HEADERS = ["姓名", "看护班课时", "社团课时", "代课", "合计课时", "合计时长（分钟）", "巡查次数", "值班天数",
                   "补助（元）"]
DETAIL_HEADERS = ["日期", "星期", "教师", "看护班/社团", "类型", "开始", "结束", "时长（分钟）", "代课（顶替）"]


@dataclass(frozen=True)
class Month:
    first: date
    last: date
    text: str  # "2026-11"

    @classmethod
    def parse(cls, text: str | None) -> "Month":
        """A "YYYY-MM" month (the route checked its form); the current month when none is given."""
        first = date.fromisoformat(f"{text}-01") if text else today().replace(day=1)
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return cls(first, last, first.strftime("%Y-%m"))

    @property
    def label(self) -> str:
        return f"{self.first.year}年{self.first.month}月"

    @property
    def counted_until(self) -> date | None:
        """The last day that counts: the month's end, or today in the running month."""
        end = min(self.last, today())
        return end if end >= self.first else None


def _minutes(starts_at: str, ends_at: str) -> int:
    (sh, sm), (eh, em) = (map(int, starts_at.split(":")), map(int, ends_at.split(":")))
    return max(0, eh * 60 + em - sh * 60 - sm)


def served_days(session: Session, school_id: int, first: date, last: date) -> list[date]:
    """The days between `first` and `last` the calendar (as it stands now) says the school serves."""
    terms = session.exec(select(Term).where(Term.school_id == school_id, Term.starts_on <= last,
                                            Term.ends_on >= first)).all()
    days = []
    for term in terms:
        plan = published_plan(session, term.id)
        if plan is not None:
            days += [d.day for d in service_days(session, term, plan, start=first, end=last) if d.served]
    return sorted(days)


def _counted_days(session: Session, school_id: int, month: Month) -> list[date]:
    """The served days of the month up to the last day that counts (none for a month not begun). Read once per
    record and handed to whatever needs them: the calendar is the costly read."""
    until = month.counted_until
    return served_days(session, school_id, month.first, until) if until is not None else []


def _served(session: Session, school_id: int, month: Month, days: list[date], staff_id: int | None = None
            ) -> list[tuple[SessionStaff, ServiceSession]]:
    """Every (teacher, session) that counts in the month (`days`: its counted days), in date order."""
    until = month.counted_until
    if not days:
        return []
    # A day somebody opened already has all its sessions; today's teachers may still change with the rota.
    opened = set(session.exec(select(ServiceSession.day).where(
        ServiceSession.school_id == school_id, ServiceSession.day.in_(days)).distinct()).all())
    for day in days:
        if day not in opened or day == until == today():
            service_day(session, school_id, day)
    query = (select(SessionStaff, ServiceSession).join(ServiceSession, ServiceSession.id == SessionStaff.session_id)
             .where(SessionStaff.school_id == school_id, ServiceSession.day.in_(days)))
    if staff_id is not None:
        query = query.where(SessionStaff.staff_id == staff_id)
    return list(session.exec(query.order_by(ServiceSession.day, ServiceSession.starts_at, ServiceSession.name,
                                            SessionStaff.staff_id)).all())


def _totals(rows: list[tuple[SessionStaff, ServiceSession]]) -> Totals:
    return Totals(sessions=len(rows),
                  care_group_sessions=sum(s.kind == SessionKind.CARE_GROUP for _, s in rows),
                  club_sessions=sum(s.kind == SessionKind.CLUB for _, s in rows),
                  substitutions=sum(r.replaced_staff_id is not None for r, _ in rows),
                  minutes=sum(_minutes(s.starts_at, s.ends_at) for _, s in rows))


def _names(session: Session, rows: list[tuple[SessionStaff, ServiceSession]]) -> dict[int, str]:
    return staff_names(session, [r.staff_id for r, _ in rows] + [r.replaced_staff_id for r, _ in rows])


def _served_session(row: SessionStaff, served: ServiceSession, names: dict[int, str]) -> ServedSession:
    return ServedSession(session_id=served.id, date=served.day, weekday=served.day.isoweekday(), name=served.name,
                         kind=served.kind, kind_label=KIND_LABELS.get(served.kind, served.kind),
                         starts_at=served.starts_at, ends_at=served.ends_at,
                         minutes=_minutes(served.starts_at, served.ends_at),
                         substitution=row.replaced_staff_id is not None,
                         replaced_staff_name=names.get(row.replaced_staff_id) if row.replaced_staff_id else None)


def staff_record(*, session: Session, caller: Caller, staff_id: int, month: str | None) -> ServiceRecordOut:
    """One staff member's month, for themself or an admin of their school."""
    staff = get_in_schools(session, Staff, staff_id, caller.school_ids, message="未找到该教职工")
    if caller.actor.staff_id(staff.school_id) != staff.id and not caller.actor.has_role(staff.school_id, "admin"):
        raise Forbidden("NOT_OWN_RECORD", "只能查看自己的课时记录")
    period = Month.parse(month)
    rows = _served(session, staff.school_id, period, _counted_days(session, staff.school_id, period), staff.id)
    names = _names(session, rows)
    return ServiceRecordOut(staff_id=staff.id, staff_name=staff.name, month=period.text,
                            counted_until=period.counted_until, totals=_totals(rows),
                            sessions=[_served_session(r, s, names) for r, s in rows])


def _by_staff(rows: list[tuple[SessionStaff, ServiceSession]]) -> dict[int, list[tuple[SessionStaff, ServiceSession]]]:
    grouped: dict[int, list] = defaultdict(list)
    for row, served in rows:
        grouped[row.staff_id].append((row, served))
    return dict(sorted(grouped.items()))


def _duty_counts(session: Session, school_id: int, month: Month, counted: list[date]) -> dict[int, tuple[int, int]]:
    """staff id → (patrols recorded, days on the duty roster) in the month, up to the day counted (`counted`: the
    month's counted days; a duty day counts only on one of them)."""
    until = month.counted_until
    if until is None:
        return {}
    patrols = Counter(session.exec(select(PatrolRecord.staff_id).where(
        PatrolRecord.school_id == school_id, PatrolRecord.day >= month.first, PatrolRecord.day <= until)).all())
    served = set(counted)
    days = Counter(staff_id for staff_id, day in session.exec(select(DutyAssignment.staff_id, DutyAssignment.day).where(
        DutyAssignment.school_id == school_id, DutyAssignment.day >= month.first, DutyAssignment.day <= until)).all()
        if day in served)
    return {sid: (patrols[sid], days[sid]) for sid in set(patrols) | set(days)}


def _staff_totals(session: Session, school: School, period: Month, days: list[date],
                  rows: list[tuple[SessionStaff, ServiceSession]]) -> list[StaffTotals]:
    """Everyone who served a session, patrolled or was on duty in the month, with their pay."""
    rules = school_rules(session, school.id)
    duty = _duty_counts(session, school.id, period, days)
    by_staff = _by_staff(rows)
    ids = sorted(set(by_staff) | set(duty))
    names = staff_names(session, ids)
    out = []
    for staff_id in ids:
        totals = _totals(by_staff.get(staff_id, []))
        patrols, duty_days = duty.get(staff_id, (0, 0))
        out.append(StaffTotals(staff_id=staff_id, staff_name=names.get(staff_id, ""), **totals.model_dump(),
                               patrols=patrols, duty_days=duty_days,
                               pay_cents=totals.sessions * rules.pay_per_session_cents
                               + duty_days * rules.pay_per_duty_day_cents))
    return out


def school_records(*, session: Session, school: School, month: str | None) -> SchoolRecordsOut:
    """Every staff member with sessions, patrols or duty days in the month: the list for workload pay (finance)
    and the monthly publicity (每月公示)."""
    period = Month.parse(month)
    days = _counted_days(session, school.id, period)
    rows = _served(session, school.id, period, days)
    staff = _staff_totals(session, school, period, days, rows)
    rules = school_rules(session, school.id)
    return SchoolRecordsOut(school_id=school.id, school_name=school.name, month=period.text,
                            counted_until=period.counted_until, staff=staff, totals=_totals(rows),
                            pay_per_session_cents=rules.pay_per_session_cents,
                            pay_per_duty_day_cents=rules.pay_per_duty_day_cents,
                            pay_cents=sum(s.pay_cents for s in staff))


def school_records_xlsx(*, session: Session, school: School, month: str | None) -> tuple[bytes, str]:
    """The month as an .xlsx (summary for 每月公示, then every session) and its file name."""
    period = Month.parse(month)
    days = _counted_days(session, school.id, period)
    rows = _served(session, school.id, period, days)
    names = _names(session, rows)
    workbook = Workbook()
    summary = workbook.active
    summary.title = "课时统计"
    title = export_title(session, school.id, f"{period.label} 课后服务教师课时统计", start=period.first,
                         end=period.last, show_dates=False)
    summary.append([title])
    summary.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(SUMMARY_HEADERS))
    summary["A1"].font = Font(bold=True, size=14)
    summary["A1"].alignment = Alignment(horizontal="center")
    summary.append(SUMMARY_HEADERS)
    staff = _staff_totals(session, school, period, days, rows)
    for t in staff:
        summary.append([t.staff_name, t.care_group_sessions, t.club_sessions, t.substitutions, t.sessions, t.minutes,
                        t.patrols, t.duty_days, t.pay_cents / 100])
    t = _totals(rows)
    summary.append(["合计", t.care_group_sessions, t.club_sessions, t.substitutions, t.sessions, t.minutes,
                    sum(x.patrols for x in staff), sum(x.duty_days for x in staff),
                    sum(x.pay_cents for x in staff) / 100])
    for cell in (*summary[2], *summary[summary.max_row]):
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGHI", (14, 12, 12, 8, 12, 16, 10, 10, 12), strict=True):
        summary.column_dimensions[column].width = width

    detail = workbook.create_sheet("明细")
    detail.append(DETAIL_HEADERS)
    for cell in detail[1]:
        cell.font = Font(bold=True)
    for row, served in rows:
        item = _served_session(row, served, names)
        detail.append([item.date.isoformat(), WEEKDAY_NAMES[item.weekday], names.get(row.staff_id, ""), item.name,
                       item.kind_label, item.starts_at, item.ends_at, item.minutes, item.replaced_staff_name or ""])
    for column, width in zip("ABCDEFGHI", (12, 6, 12, 20, 8, 8, 8, 12, 14), strict=True):
        detail.column_dimensions[column].width = width

    return workbook_bytes(workbook), f"{school.name}-{period.label}-课后服务教师课时统计.xlsx"
