from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile
from sqlmodel import Session

from app.core.ratelimit import rate_limit
from app.audit.service import record_access
from app.core.clock import today
from app.core.config import get_settings
from app.core.deps import GUARDIAN, Actor, Admission, Caller, SessionDep, allow, allow_any_account, \
    allow_in_unit_of_work
from app.core.idempotency import OwnIdempotencyKey, answer_once
from app.core.ids import PathId, QueryId
from app.core.scope import acting_school
from app.people.exposure import disclosure
from app.people.service import readable_student
from app.core.xlsx import export_route, xlsx_response
from app.pickup import exports, late, service
from app.pickup.schemas import (
    BlockIn, BlockOut, BoardOut, ChildAdultsOut, ClearanceOut, DelegateAcceptIn, DelegateIn, DelegateOut, DeviceIn,
    DeviceOut, DeviceRegistered, HandoffListOut, HandoffsOut, LateChildOut, ManualReleaseIn, MyPhotoOut, ReleaseIn,
    ReleaseOut,
    TodayChildOut, VerifyIn, VerifyOut, WalkHomeChildOut, WalkHomeIn,
)

router = APIRouter(prefix="/pickup", tags=["放学接送"])
# Scanned by every teacher at the gate at 17:30: app/main.py matches these before all other routes.
gate = APIRouter(prefix="/pickup", tags=["放学接送"])

# Everyone who may hand a child over at the gate or the classroom door; the guard for late children.
RELEASERS = ("teacher", "class_head", "duty_leader", "guard", "admin")
Releaser = Annotated[Caller, Depends(allow(*RELEASERS))]
ReleaserInUnitOfWork = Annotated[Admission, Depends(allow_in_unit_of_work(*RELEASERS))]
Overseer = Annotated[Caller, Depends(allow("duty_leader", "guard", "admin"))]
DutyLeader = Annotated[Caller, Depends(allow("duty_leader", "admin"))]
Admin = Annotated[Caller, Depends(allow("admin"))]
Guardian = Annotated[Caller, Depends(allow(GUARDIAN))]
GuardianOrAdmin = Annotated[Caller, Depends(allow(GUARDIAN, "admin"))]
AnyAccount = Annotated[Actor, Depends(allow_any_account)]
OnDate = Annotated[date | None, Query(description="YYYY-MM-DD，默认今天")]
SchoolId = Annotated[int | None, Query(ge=1, description="在多所学校任职时指定学校")]


# ---------- at the gate (hot paths: one thread hop each) ----------

@gate.post("/verify", response_model=VerifyOut, dependencies=[Depends(rate_limit("pickup_verify"))],
           summary="扫码核验：此人是谁、能接本校哪些孩子（照片、班级、去向、状态）；不改变任何数据")
async def verify(body: VerifyIn, staff: ReleaserInUnitOfWork) -> VerifyOut:
    def look(session: Session, caller: Caller) -> VerifyOut:
        out = service.verify(session=session, caller=caller, code=body.code)
        for school_id in caller.school_ids:  # one audit row per school whose children were shown
            shown = [c.student_id for c in out.children if c.school_id == school_id]
            if shown:
                record_access(session, caller, school_id=school_id, action="pickup.verify", student_ids=shown,
                              detail=out.adult.name)
        return out
    return await staff.run(look)


@gate.post("/handoffs", response_model=HandoffsOut, dependencies=[Depends(rate_limit("pickup_verify"))],
           summary="确认接走（支持 Idempotency-Key）：全部交接或都不交接；每个孩子每天只能被接走一次")
async def release(body: ReleaseIn, staff: ReleaserInUnitOfWork, key: OwnIdempotencyKey) -> Response:
    def hand_over(session: Session, caller: Caller) -> Response:
        return answer_once(session, key, lambda on_answer: service.release_by_code(
            session=session, caller=caller, code=body.code, student_ids=body.student_ids, note=body.note,
            on_answer=on_answer))
    return await staff.run(hand_over)


# ---------- the phone ----------

@router.post("/devices", response_model=DeviceRegistered, status_code=201,
             summary="登记这台手机用来出示接送码（此前登记的手机随即停用）")
def register_device(body: DeviceIn, session: SessionDep, actor: AnyAccount) -> DeviceRegistered:
    return service.register_device(session=session, account_id=actor.account_id, label=body.label)


@router.get("/devices", response_model=list[DeviceOut], summary="我登记过的手机")
def list_devices(session: SessionDep, actor: AnyAccount) -> list[DeviceOut]:
    return service.list_devices(session=session, account_id=actor.account_id)


@router.delete("/devices", status_code=204, summary="手机丢了：停用我所有手机上的接送码")
def revoke_devices(session: SessionDep, actor: AnyAccount) -> Response:
    service.revoke_devices(session=session, account_id=actor.account_id)
    return Response(status_code=204)


