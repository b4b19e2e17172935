from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query

from app.audit.service import record_access
from app.attendance import service
from app.attendance.schemas import ChildDayOut, HandoverIn, HandoverOut, MarkIn, RosterOut, SessionsOut
from app.core.clock import today
from app.core.deps import GUARDIAN, Caller, SessionDep, allow
from app.core.ids import PathId
from app.people.service import readable_student

router = APIRouter(tags=["场次、交接与点名"])

# Teachers and class heads both tutor care groups; admins and duty leaders see the whole school.
SessionStaff = Annotated[Caller, Depends(allow("admin", "duty_leader", "teacher", "class_head"))]
ClassHeadOrAdmin = Annotated[Caller, Depends(allow("admin", "class_head"))]
CareStaffOrGuardian = Annotated[Caller, Depends(allow("admin", "class_head", "teacher", "duty_leader", GUARDIAN))]
OnDate = Annotated[date | None, Query(description="YYYY-MM-DD，默认今天")]
Marks = Annotated[list[MarkIn], Body(min_length=1, max_length=300,
                                     examples=[[{"student_id": 1, "status": "present"}]])]


@router.get("/sessions", response_model=SessionsOut,
            summary="当天的场次：教师看自己的，管理员和值班领导看全校；不服务的日子返回空列表和原因")
def list_sessions(session: SessionDep, caller: SessionStaff, date: OnDate = None) -> SessionsOut:
    return service.list_sessions(session=session, caller=caller, day=date or today())


@router.get("/sessions/{session_id}/roster", response_model=RosterOut,
            summary="点名名单（照片、班级、请假与社团标记、应到与已到）；班主任只看本班孩子")
def roster(session_id: PathId, session: SessionDep, caller: SessionStaff) -> RosterOut:
    row = service.get_session_row(session=session, caller=caller, session_id=session_id)
    return _logged_roster(session, caller, row, service.roster(session=session, caller=caller, row=row))


def _logged_roster(session, caller, row, out: RosterOut) -> RosterOut:
    record_access(session, caller, school_id=row.school_id, action="roster.session",
                  student_ids=(r.student_id for r in out.rows), detail=row.name)
    return out


def _logged_handover(session, caller, school_class, out: HandoverOut) -> HandoverOut:
    record_access(session, caller, school_id=school_class.school_id, action="roster.class",
                  student_ids=(r.student_id for r in out.rows), detail=out.class_name)
    return out


@router.put("/sessions/{session_id}/attendance", response_model=RosterOut,
            summary="点名（可只交部分孩子；status 为 unmarked 即撤销；整批要么全部保存要么都不保存；支持 Idempotency-Key）")
def mark(session_id: PathId, body: Marks, session: SessionDep, caller: SessionStaff) -> RosterOut:
    row = service.get_session_row(session=session, caller=caller, session_id=session_id)
    return service.mark_attendance(session=session, caller=caller, row=row, marks=body)  # logs the roster it answers


@router.get("/classes/{class_id}/handover", response_model=HandoverOut,
            summary="交接：本班今天应留下的孩子和去向，以及已保存的交接")
def get_handover(class_id: PathId, session: SessionDep, caller: ClassHeadOrAdmin, date: OnDate = None) -> HandoverOut:
    school_class = service.get_class_row(session=session, caller=caller, class_id=class_id)
    return _logged_handover(session, caller, school_class,
                            service.handover_view(session=session, school_class=school_class, day=date or today()))


@router.post("/classes/{class_id}/handover", response_model=HandoverOut,
             summary="确认交接（再次确认即替换）；未到且未请假的孩子立即提醒接收的老师；支持 Idempotency-Key")
def confirm_handover(class_id: PathId, body: HandoverIn, session: SessionDep, caller: ClassHeadOrAdmin
                     ) -> HandoverOut:
    school_class = service.get_class_row(session=session, caller=caller, class_id=class_id)
    return _logged_handover(session, caller, school_class,
                            service.confirm_handover(session=session, caller=caller, school_class=school_class,
                                                     data=body))


@router.get("/students/{student_id}/day", response_model=ChildDayOut,
            summary="孩子今天在哪里：去向、老师、到达时间、请假和交接")
def child_day(student_id: PathId, session: SessionDep, caller: CareStaffOrGuardian, date: OnDate = None
              ) -> ChildDayOut:
    student = readable_student(session=session, caller=caller, student_id=student_id)
    record_access(session, caller, school_id=student.school_id, action="student.day", student_ids=[student.id])
    return service.child_day(session=session, student=student, day=date or today())
