"""The day's record (值班日志 / 当日报告): sessions and teachers, attendance, patrols, incidents, pickups and 清校.

Until signed it is computed live; the duty leader's sign-off freezes it (a snapshot), and later corrections
are appended beside it, never into it. Exported as .xlsx and as a printable HTML page.
"""

import html
from collections import Counter
from datetime import date

from sqlmodel import Session, select

from app.attendance.service import hhmm, school_sessions
from app.core.clock import today, utcnow
from app.core.db import InsertOnce
from app.core.xlsx import titled_workbook
from app.core.deps import Caller
from app.core.errors import AppError, Forbidden
from app.duty.models import DailyReportCorrection, DailyReportSignoff, PatrolRecord
from app.duty.schemas import (
    DailyReportOut, ReportCorrection, ReportIncident, ReportPickups, ReportSession,
)
from app.duty.on_duty import duty_staff_ids
from app.duty.service import patrol_times, patrols_of_day, roster
from app.incidents.models import Incident
from app.incidents.service import list_incidents
from app.people.models import Staff
from app.pickup.models import Clearance, Handoff, HandoffMethod, LatePickup, LateStage
from app.schools.models import School
from app.schools.service import school_rules

_sign_once = InsertOnce(DailyReportSignoff, "school_id", "day")


def _live(session: Session, school_id: int, day: date) -> DailyReportOut:
    rules = school_rules(session, school_id)
    sessions = school_sessions(session, school_id, day)
    done = Counter(session.exec(select(PatrolRecord.session_id).where(PatrolRecord.school_id == school_id,
                                                                      PatrolRecord.day == day)).all())
    rows = [ReportSession(session_id=s.id, name=s.name, kind_label=s.kind_label, starts_at=s.starts_at,
                          ends_at=s.ends_at, teachers=[t.name for t in s.teachers], expected=s.expected_count,
                          present=s.arrived_count, leave=s.leave_count,
                          absent=max(0, s.expected_count - s.arrived_count),
                          patrols_expected=len(patrol_times(s, day, rules.patrols_per_lesson, rules.lesson_minutes)),
                          patrols_done=done[s.id]) for s in sessions]
    totals = {key: sum(getattr(r, key) for r in rows)
              for key in ("expected", "present", "leave", "absent", "patrols_expected", "patrols_done")}
    handoffs = session.exec(select(Handoff).where(Handoff.school_id == school_id, Handoff.day == day)).all()
    lates = session.exec(select(LatePickup).where(LatePickup.school_id == school_id, LatePickup.day == day)).all()
    cleared = session.exec(select(Clearance).where(Clearance.school_id == school_id, Clearance.day == day)).first()
    methods = Counter(h.method for h in handoffs)
    listed = roster(session=session, school_id=school_id, start=day, end=day)
    incidents = list_incidents(session=session, school_id=school_id, start=day, end=day)
    return DailyReportOut(
        date=day, school_name=session.get(School, school_id).name, served=bool(sessions),
        leader=listed[0].leader.name if listed and listed[0].leader else None, sessions=rows, totals=totals,
        patrols=patrols_of_day(session=session, school_id=school_id, day=day),
        patrols_missing=sum(max(0, r.patrols_expected - r.patrols_done) for r in rows),
        incidents=[ReportIncident(id=i.id, time=hhmm(i.at), type_label=i.type_label, severity_label=i.severity_label,
                                  place=i.place, children=[c.name for c in i.children], status=i.status,
                                  resolution=i.resolution) for i in incidents],
        pickups=ReportPickups(
            released=len(handoffs), by_method={HandoffMethod.LABELS[m]: n for m, n in sorted(methods.items())},
            manual=methods[HandoffMethod.MANUAL], late=len(lates),
            with_guard=sum(1 for x in lates if x.stage == LateStage.WITH_GUARD),
            latest_release=hhmm(max(h.released_at for h in handoffs)) if handoffs else None,
            cleared_at=hhmm(cleared.cleared_at) if cleared else None,
            cleared_by=cleared.cleared_by_name if cleared else None),
        signed=False)


def _corrections(session: Session, school_id: int, day: date) -> list[ReportCorrection]:
    return [ReportCorrection(text=c.text, written_by=c.written_by_name, written_at=c.written_at)
            for c in session.exec(select(DailyReportCorrection).where(
                DailyReportCorrection.school_id == school_id, DailyReportCorrection.day == day)
                .order_by(DailyReportCorrection.id)).all()]


def _signoff(session: Session, school_id: int, day: date) -> DailyReportSignoff | None:
    return session.exec(select(DailyReportSignoff).where(DailyReportSignoff.school_id == school_id,
                                                         DailyReportSignoff.day == day)).first()


def daily_report(*, session: Session, school_id: int, day: date) -> DailyReportOut:
    """The signed record with its corrections, or the live report of a day not yet signed."""
    if day > today():
        raise AppError("DATE_IN_FUTURE", "还没到这一天")
    signed = _signoff(session, school_id, day)
    if signed is None:
        return _live(session, school_id, day)
    report = DailyReportOut.model_validate(signed.snapshot)
    return report.model_copy(update={"signed": True, "signed_by": signed.signed_by_name,
                                     "signed_at": signed.signed_at,
                                     "corrections": _corrections(session, school_id, day)})


def _signer(session: Session, caller: Caller, school_id: int, day: date) -> Staff:
    staff_id = caller.actor.staff_id(school_id)
    if not (caller.actor.has_role(school_id, "admin") or staff_id in duty_staff_ids(session, school_id, day)):
        raise Forbidden(message="只有当天的值班领导或管理员可以签字")
    return session.get(Staff, staff_id)


