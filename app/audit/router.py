from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.audit import service
from app.audit.schemas import AccessOut, AuditPage
from app.core.deps import DISTRICT, GUARDIAN, Caller, SessionDep, allow
from app.core.ids import PathId, QueryId
from app.people.service import readable_student

router = APIRouter(tags=["访问审计"])


@router.get("/audit", response_model=AuditPage, summary="访问审计：教职工查看学生数据的记录（只增不改）")
def audit(session: SessionDep, caller: Annotated[Caller, Depends(allow("admin", DISTRICT))],
          student_id: QueryId | None = None, actor_id: QueryId | None = None,
          from_: Annotated[date | None, Query(alias="from")] = None, to: date | None = None,
          limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Annotated[int, Query(ge=0, le=10**7)] = 0
          ) -> AuditPage:
    return service.search(session=session, school_ids=caller.school_ids, student_id=student_id, actor_id=actor_id,
                          start=from_, end=to, limit=limit, offset=offset)


@router.get("/students/{student_id}/access-log", response_model=list[AccessOut],
            summary="谁查看过我孩子的信息（家长可查）")
def access_log(student_id: PathId, session: SessionDep,
               caller: Annotated[Caller, Depends(allow(GUARDIAN, "admin"))]) -> list[AccessOut]:
    student = readable_student(session=session, caller=caller, student_id=student_id)
    return service.child_access_log(session=session, student_id=student.id)
