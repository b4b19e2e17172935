from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.core.deps import GUARDIAN, STAFF, Caller, SessionDep, allow
from app.core.ids import PathId
from app.leave import service
from app.leave.models import LeaveStatus
from app.leave.schemas import DecisionIn, LeaveIn, LeaveOut
from app.schools.service import get_class

router = APIRouter(tags=["请假"])

Guardian = Annotated[Caller, Depends(allow(GUARDIAN))]
Decider = Annotated[Caller, Depends(allow("class_head", "admin"))]


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
                 status: Annotated[str | None, Query(pattern="^(" + "|".join(LeaveStatus.LABELS) + ")$")] = None,
                 day: Annotated[date | None, Query(alias="date", description="只看包含该日期的请假")] = None
                 ) -> list[LeaveOut]:
    school_class = get_class(session=session, class_id=class_id, school_ids=caller.school_ids)
    return service.class_leaves(session=session, caller=caller, school_class=school_class, status=status, day=day)


@router.post("/leave-requests/{leave_id}/decision", response_model=LeaveOut, summary="班主任批准或知悉请假")
def decide(leave_id: PathId, body: DecisionIn, session: SessionDep, caller: Decider) -> LeaveOut:
    return service.decide(session=session, caller=caller, leave_id=leave_id, data=body)


@router.post("/leave-requests/{leave_id}/cancel", response_model=LeaveOut, summary="家长撤销请假（今天及以后的日期）")
def cancel(leave_id: PathId, session: SessionDep, caller: Guardian) -> LeaveOut:
    return service.cancel(session=session, caller=caller, leave_id=leave_id)
