from typing import Annotated

from fastapi import APIRouter, Depends

from app.core.ids import PathId
from app.core.deps import DISTRICT, GUARDIAN, STAFF, Caller, SessionDep, allow
from app.schools import service
from app.schools.schemas import (
    ClassIn, ClassOut, ClassUpdate, RulesIn, RulesOut, SchoolOut, TermIn, TermOut, TermUpdate,
)

router = APIRouter(tags=["学校、学期与班级"])

Admin = Annotated[Caller, Depends(allow("admin"))]
StaffOrDistrict = Annotated[Caller, Depends(allow(*STAFF, DISTRICT))]
Anyone = Annotated[Caller, Depends(allow(*STAFF, DISTRICT, GUARDIAN))]
Staff = Annotated[Caller, Depends(allow(*STAFF))]


@router.get("/schools", response_model=list[SchoolOut], summary="我可查看的学校")
def list_schools(session: SessionDep, caller: Anyone) -> list[SchoolOut]:
    return service.list_schools(session=session, school_ids=caller.visible_school_ids)


@router.get("/schools/{school_id}", response_model=SchoolOut, summary="学校信息")
def get_school(school_id: PathId, session: SessionDep, caller: Anyone) -> SchoolOut:
    school = service.require_school(session, school_id, caller.visible_school_ids)
    return SchoolOut.model_validate(school, from_attributes=True)


@router.get("/schools/{school_id}/terms", response_model=list[TermOut], summary="学期列表")
def list_terms(school_id: PathId, session: SessionDep, caller: Anyone) -> list[TermOut]:
    service.require_school(session, school_id, caller.visible_school_ids)
    return service.list_terms(session=session, school_id=school_id)


@router.post("/schools/{school_id}/terms", response_model=TermOut, status_code=201, summary="新建学期")
def create_term(school_id: PathId, body: TermIn, session: SessionDep, caller: Admin) -> TermOut:
    service.require_school(session, school_id, caller.school_ids)
    return service.create_term(session=session, school_id=school_id, data=body)


@router.get("/terms/{term_id}", response_model=TermOut, summary="学期详情")
def get_term(term_id: PathId, session: SessionDep, caller: Anyone) -> TermOut:
    return service.term_out(service.get_term(session=session, term_id=term_id, school_ids=caller.visible_school_ids))


@router.patch("/terms/{term_id}", response_model=TermOut, summary="修改学期")
def update_term(term_id: PathId, body: TermUpdate, session: SessionDep, caller: Admin) -> TermOut:
    term = service.get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return service.update_term(session=session, term=term, data=body)


@router.get("/schools/{school_id}/classes", response_model=list[ClassOut], summary="班级列表")
def list_classes(school_id: PathId, session: SessionDep, caller: StaffOrDistrict) -> list[ClassOut]:
    service.require_school(session, school_id, caller.school_ids)
    return service.list_classes(session=session, school_id=school_id)


@router.post("/schools/{school_id}/classes", response_model=ClassOut, status_code=201, summary="新建班级")
def create_class(school_id: PathId, body: ClassIn, session: SessionDep, caller: Admin) -> ClassOut:
    service.require_school(session, school_id, caller.school_ids)
    return service.create_class(session=session, school_id=school_id, data=body)


@router.get("/classes/{class_id}", response_model=ClassOut, summary="班级详情")
def get_class(class_id: PathId, session: SessionDep, caller: StaffOrDistrict) -> ClassOut:
    school_class = service.get_class(session=session, class_id=class_id, school_ids=caller.school_ids)
    return service.class_outs(session, [school_class])[0]


@router.patch("/classes/{class_id}", response_model=ClassOut, summary="设置班主任")
def update_class(class_id: PathId, body: ClassUpdate, session: SessionDep, caller: Admin) -> ClassOut:
    school_class = service.get_class(session=session, class_id=class_id, school_ids=caller.school_ids)
    return service.update_class(session=session, school_class=school_class, data=body)


@router.get("/schools/{school_id}/rules", response_model=RulesOut, summary="学校设置（临时班、提醒、请假截止等）")
def get_rules(school_id: PathId, session: SessionDep, caller: Staff) -> RulesOut:
    service.require_school(session, school_id, caller.school_ids)
    return service.rules_out(service.school_rules(session, school_id))


@router.put("/schools/{school_id}/rules", response_model=RulesOut, summary="修改学校设置")
def update_rules(school_id: PathId, body: RulesIn, session: SessionDep, caller: Admin) -> RulesOut:
    service.require_school(session, school_id, caller.school_ids)
    return service.update_rules(session=session, school_id=school_id, data=body)