def sign(*, session: Session, caller: Caller, school_id: int, day: date) -> DailyReportOut:
    """签字: the report as it is now becomes the day's record; signing again changes nothing."""
    if day > today():
        raise AppError("DATE_IN_FUTURE", "还没到这一天")
    signer = _signer(session, caller, school_id, day)
    if _signoff(session, school_id, day) is None:
        snapshot = _live(session, school_id, day).model_dump(mode="json")
        _sign_once(session, {"school_id": school_id, "day": day, "signed_by_staff_id": signer.id,
                             "signed_by_name": signer.name, "signed_at": utcnow(),
                             "snapshot": snapshot})
        session.commit()
    return daily_report(session=session, school_id=school_id, day=day)


def correct(*, session: Session, caller: Caller, school_id: int, day: date, text: str) -> DailyReportOut:
    """A correction to a signed report, appended with who and when."""
    if _signoff(session, school_id, day) is None:
        raise AppError("REPORT_NOT_SIGNED", "报告还没有签字，直接修改原记录即可", status_code=409)
    signer = _signer(session, caller, school_id, day)
    session.add(DailyReportCorrection(school_id=school_id, day=day, text=text.strip(), written_by=caller.account_id,
                                      written_by_name=signer.name))
    session.commit()
    return daily_report(session=session, school_id=school_id, day=day)


def named_children(session: Session, report: DailyReportOut) -> list[int]:
    """The children the report names (those of its incidents), for the access audit of an export."""
    ids = [i.id for i in report.incidents]
    return [sid for ids_ in session.exec(select(Incident.student_ids).where(Incident.id.in_(ids))).all()
            for sid in ids_] if ids else []


# ---------- exports ----------

SESSION_HEADERS = ["场次", "类型", "时间", "教师", "应到", "实到", "请假", "缺勤", "应巡查", "已巡查"]
PATROL_HEADERS = ["时间", "场次", "巡查人", "教师在岗", "看到人数", "点名已到", "人数不符", "秩序", "备注"]
INCIDENT_HEADERS = ["时间", "类型", "程度", "地点", "涉及学生", "状态", "处理结果"]


def _title(report: DailyReportOut) -> str:
    return f"{report.school_name} 课后服务值班日志 {report.date:%Y年%m月%d日}"


def _summary_lines(report: DailyReportOut) -> list[tuple[str, str]]:
    t, p = report.totals, report.pickups
    return [("值班领导", report.leader or "未排"),
            ("出勤", f"应到 {t['expected']}，实到 {t['present']}，请假 {t['leave']}，缺勤 {t['absent']}"),
            ("巡查", f"应巡查 {t['patrols_expected']} 次，已巡查 {t['patrols_done']} 次，未巡查 {report.patrols_missing} 次"),
            ("接送", f"已接走 {p.released}（人工核对 {p.manual}），超时 {p.late}，交门卫 {p.with_guard}，"
                     f"最后离校 {p.latest_release or '—'}"),
            ("清校", f"{p.cleared_at} {p.cleared_by}" if p.cleared_at else "未清校"),
            ("签字", f"{report.signed_by} {report.signed_at:%H:%M}" if report.signed and report.signed_at else "未签字")]


def _session_row(s: ReportSession) -> list:
    return [s.name, s.kind_label, f"{s.starts_at}-{s.ends_at}", "、".join(s.teachers), s.expected, s.present,
            s.leave, s.absent, s.patrols_expected, s.patrols_done]


def _patrol_rows(report: DailyReportOut) -> list[list]:
    return [[p.time, p.session_name, p.by, "是" if p.teacher_present else "否", p.headcount_seen, p.roster_present,
             "是" if p.headcount_differs else "", p.order_label, p.note or ""] for p in report.patrols]


def _incident_rows(report: DailyReportOut) -> list[list]:
    return [[i.time, i.type_label, i.severity_label, i.place, "、".join(i.children),
             "已结案" if i.status == "closed" else "处理中", i.resolution or ""] for i in report.incidents]


def report_xlsx(report: DailyReportOut, title: str | None = None) -> bytes:
    """The report's sheets under `title` (the school, its term and the day; `_title` without a term)."""
    sheets = [("概况", ["项目", "内容"], [list(line) for line in _summary_lines(report)]),
              ("场次与出勤", SESSION_HEADERS, [_session_row(s) for s in report.sessions]),
              ("巡查", PATROL_HEADERS, _patrol_rows(report)),
              ("突发情况", INCIDENT_HEADERS, _incident_rows(report)),
              ("更正", ["时间", "更正人", "内容"], [[f"{c.written_at:%Y-%m-%d %H:%M}", c.written_by, c.text]
                                            for c in report.corrections])]
    return titled_workbook(title or _title(report), sheets, name_in_title=False)


def _table(headers: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body or '<tr><td>无</td></tr>'}</tbody></table>"


def report_html(report: DailyReportOut) -> str:
    """A page to print (or save as PDF from the browser): the same content as the .xlsx."""
    summary = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in _summary_lines(report))
    corrections = "".join(f"<li>{c.written_at:%m-%d %H:%M} {html.escape(c.written_by)}：{html.escape(c.text)}</li>"
                          for c in report.corrections)
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(_title(report))}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;margin:1em 0;width:100%}}
th,td{{border:1px solid #999;padding:4px 8px;text-align:left}}@media print{{body{{margin:0}}}}</style></head><body>
<h1>{html.escape(_title(report))}</h1><table>{summary}</table>
<h2>场次与出勤</h2>{_table(SESSION_HEADERS, [_session_row(s) for s in report.sessions])}
<h2>巡查</h2>{_table(PATROL_HEADERS, _patrol_rows(report))}
<h2>突发情况</h2>{_table(INCIDENT_HEADERS, _incident_rows(report))}
<h2>更正</h2><ul>{corrections or '<li>无</li>'}</ul></body></html>"""
