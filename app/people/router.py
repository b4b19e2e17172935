from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse

from app.core.ratelimit import rate_limit
from app.audit.service import record_access
from app.core.config import get_settings
from app.core.ids import PathId, QueryId
from app.core.media import IMAGE_RESPONSES
from app.core.signed_urls import check_signature
from app.core.deps import GUARDIAN, Actor, Caller, SessionDep, allow, allow_any_account, public
from app.core.pagination import Page, PageDep
from app.core.xlsx import export_route, xlsx_response
from app.people import exports, photos, roster_import, service
from app.people.exposure import disclosure
from app.people.models import Guardian, Student
from app.people.roster_import import RosterImportResult
from app.people.schemas import (
    BindIn, BindOut, GuardianLinkIn, GuardianshipOut, GuardianshipUpdate, StaffBindCodeOut, StaffBindIn,
    StaffBindOut, StaffIn, StaffOut, StaffUpdate, StudentIn, StudentOut, StudentUpdate,
)
from app.schools.service import require_school

router = APIRouter(tags=["学生、家长与教职工"])

Admin = Annotated[Caller, Depends(allow("admin"))]
# Staff who work with children day to day; the guard gets children only through pickup.
CareStaff = Annotated[Caller, Depends(allow("admin", "class_head", "teacher", "duty_leader"))]
CareStaffOrGuardian = Annotated[Caller, Depends(allow("admin", "class_head", "teacher", "duty_leader", GUARDIAN))]
AdminOrGuardian = Annotated[Caller, Depends(allow("admin", GUARDIAN))]

@router.get("/schools/{school_id}/students", response_model=Page[StudentOut], summary="学生列表与搜索")
def search_students(school_id: PathId, session: SessionDep, caller: CareStaff, page: PageDep,
                    q: Annotated[str | None, Query(max_length=50, description="姓名、学号或拼音首字母")] = None,
                    class_id: QueryId | None = None, grade: Annotated[int | None, Query(ge=1, le=6)] = None,
                    include_inactive: bool = False) -> Page[StudentOut]:
    require_school(session, school_id, caller.school_ids)
    items, total = service.search_students(session=session, school_id=school_id, params=page, q=q,
                                           class_id=class_id, grade=grade, include_inactive=include_inactive)
    record_access(session, caller, school_id=school_id, action="roster.list", student_ids=(s.id for s in items),
                  detail=q or "")
    shown = disclosure(session, caller, school_id)
    return Page(items=[shown.student(s) for s in items], total=total, page=page.page, page_size=page.page_size)


@export_route(router, "/schools/{school_id}/students/export.xlsx",
              summary="导出学生名单（.xlsx，花名册格式：改后可再导入）")
def export_students(school_id: PathId, session: SessionDep, caller: Admin, class_id: QueryId | None = None,
                    grade: Annotated[int | None, Query(ge=1, le=6)] = None, include_inactive: bool = False
                    ) -> Response:
    require_school(session, school_id, caller.school_ids)
    data, listed = exports.students_xlsx(session, school_id, class_id=class_id, grade=grade,
                                         include_inactive=include_inactive)
    record_access(session, caller, school_id=school_id, action="export.students", student_ids=listed)
    return xlsx_response(data, "学生名单.xlsx", "students.xlsx")


@router.post("/schools/{school_id}/students", response_model=StudentOut, status_code=201, summary="新增学生")
def create_student(school_id: PathId, body: StudentIn, session: SessionDep, caller: Admin) -> StudentOut:
    require_school(session, school_id, caller.school_ids)
    return disclosure(session, caller, school_id).student(
        service.create_student(session=session, school_id=school_id, data=body))


@router.get("/students/{student_id}", response_model=StudentOut, summary="学生详情")
def get_student(student_id: PathId, session: SessionDep, caller: CareStaffOrGuardian) -> StudentOut:
    student = service.readable_student(session=session, caller=caller, student_id=student_id)
    record_access(session, caller, school_id=student.school_id, action="student.read", student_ids=[student.id])
    return disclosure(session, caller, student.school_id).student(service.student_outs(session, [student])[0])


@router.patch("/students/{student_id}", response_model=StudentOut, summary="修改学生信息")
def update_student(student_id: PathId, body: StudentUpdate, session: SessionDep, caller: Admin) -> StudentOut:
    student = service.writable_student(session=session, caller=caller, student_id=student_id)
    return disclosure(session, caller, student.school_id).student(
        service.update_student(session=session, student=student, data=body))


