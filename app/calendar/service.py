"""The service calendar: which days of a term the school serves, and each day's timetable.

A day is served when it is one of the published plan's weekdays and a working day by the
State Council's holiday schedule (chinese-calendar knows the holidays and the make-up
working days, 调休), minus the days the school cancels, plus the days it adds. Whether
the school serves make-up working days is its own setting (`SchoolRules`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import chinese_calendar
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.calendar.models import CalendarChange, DayChangeKind
from app.calendar.schemas import CalendarOut, ClubMeeting, DayChangeIn, DayOut, Timetable
from app.clubs.models import Club
from app.core.errors import AppError, Conflict, NotFound
from app.enrollment.models import ServicePlan
from app.enrollment.service import published_plan, require_published_plan
from app.leave.models import LeaveDay, LeaveKind, LeaveRequest, LeaveStatus
from app.schools.models import SchoolRules, Term
from app.schools.service import school_rules

WEEKDAY_NAMES = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}
HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


class DayKind:
    REGULAR = "regular"          # a plan weekday, a working day
    HOLIDAY = "holiday"          # a statutory holiday (法定节假日)
    MAKEUP = "makeup"            # a make-up working day on a weekend (调休上班)
    CANCELLED = "cancelled"      # the school called it off
    ADDED = "added"              # the school added it
    NOT_PLANNED = "not_planned"  # a working day the plan does not serve (e.g. Friday = teachers' study)
    WEEKEND = "weekend"
    LABELS = {REGULAR: "正常服务", HOLIDAY: "法定节假日", MAKEUP: "调休上班日", CANCELLED: "停课",
              ADDED: "加开", NOT_PLANNED: "方案未安排", WEEKEND: "周末"}


def grade_band(grade: int) -> str:
    """低年级 1–2, 中年级 3–4, 高年级 5–6: the plan's staggered dismissal bands."""
    return "low" if grade <= 2 else "mid" if grade <= 4 else "high"


def add_minutes(hhmm: str, minutes: int) -> str:
    moment = datetime.strptime(hhmm, "%H:%M") + timedelta(minutes=minutes)
    return moment.strftime("%H:%M")


def timetable(plan: ServicePlan, day: date) -> Timetable:
    """The day's times: homework help first (at most one lesson), then activities until each band's end."""
    winter = plan.winter and date.fromisoformat(str(plan.winter["starts_on"])) <= day
    source = plan.winter if winter else plan.end_times
    end_times = {band: source.get(band) or plan.end_times.get(band) or "17:30" for band in ("low", "mid", "high")}
    homework_ends = add_minutes(plan.starts_at, plan.homework_minutes)
    return Timetable(starts_at=plan.starts_at, homework_ends_at=homework_ends, activity_starts_at=homework_ends,
                     end_times=end_times, winter=bool(winter))


@dataclass(frozen=True)
class StatutoryDay:
    is_workday: bool
    holiday_name: str | None
    known: bool  # False when chinese-calendar has no schedule for that year yet


def statutory(day: date) -> StatutoryDay:
    try:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        # The State Council publishes each year's schedule late in the year before; until
        # the package knows it, weekends are off and the school cancels holidays by hand.
        return StatutoryDay(is_workday=day.isoweekday() <= 5, holiday_name=None, known=False)
    return StatutoryDay(is_workday=not is_holiday, holiday_name=HOLIDAY_NAMES.get(name, name) if is_holiday else None,
                        known=True)


@dataclass(frozen=True)
class ServiceDay:
    """What the calendar says of one date."""

    day: date
    kind: str
    served: bool
    note: str | None
    # The weekday whose clubs and tutors run that day (an added Saturday may follow Friday's).
    runs_as_weekday: int
    change_id: int | None = None