@router.get("/today", response_model=list[TodayChildOut], summary="我今天要接的孩子：是否已接走、放学时间、去向")
def my_today(session: SessionDep, actor: AnyAccount) -> list[TodayChildOut]:
    return service.my_children_today(session=session, account_id=actor.account_id)


@router.post("/my-photo", response_model=MyPhotoOut,
             summary="上传我的照片（JPG/PNG），老师扫码时核对本人（POST：小程序 wx.uploadFile 只能 POST）；"
                     "须同意当前处理规则的“照片”一项，只存到同意了的学校")
def upload_my_photo(session: SessionDep, caller: Guardian,
                    file: Annotated[UploadFile, File(description="JPG 或 PNG 照片")]) -> MyPhotoOut:
    data = file.file.read(get_settings().max_photo_bytes + 1)
    return service.save_my_photo(session=session, caller=caller, data=data)


@router.get("/my-photo", response_model=MyPhotoOut, summary="我的照片（签名链接，未上传为 null）")
def my_photo(session: SessionDep, caller: Guardian) -> MyPhotoOut:
    return service.my_photo(session=session, caller=caller)


@router.delete("/my-photo", status_code=204, summary="删除我的照片")
def delete_my_photo(session: SessionDep, caller: Guardian) -> Response:
    service.delete_my_photo(session=session, caller=caller)
    return Response(status_code=204)


# ---------- delegates ----------

@router.post("/delegates", response_model=DelegateOut, status_code=201,
             summary="临时授权他人接孩子（日期范围）；返回一次性邀请码，分享给被授权人")
def create_delegate(body: DelegateIn, session: SessionDep, caller: Guardian) -> DelegateOut:
    return service.create_delegate(session=session, caller=caller, data=body)


@router.get("/delegates", response_model=list[DelegateOut], summary="孩子的临时授权")
def list_delegates(student_id: QueryId, session: SessionDep, caller: Guardian) -> list[DelegateOut]:
    return service.list_delegates(session=session, caller=caller, student_id=student_id)


@router.delete("/delegates/{delegate_id}", response_model=DelegateOut, summary="撤销临时授权（立即生效）")
def revoke_delegate(delegate_id: PathId, session: SessionDep, caller: GuardianOrAdmin) -> DelegateOut:
    return service.revoke_delegate(session=session, caller=caller, delegate_id=delegate_id)


@router.post("/delegates/accept", response_model=DelegateOut, summary="被授权人用邀请码和手机号确认授权")
def accept_delegation(body: DelegateAcceptIn, session: SessionDep, actor: AnyAccount) -> DelegateOut:
    return service.accept_delegation(session=session, account_id=actor.account_id, data=body)


@router.get("/my-delegations", response_model=list[DelegateOut], summary="别人授权我接的孩子")
def my_delegations(session: SessionDep, actor: AnyAccount) -> list[DelegateOut]:
    return service.my_delegations(session=session, account_id=actor.account_id)


# ---------- without a code ----------

@router.get("/students/{student_id}/adults", response_model=ChildAdultsOut,
            summary="人工核对：孩子的所有可接送人（姓名、关系、电话）及今天的状态")
def child_adults(student_id: PathId, session: SessionDep, caller: Releaser) -> ChildAdultsOut:
    student = readable_student(session=session, caller=caller, student_id=student_id)
    record_access(session, caller, school_id=student.school_id, action="pickup.adults", student_ids=[student.id])
    return service.pickup_adults(session=session, student=student,
                                 shown=disclosure(session, caller, student.school_id))


@router.post("/handoffs/manual", response_model=ReleaseOut,
             summary="人工交接（家长没带手机）：须写明核对情况；支持 Idempotency-Key")
def release_manually(body: ManualReleaseIn, session: SessionDep, caller: Releaser) -> ReleaseOut:
    student = readable_student(session=session, caller=caller, student_id=body.student_id)
    return service.release_manually(session=session, caller=caller, student=student, guardian_id=body.guardian_id,
                                     delegate_id=body.delegate_id, note=body.note)


@router.get("/handoffs", response_model=HandoffListOut, summary="当天的交接记录（method=manual 即人工交接，供值班领导核查）")
def list_handoffs(session: SessionDep, caller: DutyLeader, date: OnDate = None,
                  method: Literal["qr", "manual", "walk_home"] | None = None) -> HandoffListOut:
    day = date or today()
    return HandoffListOut(date=day, items=service.handoffs_of_day(session=session, school_ids=caller.school_ids,
                                                                  day=day, method=method))


