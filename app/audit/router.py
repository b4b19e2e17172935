from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.audit import exports, service
from app.audit.schemas import AccessOut, AuditPage
from app.core.deps import DISTRICT, GUARDIAN, Caller, SessionDep, allow
from app.core.ids import PathId, QueryId
from app.core.scope import acting_school
from app.core.xlsx import export_route, xlsx_response
from app.people.service import readable_student

router = APIRouter(tags=["访问审计"])

Auditor = Annotated[Caller, Depends(allow("admin", DISTRICT))]
From = Annotated[date | None, Query(alias="from")]


@router.get("/audit", response_model=AuditPage, summary="访问审计：教职工查看学生数据的记录（只增不改）")
def audit(session: SessionDep, caller: Auditor, student_id: QueryId | None = None, actor_id: QueryId | None = None,
          from_: From = None, to: date | None = None,
          limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Annotated[int, Query(ge=0, le=10**7)] = 0
          ) -> AuditPage:
    return service.search(session=session, school_ids=caller.school_ids, student_id=student_id, actor_id=actor_id,
                          start=from_, end=to, limit=limit, offset=offset)


@export_route(router, "/audit/export.xlsx",
              summary="导出访问审计（.xlsx，一所学校，与列表的筛选相同；最多 5 万条）")
def export_audit(session: SessionDep, caller: Auditor,
                 school_id: Annotated[int | None, Query(ge=1, description="在多所学校任职（或教育局）时指定学校")] = None,
                 student_id: QueryId | None = None, actor_id: QueryId | None = None, from_: From = None,
                 to: date | None = None) -> Response:
    school = acting_school(caller.school_ids, school_id)
    found = service.search(session=session, school_ids=frozenset({school}), student_id=student_id,
                           actor_id=actor_id, start=from_, end=to, limit=exports.EXPORT_MAX, offset=0)
    exports.refuse_if_too_many(found.total)
    data, named = exports.audit_xlsx(session, school, found.items, from_, to)
    # Reading the trail names children too: this export is on the trail like any other.
    service.record_access(session, caller, school_id=school, action="export.audit", student_ids=named,
                          detail=f"{from_ or ''}至{to or ''}" if from_ or to else "")
    return xlsx_response(data, "访问审计记录.xlsx", "audit.xlsx")


@router.get("/students/{student_id}/access-log", response_model=list[AccessOut],
            summary="谁查看过我孩子的信息（家长可查）")
def access_log(student_id: PathId, session: SessionDep,
               caller: Annotated[Caller, Depends(allow(GUARDIAN, "admin"))]) -> list[AccessOut]:
    student = readable_student(session=session, caller=caller, student_id=student_id)
    return service.child_access_log(session=session, student_id=student.id)