def classify(day: date, plan: ServicePlan, rules: SchoolRules, change: CalendarChange | None) -> ServiceDay:
    weekday = day.isoweekday()
    law = statutory(day)
    if change is not None:
        served = change.kind == DayChangeKind.ADD
        return ServiceDay(day, DayKind.ADDED if served else DayKind.CANCELLED, served, change.reason,
                          change.follows_weekday or weekday, change.id)
    if not law.is_workday:
        kind = DayKind.HOLIDAY if law.holiday_name and weekday <= 5 else DayKind.WEEKEND
        return ServiceDay(day, kind, False, law.holiday_name, weekday)
    if weekday > 5:
        return ServiceDay(day, DayKind.MAKEUP, rules.service_on_makeup_days, "调休上班", weekday)
    if weekday not in plan.weekdays:
        return ServiceDay(day, DayKind.NOT_PLANNED, False, None, weekday)
    return ServiceDay(day, DayKind.REGULAR, True, None, weekday)


def _changes(session: Session, term_id: int) -> dict[date, CalendarChange]:
    rows = session.exec(select(CalendarChange).where(CalendarChange.term_id == term_id)).all()
    return {row.day: row for row in rows}


def _dates(start: date, end: date) -> Iterable[date]:
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


def service_days(session: Session, term: Term, plan: ServicePlan, *, start: date | None = None,
                 end: date | None = None) -> list[ServiceDay]:
    """Every date of the term (or of [start, end] within it), classified."""
    rules = school_rules(session, term.school_id)
    changes = _changes(session, term.id)
    first, last = max(start or term.starts_on, term.starts_on), min(end or term.ends_on, term.ends_on)
    return [classify(day, plan, rules, changes.get(day)) for day in _dates(first, last)]


def day_in_force(session: Session, school_id: int, day: date) -> tuple[Term, ServicePlan, ServiceDay] | None:
    """The term, plan and calendar entry for a school's date, or None when no published plan covers it."""
    term = session.exec(select(Term).where(Term.school_id == school_id, Term.starts_on <= day,
                                           Term.ends_on >= day)).first()
    plan = published_plan(session, term.id) if term else None
    if plan is None:
        return None
    change = session.exec(select(CalendarChange).where(CalendarChange.term_id == term.id,
                                                       CalendarChange.day == day)).first()
    return term, plan, classify(day, plan, school_rules(session, school_id), change)


def day_out(entry: ServiceDay, plan: ServicePlan) -> DayOut:
    return DayOut(date=entry.day, weekday=entry.day.isoweekday(), kind=entry.kind,
                  kind_label=DayKind.LABELS[entry.kind], served=entry.served, note=entry.note,
                  runs_as_weekday=entry.runs_as_weekday, change_id=entry.change_id,
                  timetable=timetable(plan, entry.day) if entry.served else None)


def calendar_warnings(days: list[ServiceDay], plan: ServicePlan) -> list[str]:
    """What the admin should look at: years the holiday data does not cover, served days with no plan weekday."""
    warnings = []
    unknown_years = sorted({d.day.year for d in days if not statutory(d.day).known})
    for year in unknown_years:
        warnings.append(f"chinese-calendar 尚未收录 {year} 年的法定节假日安排：请按国务院公布的安排在日历中手动停课。")
    for d in days:
        if d.served and d.runs_as_weekday not in plan.weekdays:
            warnings.append(f"{d.day.isoformat()}（{WEEKDAY_NAMES[d.day.isoweekday()]}）提供服务，但未指定按周几课表，"
                            f"当天没有社团和按星期安排的看护教师。")
    return warnings


def leave_counts(session: Session, school_id: int, start: date, end: date) -> dict[date, int]:
    """Children on leave in force per day. Early pickup is left out: those children still come."""
    rows = session.exec(select(LeaveDay.day, func.count(func.distinct(LeaveDay.student_id)))
                        .join(LeaveRequest, LeaveRequest.id == LeaveDay.leave_id)
                        .where(LeaveDay.school_id == school_id, LeaveDay.day >= start, LeaveDay.day <= end,
                               LeaveRequest.status.in_(LeaveStatus.IN_FORCE),
                               LeaveRequest.kind != LeaveKind.EARLY_PICKUP)
                        .group_by(LeaveDay.day)).all()
    return dict(rows)


