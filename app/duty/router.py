from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from app.audit.service import record_access
from app.core.clock import today
from app.core.deps import STAFF, Caller, SessionDep, allow
from app.core.ids import PathId
from app.core.xlsx import XLSX_MEDIA_TYPE, export_route, xlsx_response
from app.core.scope import acting_school
from app.duty import exports, report, service
from app.duty.schemas import CorrectionIn, DailyReportOut, DayRosterIn, DutyTodayOut, GenerateIn, PatrolIn, PatrolOut, RosterDayOut, SwapIn
from app.schools.service import export_title, get_term

router = APIRouter(prefix="/duty", tags=["值班与巡查"])

Admin = Annotated[Caller, Depends(allow("admin"))]
AnyStaff = Annotated[Caller, Depends(allow(*STAFF))]
OnDuty = Annotated[Caller, Depends(allow("duty_leader", "admin", "teacher", "class_head"))]
SchoolId = Annotated[int | None, Query(ge=1, description="在多所学校任职时指定学校")]
OnDate = Annotated[date | None, Query(description="YYYY-MM-DD，默认今天")]
From = Annotated[date | None, Query(alias="from")]
Reader = Annotated[Caller, Depends(allow("duty_leader", "admin"))]  # the day's record and the exports


@router.get("/today", response_model=DutyTodayOut, summary="我今天是否值班、值班要做什么、各场次应巡查和已巡查次数")
def duty_today(session: SessionDep, caller: AnyStaff, school_id: SchoolId = None) -> DutyTodayOut:
    return service.duty_today(session=session, caller=caller, school_id=acting_school(caller.school_ids, school_id))


@router.get("/roster", response_model=list[RosterDayOut], summary="值班表（默认从今天起两周）")
def roster(session: SessionDep, caller: AnyStaff, school_id: SchoolId = None,
           from_: From = None, to: OnDate = None) -> list[RosterDayOut]:
    start = from_ or today()
    return service.roster(session=session, school_id=acting_school(caller.school_ids, school_id), start=start,
                          end=to or start + timedelta(days=13))


@export_route(router, "/roster/export.xlsx", summary="导出值班表（.xlsx，默认从今天起两周）")
def export_roster(session: SessionDep, caller: Reader, school_id: SchoolId = None, from_: From = None,
                  to: OnDate = None) -> Response:
    school, start = acting_school(caller.school_ids, school_id), from_ or today()
    end = to or start + timedelta(days=13)
    days = service.roster(session=session, school_id=school, start=start, end=end)
    record_access(session, caller, school_id=school, action="export.duty_roster", detail=f"{start}至{end}")
    return xlsx_response(exports.roster_xlsx(session, school, days, start, end), f"值班表-{start}至{end}.xlsx",
                         "duty-roster.xlsx")


@router.put("/roster", response_model=RosterDayOut, summary="排一天的值班（值班领导一名，巡查人员若干）；再次提交即替换")
def set_day(body: DayRosterIn, session: SessionDep, caller: Admin, school_id: SchoolId = None) -> RosterDayOut:
    return service.set_day(session=session, school_id=acting_school(caller.school_ids, school_id), day=body.date,
                           leader_staff_id=body.leader_staff_id, patrol_staff_ids=body.patrol_staff_ids,
                           account_id=caller.account_id)


@router.post("/roster/swap", response_model=RosterDayOut, summary="换班（本人或管理员），记录原值班人和原因")
def swap(body: SwapIn, session: SessionDep, caller: AnyStaff, school_id: SchoolId = None) -> RosterDayOut:
    return service.swap(session=session, caller=caller, school_id=acting_school(caller.school_ids, school_id), day=body.date,
                        from_staff_id=body.from_staff_id, to_staff_id=body.to_staff_id, reason=body.reason)


@router.post("/terms/{term_id}/roster/generate", response_model=list[RosterDayOut],
             summary="按值班领导轮流生成学期值班表（已排的日子默认保留）")
