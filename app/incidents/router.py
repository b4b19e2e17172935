from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from app.audit.service import record_access
from app.core.clock import today
from app.core.deps import STAFF, Caller, SessionDep, allow
from app.core.ids import PathId
from app.core.scope import acting_school
from app.core.xlsx import export_route, xlsx_response
from app.incidents import exports, service
from app.incidents.schemas import EntryIn, IncidentIn, IncidentOut

router = APIRouter(prefix="/incidents", tags=["突发情况"])

AnyStaff = Annotated[Caller, Depends(allow(*STAFF))]
Overseers = Annotated[Caller, Depends(allow("duty_leader", "admin"))]
Handlers = Annotated[Caller, Depends(allow("duty_leader", "admin", "teacher", "class_head"))]
SchoolId = Annotated[int | None, Query(ge=1, description="在多所学校任职时指定学校")]


@router.post("", response_model=IncidentOut, status_code=201,
             summary="报告突发情况：立即通知所涉学生的家长和值班领导；学生走失通知当天所有值班人员；支持 Idempotency-Key")
def report(body: IncidentIn, session: SessionDep, caller: AnyStaff, school_id: SchoolId = None) -> IncidentOut:
    return service.report(session=session, caller=caller, school_id=acting_school(caller.school_ids, school_id),
                          data=body)


From = Annotated[date | None, Query(alias="from")]
Status = Literal["open", "closed"] | None


def _window(from_: date | None, to: date | None, status: str | None) -> tuple[date, date]:
    end = to or today()
    # Still open is still to do, however old: the open list has no window unless one is asked for.
    return from_ or (date.min if status == "open" else end - timedelta(days=6)), end


@router.get("", response_model=list[IncidentOut],
            summary="突发情况列表（默认最近 7 天；status=open 时默认列出全部未结案的）")
def list_incidents(session: SessionDep, caller: AnyStaff, school_id: SchoolId = None, from_: From = None,
                   to: date | None = None, status: Status = None) -> list[IncidentOut]:
    start, end = _window(from_, to, status)
    return service.list_incidents(session=session, school_id=acting_school(caller.school_ids, school_id),
                                  start=start, end=end, status=status)


@export_route(router, "/export.xlsx", summary="导出突发情况记录（.xlsx，与列表的筛选相同，含跟进、更正与结案）")
def export_incidents(session: SessionDep, caller: Overseers, school_id: SchoolId = None, from_: From = None,
                     to: date | None = None, status: Status = None) -> Response:
    school = acting_school(caller.school_ids, school_id)
    start, end = _window(from_, to, status)
    rows = service.list_incidents(session=session, school_id=school, start=start, end=end, status=status)
    record_access(session, caller, school_id=school, action="export.incidents",
                  student_ids=(c.student_id for i in rows for c in i.children), detail=f"{start}至{end}")
    data = exports.incidents_xlsx(session, school, rows, None if start == date.min else start, end)
    return xlsx_response(data, f"突发情况记录-{end}.xlsx", "incidents.xlsx")


@router.get("/{incident_id}", response_model=IncidentOut, summary="突发情况详情（原始报告与全部跟进）")
def get_incident(incident_id: PathId, session: SessionDep, caller: AnyStaff) -> IncidentOut:
    row = service.get_incident(session=session, school_ids=caller.school_ids, incident_id=incident_id)
    return service.incident_out(session, row)


@router.post("/{incident_id}/entries", response_model=IncidentOut, status_code=201,
             summary="追加跟进、更正或结案（结案须写处理结果）；原始报告不会被修改")
def add_entry(incident_id: PathId, body: EntryIn, session: SessionDep, caller: Handlers) -> IncidentOut:
    row = service.get_incident(session=session, school_ids=caller.school_ids, incident_id=incident_id)
    return service.add_entry(session=session, caller=caller, row=row, data=body)
