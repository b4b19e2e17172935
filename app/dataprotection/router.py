from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Response

from app.audit.service import record_access
from app.core.clock import today
from app.core.deps import GUARDIAN, Caller, SessionDep, allow
from app.core.ids import PathId
from app.core.ratelimit import rate_limit
from app.dataprotection import erasure, export, retention
from app.dataprotection.schemas import ErasureIn, ErasureOut, RetentionIn, RetentionOut
from app.people.service import readable_student
from app.schools.service import require_school

router = APIRouter(tags=["未成年人信息：导出、删除与保存期限"])

Admin = Annotated[Caller, Depends(allow("admin"))]
ZIP_RESPONSES = {200: {"content": {"application/zip": {}}, "description": "孩子的全部信息（JSON 与照片）"}}


@router.get("/students/{student_id}/data-export", response_class=Response, responses=ZIP_RESPONSES,
            dependencies=[Depends(rate_limit("export"))], summary="家长导出孩子在课后的全部信息（.zip）")
def data_export(student_id: PathId, session: SessionDep,
                caller: Annotated[Caller, Depends(allow(GUARDIAN))]) -> Response:
    student = readable_student(session=session, caller=caller, student_id=student_id)
    data = export.export_zip(session=session, caller=caller, student=student)
    record_access(session, caller, school_id=student.school_id, action="export.guardian_data",
                  student_ids=[student.id], by_guardian=True)
    filename = f"{student.name}-课后信息-{today().isoformat()}.zip"
    return Response(data, media_type="application/zip", headers={
        "Content-Disposition": f"attachment; filename=\"kehou-data.zip\"; filename*=UTF-8''{quote(filename)}"})


@router.post("/students/{student_id}/erase", response_model=ErasureOut,
             summary="删除已离校学生的个人信息（统计数字保留；重复提交返回第一次的结果）")
def erase_student(student_id: PathId, body: ErasureIn, session: SessionDep, caller: Admin) -> ErasureOut:
    student = readable_student(session=session, caller=caller, student_id=student_id)
    return erasure.erase_student(session=session, caller=caller, student=student, reason=body.reason)


@router.get("/schools/{school_id}/retention", response_model=RetentionOut, summary="个人信息保存期限（学校设置）")
def get_retention(school_id: PathId, session: SessionDep, caller: Admin) -> RetentionOut:
    require_school(session, school_id, caller.school_ids)
    return retention.retention_out(retention.retention_rules(session, school_id))


@router.put("/schools/{school_id}/retention", response_model=RetentionOut, summary="修改个人信息保存期限")
def update_retention(school_id: PathId, body: RetentionIn, session: SessionDep, caller: Admin) -> RetentionOut:
    require_school(session, school_id, caller.school_ids)
    return retention.update_retention(session=session, school_id=school_id, data=body, account_id=caller.account_id)