# POST as well as PUT, one function: wx.uploadFile (the mini-program's only way to send a file) can only POST.
@router.post("/students/{student_id}/photo", response_model=StudentOut,
             summary="上传学生照片（同 PUT，供小程序 wx.uploadFile 使用）")
@router.put("/students/{student_id}/photo", response_model=StudentOut,
            summary="上传学生照片（JPG/PNG）：家长须同意当前处理规则的“照片”一项；管理员须有家长已同意")
def upload_photo(student_id: PathId, session: SessionDep, caller: AdminOrGuardian,
                 file: Annotated[UploadFile, File(description="JPG 或 PNG 照片")]) -> StudentOut:
    student = service.writable_student(session=session, caller=caller, student_id=student_id)
    data = file.file.read(get_settings().max_photo_bytes + 1)
    service.upload_student_photo(session=session, caller=caller, student=student, data=data)
    return disclosure(session, caller, student.school_id).student(service.student_outs(session, [student])[0])


@router.get("/students/{student_id}/photo", response_class=FileResponse, responses=IMAGE_RESPONSES,
            summary="学生照片")
def get_photo(student_id: PathId, session: SessionDep, caller: CareStaffOrGuardian) -> FileResponse:
    student = service.readable_student(session=session, caller=caller, student_id=student_id)
    path, media_type = photos.photo_file(student)
    record_access(session, caller, school_id=student.school_id, action="student.photo", student_ids=[student.id])
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "private, max-age=300"})


@router.get("/students/{student_id}/photo/{name}", response_class=FileResponse, responses=IMAGE_RESPONSES,
            dependencies=[Depends(public)], summary="学生照片（凭点名名单里的签名链接访问）")
def get_linked_photo(student_id: PathId, name: Annotated[str, Path(max_length=64)], session: SessionDep,
                     exp: Annotated[int | None, Query(ge=0, le=2**40)] = None,
                     sig: Annotated[str | None, Query(max_length=64)] = None) -> FileResponse:
    return _signed_photo(f"/api/v1/students/{student_id}/photo/{name}", exp, sig,
                         session.get(Student, student_id), name, Student)


@router.get("/guardians/{guardian_id}/photo/{name}", response_class=FileResponse, responses=IMAGE_RESPONSES,
            dependencies=[Depends(public)], summary="家长照片（凭接送核验里的签名链接访问）")
def get_linked_guardian_photo(guardian_id: PathId, name: Annotated[str, Path(max_length=64)], session: SessionDep,
                              exp: Annotated[int | None, Query(ge=0, le=2**40)] = None,
                              sig: Annotated[str | None, Query(max_length=64)] = None) -> FileResponse:
    return _signed_photo(f"/api/v1/guardians/{guardian_id}/photo/{name}", exp, sig,
                         session.get(Guardian, guardian_id), name, Guardian)


def _signed_photo(url: str, exp: int | None, sig: str | None, owner, name: str, kind: type) -> FileResponse:
    check_signature(url, exp, sig)
    path, media_type = photos.linked_photo_file(owner, name, kind)
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "private, max-age=3600"})


@router.delete("/students/{student_id}/photo", status_code=204, summary="删除学生照片")
def delete_photo(student_id: PathId, session: SessionDep, caller: AdminOrGuardian) -> Response:
    student = service.readable_student(session=session, caller=caller, student_id=student_id)
    photos.delete_photo(session=session, owner=student)
    return Response(status_code=204)


@router.get("/students/{student_id}/guardians", response_model=list[GuardianshipOut], summary="学生的监护人")
def list_guardians(student_id: PathId, session: SessionDep, caller: CareStaffOrGuardian) -> list[GuardianshipOut]:
    student = service.readable_student(session=session, caller=caller, student_id=student_id)
    record_access(session, caller, school_id=student.school_id, action="student.guardians", student_ids=[student.id])
    return service.guardianship_outs(session, student, shown=disclosure(session, caller, student.school_id))


@router.post("/students/{student_id}/guardians", response_model=list[GuardianshipOut], summary="添加或更新监护人")
def link_guardian(student_id: PathId, body: GuardianLinkIn, session: SessionDep, caller: Admin) -> list[GuardianshipOut]:
    student = service.writable_student(session=session, caller=caller, student_id=student_id)
    return service.link_guardian(session=session, student=student, data=body,
                                 shown=disclosure(session, caller, student.school_id))