def generate(term_id: PathId, body: GenerateIn, session: SessionDep, caller: Admin) -> list[RosterDayOut]:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return service.generate(session=session, term=term, start=body.from_, end=body.to, overwrite=body.overwrite,
                            account_id=caller.account_id)


@router.post("/patrols", response_model=PatrolOut, status_code=201,
             summary="记录巡查（教师在岗、看到的人数、秩序）；人数与点名不符会标出；支持 Idempotency-Key")
def record_patrol(body: PatrolIn, session: SessionDep, caller: OnDuty) -> PatrolOut:
    return service.record_patrol(session=session, caller=caller, data=body)


@router.get("/patrols", response_model=list[PatrolOut], summary="当天的巡查记录")
def patrols(session: SessionDep, caller: AnyStaff, date: OnDate = None, school_id: SchoolId = None
            ) -> list[PatrolOut]:
    return service.patrols_of_day(session=session, school_id=acting_school(caller.school_ids, school_id), day=date or today())


@export_route(router, "/patrols/export.xlsx", summary="导出巡查记录（.xlsx，默认当天，可给日期范围）")
def export_patrols(session: SessionDep, caller: Reader, school_id: SchoolId = None,
                   from_: Annotated[date | None, Query(alias="from", description="默认与 to 相同")] = None,
                   to: OnDate = None) -> Response:
    school = acting_school(caller.school_ids, school_id)
    end = to or today()
    start = from_ or end
    patrols = service.patrols_between(session=session, school_id=school, start=start, end=end)
    record_access(session, caller, school_id=school, action="export.patrols", detail=f"{start}至{end}")
    return xlsx_response(exports.patrols_xlsx(session, school, patrols, start, end), f"巡查记录-{start}至{end}.xlsx",
                         "patrols.xlsx")


# ---------- the day's record ----------


@router.get("/reports/{day}", response_model=DailyReportOut,
            summary="当日报告：场次与教师、出勤、巡查（已做/未做）、突发情况、超时接送与最后离校、清校；签字后即为当天记录")
def daily_report(day: date, session: SessionDep, caller: Reader, school_id: SchoolId = None) -> DailyReportOut:
    return report.daily_report(session=session, school_id=acting_school(caller.school_ids, school_id), day=day)


@router.post("/reports/{day}/sign", response_model=DailyReportOut, summary="值班领导签字（之后只能追加更正）")
def sign_report(day: date, session: SessionDep, caller: Reader, school_id: SchoolId = None) -> DailyReportOut:
    return report.sign(session=session, caller=caller, school_id=acting_school(caller.school_ids, school_id), day=day)


@router.post("/reports/{day}/corrections", response_model=DailyReportOut, summary="签字后的更正（追加，不改原记录）")
def correct_report(day: date, body: CorrectionIn, session: SessionDep, caller: Reader, school_id: SchoolId = None
                   ) -> DailyReportOut:
    return report.correct(session=session, caller=caller, school_id=acting_school(caller.school_ids, school_id),
                          day=day, text=body.text)


@export_route(router, "/reports/{day}/export", summary="导出当日报告：format=xlsx（默认）或 html（可打印）",
              responses={200: {"content": {XLSX_MEDIA_TYPE: {}, "text/html": {}}}})
def export_report(day: date, session: SessionDep, caller: Reader, school_id: SchoolId = None,
                  format: Literal["xlsx", "html"] = "xlsx") -> Response:
    school = acting_school(caller.school_ids, school_id)
    out = report.daily_report(session=session, school_id=school, day=day)
    record_access(session, caller, school_id=school, action="export.duty_report", detail=day.isoformat(),
                  student_ids=report.named_children(session, out))
    if format == "html":
        return HTMLResponse(report.report_html(out))
    title = export_title(session, school, "课后服务值班日志", start=day)
    return xlsx_response(report.report_xlsx(out, title), f"{out.school_name}-值班日志-{day.isoformat()}.xlsx",
                         f"duty-report-{day.isoformat()}.xlsx")
