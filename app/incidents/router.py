from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from app.core.clock import today
from app.core.deps import STAFF, Caller, SessionDep, allow
from app.core.ids import PathId
from app.core.scope import acting_school
from app.incidents import service
from app.incidents.schemas import EntryIn, IncidentIn, IncidentOut

router = APIRouter(prefix="/incidents", tags=["突发情况"])

AnyStaff = Annotated[Caller, Depends(allow(*STAFF))]
Handlers = Annotated[Caller, Depends(allow("duty_leader", "admin", "teacher", "class_head"))]
SchoolId = Annotated[int | None, Query(ge=1, description="在多所学校任职时指定学校")]


@router.post("", response_model=IncidentOut, status_code=201,
             summary="报告突发情况：立即通知所涉学生的家长和值班领导；学生走失通知当天所有值班人员；支持 Idempotency-Key")
def report(body: IncidentIn, session: SessionDep, caller: AnyStaff, school_id: SchoolId = None) -> IncidentOut:
    return service.report(session=session, caller=caller, school_id=acting_school(caller.school_ids, school_id),
                          data=body)


@router.get("", response_model=list[IncidentOut],
            summary="突发情况列表（默认最近 7 天；status=open 时默认列出全部未结案的）")
def list_incidents(session: SessionDep, caller: AnyStaff, school_id: SchoolId = None,
                   from_: Annotated[date | None, Query(alias="from")] = None, to: date | None = None,
                   status: Literal["open", "closed"] | None = None) -> list[IncidentOut]:
    end = to or today()
    # Still open is still to do, however old: the open list has no window unless one is asked for.
    start = from_ or (date.min if status == "open" else end - timedelta(days=6))
    return service.list_incidents(session=session, school_id=acting_school(caller.school_ids, school_id),
                                  start=start, end=end, status=status)


@router.get("/{incident_id}", response_model=IncidentOut, summary="突发情况详情（原始报告与全部跟进）")
def get_incident(incident_id: PathId, session: SessionDep, caller: AnyStaff) -> IncidentOut:
    row = service.get_incident(session=session, school_ids=caller.school_ids, incident_id=incident_id)
    return service.incident_out(session, row)


@router.post("/{incident_id}/entries", response_model=IncidentOut, status_code=201,
             summary="追加跟进、更正或结案（结案须写处理结果）；原始报告不会被修改")
def add_entry(incident_id: PathId, body: EntryIn, session: SessionDep, caller: Handlers) -> IncidentOut:
    row = service.get_incident(session=session, school_ids=caller.school_ids, incident_id=incident_id)
    return service.add_entry(session=session, caller=caller, row=row, data=body)