@router.patch("/guardianships/{guardianship_id}", response_model=list[GuardianshipOut], summary="修改监护关系")
def update_guardianship(guardianship_id: PathId, body: GuardianshipUpdate, session: SessionDep,
                        caller: Admin) -> list[GuardianshipOut]:
    link = service.get_guardianship(session=session, guardianship_id=guardianship_id, school_ids=caller.school_ids)
    return service.update_guardianship(session=session, link=link, data=body,
                                       shown=disclosure(session, caller, link.school_id))


@router.delete("/guardianships/{guardianship_id}", status_code=204, summary="解除监护关系")
def remove_guardianship(guardianship_id: PathId, session: SessionDep, caller: Admin) -> Response:
    link = service.get_guardianship(session=session, guardianship_id=guardianship_id, school_ids=caller.school_ids)
    service.remove_guardianship(session=session, link=link)
    return Response(status_code=204)


@router.get("/schools/{school_id}/staff", response_model=list[StaffOut],
            summary="教职工列表（管理员；值班领导可查，以便换班）")
def list_staff(school_id: PathId, session: SessionDep,
               caller: Annotated[Caller, Depends(allow("admin", "duty_leader"))],
               role: Annotated[str | None, Query(max_length=20)] = None) -> list[StaffOut]:
    require_school(session, school_id, caller.school_ids)
    return service.list_staff(session=session, school_id=school_id, role=role)


@router.post("/schools/{school_id}/staff", response_model=StaffOut, status_code=201, summary="新增教职工")
def create_staff(school_id: PathId, body: StaffIn, session: SessionDep, caller: Admin) -> StaffOut:
    require_school(session, school_id, caller.school_ids)
    return service.create_staff(session=session, school_id=school_id, data=body)


@router.get("/staff/{staff_id}", response_model=StaffOut, summary="教职工详情")
def get_staff(staff_id: PathId, session: SessionDep, caller: Admin) -> StaffOut:
    return service.staff_outs(session, [service.get_staff(session=session, staff_id=staff_id,
                                                          school_ids=caller.school_ids)])[0]


@router.patch("/staff/{staff_id}", response_model=StaffOut, summary="修改教职工（角色、停用、登录）")
def update_staff(staff_id: PathId, body: StaffUpdate, session: SessionDep, caller: Admin) -> StaffOut:
    staff = service.get_staff(session=session, staff_id=staff_id, school_ids=caller.school_ids)
    return service.update_staff(session=session, staff=staff, data=body, by=caller)


@router.post("/staff/{staff_id}/bind-code", response_model=StaffBindCodeOut,
             summary="生成教职工微信绑定码（24 小时有效，一次性）")
def issue_staff_bind_code(staff_id: PathId, session: SessionDep, caller: Admin) -> StaffBindCodeOut:
    staff = service.get_staff(session=session, staff_id=staff_id, school_ids=caller.school_ids)
    return service.issue_staff_bind_code(session=session, staff=staff)


@router.post("/staff/bind", response_model=StaffBindOut, summary="教职工用绑定码绑定微信",
             dependencies=[Depends(rate_limit("bind"))])
def bind_staff(body: StaffBindIn, request: Request, session: SessionDep,
               actor: Annotated[Actor, Depends(allow_any_account)]) -> StaffBindOut:
    return service.bind_staff(session=session, account_id=actor.account_id, code=body.code,
                              client_ip=request.client.host if request.client else None)


@router.post("/guardians/bind", response_model=BindOut, summary="家长绑定孩子（学号 + 姓名 + 手机号）",
             dependencies=[Depends(rate_limit("bind"))])
def bind_child(body: BindIn, request: Request, session: SessionDep,
               actor: Annotated[Actor, Depends(allow_any_account)]) -> BindOut:
    return service.bind_child(session=session, account_id=actor.account_id, student_no=body.student_no,
                              student_name=body.student_name, phone=body.phone, consent=body.consent,
                              client_ip=request.client.host if request.client else None)


@router.post("/schools/{school_id}/roster/import", response_model=RosterImportResult,
             summary="导入花名册（xlsx / csv，UTF-8 或 GBK）")
def import_roster(school_id: PathId, session: SessionDep, caller: Admin,
                  file: Annotated[UploadFile, File(description="花名册 .xlsx 或 .csv")],
                  dry_run: Annotated[bool, Query(description="只检查，不导入")] = False) -> RosterImportResult:
    require_school(session, school_id, caller.school_ids)
    data = file.file.read(roster_import.MAX_BYTES + 1)
    return roster_import.import_roster(session=session, school_id=school_id, data=data, dry_run=dry_run)
