from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.core.deps import GUARDIAN, Caller, SessionDep, allow, public
from app.core.ids import QueryId
from app.privacy import service
from app.privacy.schemas import ChildConsentsOut, ConsentIn, RulesOut, WithdrawIn

router = APIRouter(prefix="/privacy", tags=["个人信息保护"])

Guardian = Annotated[Caller, Depends(allow(GUARDIAN))]


# Public: a parent reads the rules before binding, and anyone may read what a school does with children's data.
@router.get("/rules", response_model=RulesOut, dependencies=[Depends(public)],
            summary="儿童个人信息处理规则（默认当前版本；version= 查看旧版本；school_id= 填入学校名称）")
def get_rules(session: SessionDep,
              version: Annotated[str | None, Query(min_length=1, max_length=20)] = None,
              school_id: QueryId | None = None) -> RulesOut:
    return service.rules_out(session=session, version=version, school_id=school_id)


@router.get("/consents", response_model=list[ChildConsentsOut], summary="我对每个孩子各项信息处理的同意情况")
def my_consents(session: SessionDep, caller: Guardian) -> list[ChildConsentsOut]:
    return service.my_consents(session=session, caller=caller)


@router.post("/consents", response_model=ChildConsentsOut,
             summary="同意（或重新同意）当前版本的处理规则中的若干项；重复同意只记一次")
def give_consent(body: ConsentIn, session: SessionDep, caller: Guardian) -> ChildConsentsOut:
    return service.give_consent(session=session, caller=caller, data=body)


@router.post("/consents/withdraw", response_model=ChildConsentsOut,
             summary="撤回同意：照片立即删除；消息通知只保留安全提醒；花名册即解除您在该校与孩子的绑定")
def withdraw_consent(body: WithdrawIn, session: SessionDep, caller: Guardian) -> ChildConsentsOut:
    return service.withdraw_consent(session=session, caller=caller, data=body)