def term_calendar(*, session: Session, term: Term, start: date | None = None, end: date | None = None,
                  with_leave: bool = False) -> CalendarOut:
    """The term's days; `with_leave` (staff callers) adds each served day's count of children on leave."""
    plan = require_published_plan(session, term.id)
    days = service_days(session, term, plan, start=start, end=end)
    out = [day_out(d, plan) for d in days]
    meetings = club_meetings(session, term.id)
    for day, entry in zip(out, days, strict=True):
        if entry.served:
            day.clubs = meetings.get(entry.runs_as_weekday, [])
    if with_leave and days:
        counts = leave_counts(session, term.school_id, days[0].day, days[-1].day)
        for day, entry in zip(out, days, strict=True):
            day.leave_count = counts.get(entry.day, 0) if entry.served else 0
    return CalendarOut(term_id=term.id, weekdays=plan.weekdays, days=out,
                       service_day_count=sum(d.served for d in days), warnings=calendar_warnings(days, plan),
                       leave_cutoff=school_rules(session, term.school_id).leave_cutoff)


def club_meetings(session: Session, term_id: int) -> dict[int, list[ClubMeeting]]:
    """weekday → the term's open clubs meeting that weekday, by start time: each is a session on a served day."""
    clubs = session.exec(select(Club).where(Club.term_id == term_id, Club.is_active == True)  # noqa: E712
                         .order_by(Club.start_time, Club.name)).all()
    meetings: dict[int, list[ClubMeeting]] = {}
    for club in clubs:
        for weekday in club.weekdays:
            meetings.setdefault(weekday, []).append(ClubMeeting(
                club_id=club.id, name=club.name, venue=club.venue, starts_at=club.start_time, ends_at=club.end_time))
    return meetings


def change_day(*, session: Session, term: Term, data: DayChangeIn, account_id: int) -> DayOut:
    """Cancel a day the plan serves, or add one it does not; a second change of the same date replaces the first."""
    if not term.starts_on <= data.date <= term.ends_on:
        raise AppError("DATE_OUTSIDE_TERM", f"{data.date.isoformat()} 不在本学期内")
    plan = require_published_plan(session, term.id)
    existing = session.exec(select(CalendarChange).where(CalendarChange.term_id == term.id,
                                                         CalendarChange.day == data.date)).first()
    planned = classify(data.date, plan, school_rules(session, term.school_id), None)
    if planned.served == (data.kind == DayChangeKind.ADD):
        if existing is not None:  # back to what the calendar says anyway: the change is undone
            session.delete(existing)
            session.commit()
            return day_out(planned, plan)
        raise Conflict("DAY_ALREADY_SO", "该日本来就" + ("提供服务" if planned.served else "不提供服务"))
    change = existing or CalendarChange(school_id=term.school_id, term_id=term.id, day=data.date,
                                        kind=data.kind, reason=data.reason, created_by=account_id)
    change.kind, change.reason, change.created_by = data.kind, data.reason, account_id
    change.follows_weekday = data.follows_weekday if data.kind == DayChangeKind.ADD else None
    session.add(change)
    try:
        session.commit()
    except IntegrityError:  # two admins changing the same date at once
        session.rollback()
        raise Conflict("DAY_CHANGED_CONCURRENTLY", "该日期刚被其他管理员修改，请刷新后重试") from None
    session.refresh(change)
    return day_out(classify(data.date, plan, school_rules(session, term.school_id), change), plan)


def undo_change(*, session: Session, change_id: int, school_ids: frozenset[int]) -> None:
    change = session.get(CalendarChange, change_id)
    if change is None or change.school_id not in school_ids:
        raise NotFound("CALENDAR_CHANGE_NOT_FOUND", "未找到该日历调整")
    session.delete(change)
    session.commit()
