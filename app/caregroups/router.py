from typing import Annotated

from fastapi import APIRouter, Depends, Response

from app.audit.service import record_access
from app.caregroups import exports, service
from app.caregroups.schemas import (
    BuildOut, CareGroupDetail, CareGroupsOut, CareGroupUpdate, MoveIn, MoveOut, TutorOfferIn, TutorOfferOut, TutorsIn,
)
from app.core.deps import Caller, SessionDep, allow
from app.core.ids import PathId
from app.core.xlsx import export_route, xlsx_response
from app.schools.service import get_term

router = APIRouter(tags=["临时班"])

Admin = Annotated[Caller, Depends(allow("admin"))]
# Those who teach or lead: they may volunteer, and they read the groups (the guard and guardians do not).
Teaching = Annotated[Caller, Depends(allow(*sorted(service.TUTOR_ROLES)))]


@router.put("/terms/{term_id}/tutor-offers/{staff_id}", response_model=TutorOfferOut,
            summary="申请担任看护教师（本人，或管理员代为登记）：可看护的周几")
def save_offer(term_id: PathId, staff_id: PathId, body: TutorOfferIn, session: SessionDep,
               caller: Teaching) -> TutorOfferOut:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return service.save_offer(session=session, caller=caller, term=term, staff_id=staff_id, data=body)


@router.get("/terms/{term_id}/tutor-offers/{staff_id}", response_model=TutorOfferOut,
            summary="某位教师的看护申请与已安排的看护（本人或管理员）")
def get_offer(term_id: PathId, staff_id: PathId, session: SessionDep, caller: Teaching) -> TutorOfferOut:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return service.get_offer(session=session, caller=caller, term=term, staff_id=staff_id)


@router.delete("/terms/{term_id}/tutor-offers/{staff_id}", status_code=204,
               summary="撤回看护申请（已排的看护由管理员调整或重新分班）")
def withdraw_offer(term_id: PathId, staff_id: PathId, session: SessionDep, caller: Teaching) -> Response:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    service.withdraw_offer(session=session, caller=caller, term=term, staff_id=staff_id)
    return Response(status_code=204)


@router.get("/terms/{term_id}/tutor-offers", response_model=list[TutorOfferOut], summary="本学期的看护申请")
def list_offers(term_id: PathId, session: SessionDep, caller: Admin) -> list[TutorOfferOut]:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return service.term_offers(session=session, term=term)


@router.post("/terms/{term_id}/care-groups/build", response_model=BuildOut,
             summary="分班：按审定通过的申请组建临时班并安排看护教师（重复执行只安置新增学生）")
def build(term_id: PathId, session: SessionDep, caller: Admin) -> BuildOut:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return service.build_groups(session=session, term=term)


@router.get("/terms/{term_id}/care-groups", response_model=CareGroupsOut,
            summary="本学期的临时班：每天人数、看护教师与违反规则的提醒")
def list_groups(term_id: PathId, session: SessionDep, caller: Teaching) -> CareGroupsOut:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return service.term_groups(session=session, term=term)


@export_route(router, "/terms/{term_id}/care-groups/export.xlsx",
              summary="导出本学期的临时班（.xlsx）：每班每天人数与看护教师，以及各班学生名单")
def export_groups(term_id: PathId, session: SessionDep, caller: Admin) -> Response:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    groups = service.term_rosters(session=session, term=term)
    data, listed = exports.care_groups_xlsx(session, term, service.plan_weekdays(session, term.id), groups)
    record_access(session, caller, school_id=term.school_id, action="export.care_groups", student_ids=listed,
                  detail=term.name)
    return xlsx_response(data, f"看护班名单-{term.name}.xlsx", "care-groups.xlsx")


@router.get("/care-groups/{group_id}", response_model=CareGroupDetail, summary="临时班详情与学生名单")
def get_group(group_id: PathId, session: SessionDep, caller: Teaching) -> CareGroupDetail:
    group = service.get_group(session=session, group_id=group_id, school_ids=caller.school_ids)
    return service.group_detail(session=session, group=group)


@router.patch("/care-groups/{group_id}", response_model=CareGroupDetail, summary="修改临时班名称或教室")
def update_group(group_id: PathId, body: CareGroupUpdate, session: SessionDep, caller: Admin) -> CareGroupDetail:
    group = service.get_group(session=session, group_id=group_id, school_ids=caller.school_ids)
    return service.update_group(session=session, group=group, data=body)


@router.post("/care-groups/{group_id}/members", response_model=MoveOut,
             summary="手动把学生调入本班（重新分班不再移动）")
def move_child(group_id: PathId, body: MoveIn, session: SessionDep, caller: Admin) -> MoveOut:
    group = service.get_group(session=session, group_id=group_id, school_ids=caller.school_ids)
    return service.move_child(session=session, group=group, student_id=body.student_id, reason=body.reason)


@router.put("/care-groups/{group_id}/tutors", response_model=CareGroupDetail,
            summary="手动设定本班各天的看护教师（整体替换）")
def set_tutors(group_id: PathId, body: TutorsIn, session: SessionDep, caller: Admin) -> CareGroupDetail:
    group = service.get_group(session=session, group_id=group_id, school_ids=caller.school_ids)
    return service.set_tutors(session=session, group=group, tutors=body.tutors)
