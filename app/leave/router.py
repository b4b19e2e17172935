from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.audit.service import record_access
from app.core.clock import today
from app.core.deps import GUARDIAN, STAFF, Caller, SessionDep, allow
from app.core.ids import PathId, QueryId
from app.core.xlsx import export_route, xlsx_response
from app.leave import exports, service
from app.leave.models import LeaveStatus
from app.leave.schemas import DecisionIn, LeaveIn, LeaveOut
from app.schools.service import current_term, get_class, require_school

router = APIRouter(tags=["请假"])

Guardian = Annotated[Caller, Depends(allow(GUARDIAN))]
Decider = Annotated[Caller, Depends(allow("class_head", "admin"))]
Status = Annotated[str | None, Query(pattern="^(" + "|".join(LeaveStatus.LABELS) + ")$")]


@router.post("/leave-requests", response_model=LeaveOut, summary="家长为孩子请假（可带 Idempotency-Key）")
def request_leave(body: LeaveIn, session: SessionDep, caller: Guardian) -> LeaveOut:
    return service.request_leave(session=session, caller=caller, data=body)


@router.get("/students/{student_id}/leave-requests", response_model=list[LeaveOut], summary="孩子的请假记录（最新在前）")
def child_leaves(student_id: PathId, session: SessionDep,
                 caller: Annotated[Caller, Depends(allow(*STAFF, GUARDIAN))]) -> list[LeaveOut]:
    return service.child_leaves(session=session, caller=caller, student_id=student_id)


@router.get("/classes/{class_id}/leave-requests", response_model=list[LeaveOut],
            summary="本班请假（班主任；管理员与值班领导只读）")
def class_leaves(class_id: PathId, session: SessionDep,
                 caller: Annotated[Caller, Depends(allow("class_head", "admin", "duty_leader"))],
                 status: Status = None,
                 day: Annotated[date | None, Query(alias="date", description="只看包含该日期的请假")] = None
                 ) -> list[LeaveOut]:
    school_class = get_class(session=session, class_id=class_id, school_ids=caller.school_ids)
    return service.class_leaves(session=session, caller=caller, school_class=school_class, status=status, day=day)


@export_route(router, "/schools/{school_id}/leave-requests/export.xlsx",
              summary="导出全校请假记录（.xlsx）：请假日期落在范围内的（默认本学期），可按班级、状态筛选")
def export_leaves(school_id: PathId, session: SessionDep, caller: Annotated[Caller, Depends(allow("admin", "duty_leader"))],
                  from_: Annotated[date | None, Query(alias="from", description="默认本学期开始")] = None,
                  to: Annotated[date | None, Query(description="默认本学期结束")] = None,
                  class_id: QueryId | None = None, status: Status = None) -> Response:
    require_school(session, school_id, caller.school_ids)
    term = current_term(session, school_id)
    start = from_ or (term.starts_on if term else today())
    end = to or (term.ends_on if term else start)
    leaves = service.school_leaves(session=session, school_id=school_id, start=start, end=end, class_id=class_id,
                                   status=status)
    record_access(session, caller, school_id=school_id, action="export.leave",
                  student_ids=(x.student_id for x in leaves), detail=f"{start}至{end}")
    return xlsx_response(exports.leave_xlsx(session, school_id, leaves, start, end), f"请假记录-{start}至{end}.xlsx",
                         "leave.xlsx")


@router.post("/leave-requests/{leave_id}/decision", response_model=LeaveOut, summary="班主任批准或知悉请假")
def decide(leave_id: PathId, body: DecisionIn, session: SessionDep, caller: Decider) -> LeaveOut:
    return service.decide(session=session, caller=caller, leave_id=leave_id, data=body)


@router.post("/leave-requests/{leave_id}/cancel", response_model=LeaveOut, summary="家长撤销请假（今天及以后的日期）")
def cancel(leave_id: PathId, session: SessionDep, caller: Guardian) -> LeaveOut:
    return service.cancel(session=session, caller=caller, leave_id=leave_id)