@export_route(router, "/handoffs/export.xlsx", summary="导出当天的交接记录（.xlsx）")
def export_handoffs(session: SessionDep, caller: DutyLeader, date: OnDate = None,
                    method: Literal["qr", "manual", "walk_home"] | None = None, school_id: SchoolId = None
                    ) -> Response:
    school, day = acting_school(caller.school_ids, school_id), date or today()
    data, named = exports.handoffs_xlsx(session, school, day, method)
    record_access(session, caller, school_id=school, action="export.handoffs", student_ids=named,
                  detail=day.isoformat())
    return xlsx_response(data, f"接送记录-{day.isoformat()}.xlsx", f"handoffs-{day.isoformat()}.xlsx")


@router.get("/walk-home", response_model=list[WalkHomeChildOut], summary="今天自行回家的孩子（家长签署了情况说明）")
def walk_home_list(session: SessionDep, caller: Releaser, date: OnDate = None, school_id: SchoolId = None
                   ) -> list[WalkHomeChildOut]:
    return service.walk_home_list(session=session, school_id=acting_school(caller.school_ids, school_id),
                                  day=date or today())


@router.post("/walk-home", response_model=HandoffsOut, summary="自行回家：放学时间到后放行（支持 Idempotency-Key）")
def release_walking_home(body: WalkHomeIn, session: SessionDep, caller: Releaser, school_id: SchoolId = None
                         ) -> HandoffsOut:
    released = service.release_walking_home(session=session, caller=caller,
                                            school_id=acting_school(caller.school_ids, school_id),
                                            student_ids=body.student_ids)
    return HandoffsOut(released=released)


# ---------- after the bell ----------

@router.get("/late", response_model=list[LateChildOut],
            summary="超时未接的孩子（stage=with_guard 即交门卫的），附家长电话")
def late_list(session: SessionDep, caller: Releaser, date: OnDate = None,
              stage: Literal["late", "with_guard"] | None = None, school_id: SchoolId = None) -> list[LateChildOut]:
    school = acting_school(caller.school_ids, school_id)
    return late.late_list(session=session, school_id=school, day=date or today(), stage=stage,
                          shown=disclosure(session, caller, school))


@export_route(router, "/late/export.xlsx",
              summary="导出超时接送记录（.xlsx）：日期范围内每一次超时，何时交门卫、何时由谁接走")
def export_late(session: SessionDep, caller: DutyLeader, school_id: SchoolId = None,
                from_: Annotated[date | None, Query(alias="from", description="默认与 to 相同")] = None,
                to: OnDate = None) -> Response:
    school = acting_school(caller.school_ids, school_id)
    end = to or today()
    start = from_ or end
    data, named = exports.late_xlsx(session, school, start, end)
    record_access(session, caller, school_id=school, action="export.late_pickups", student_ids=named,
                  detail=f"{start}至{end}")
    return xlsx_response(data, f"超时接送记录-{start}至{end}.xlsx", "late-pickups.xlsx")


@router.get("/board", response_model=BoardOut, summary="放学看板：在校、已接走、超时、交门卫，按年级和班组，以及还没接走的孩子")
def board(session: SessionDep, caller: Overseer, date: OnDate = None, school_id: SchoolId = None) -> BoardOut:
    return late.board(session=session, school_id=acting_school(caller.school_ids, school_id), day=date or today())


@router.post("/clearance", response_model=ClearanceOut,
             summary="清校：所有在校孩子都已接走才能确认，否则返回还在校的孩子")
def clear_school(session: SessionDep, caller: DutyLeader, school_id: SchoolId = None) -> ClearanceOut:
    school = acting_school(caller.school_ids, school_id)
    return late.clear_school(session=session, school_id=school, staff_id=caller.actor.staff_id(school))


@router.get("/clearance", response_model=ClearanceOut | None, summary="当天的清校记录（未清校为 null）")
def get_clearance(session: SessionDep, caller: DutyLeader, date: OnDate = None, school_id: SchoolId = None
                  ) -> ClearanceOut | None:
    return late.get_clearance(session=session, school_id=acting_school(caller.school_ids, school_id), day=date or today())


# ---------- 禁止接送 ----------

@router.post("/blocks", response_model=BlockOut, status_code=201,
             summary="禁止接送（如法院裁定）：此人不得接走该学生，优先于监护关系和临时授权")
def create_block(body: BlockIn, session: SessionDep, caller: Admin) -> BlockOut:
    student = readable_student(session=session, caller=caller, student_id=body.student_id)
    return service.create_block(session=session, caller=caller, student=student, data=body)


@router.get("/blocks", response_model=list[BlockOut], summary="生效中的禁止接送")
def list_blocks(session: SessionDep, caller: Admin, student_id: QueryId | None = None) -> list[BlockOut]:
    return service.list_blocks(session=session, school_ids=caller.school_ids, student_id=student_id)


@router.delete("/blocks/{block_id}", response_model=BlockOut, summary="解除禁止接送（记录保留）")
def lift_block(block_id: PathId, session: SessionDep, caller: Admin) -> BlockOut:
    return service.lift_block(session=session, caller=caller, block_id=block_id)
