from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.core.deps import Actor, Caller, SessionDep, allow, allow_any_account
from app.core.ids import PathId
from app.core.pagination import Page, PageDep
from app.notify import service
from app.notify.models import OutboxStatus
from app.notify.schemas import (
    InboxItem, InboxPage, OutboxItem, ReadAllOut, RetriedOut, SubscriptionOut, SubscriptionsIn, TemplateOut,
)
from app.schools.service import require_school

router = APIRouter(tags=["通知"])

Me = Annotated[Actor, Depends(allow_any_account)]
Admin = Annotated[Caller, Depends(allow("admin"))]


@router.get("/inbox", response_model=InboxPage, summary="我的消息（最新在前）与未读数")
def inbox(session: SessionDep, me: Me, page: PageDep) -> InboxPage:
    return service.inbox_page(session=session, account_id=me.account_id, params=page)


@router.post("/inbox/read-all", response_model=ReadAllOut, summary="全部标为已读")
def read_all(session: SessionDep, me: Me) -> ReadAllOut:
    return ReadAllOut(updated=service.mark_all_read(session=session, account_id=me.account_id))


@router.post("/inbox/{message_id}/read", response_model=InboxItem, summary="标为已读")
def read_one(message_id: PathId, session: SessionDep, me: Me) -> InboxItem:
    return service.mark_read(session=session, account_id=me.account_id, message_id=message_id)


@router.get("/notifications/templates", response_model=list[TemplateOut],
            summary="可订阅的消息模板（供 wx.requestSubscribeMessage 使用）")
def templates(me: Me) -> list[TemplateOut]:
    return service.templates()


@router.get("/notifications/subscriptions", response_model=list[SubscriptionOut], summary="我的订阅")
def my_subscriptions(session: SessionDep, me: Me) -> list[SubscriptionOut]:
    return service.subscriptions(session=session, account_id=me.account_id)


@router.post("/notifications/subscriptions", response_model=list[SubscriptionOut],
             summary="记录 wx.requestSubscribeMessage 的结果")
def record_subscriptions(body: SubscriptionsIn, session: SessionDep, me: Me) -> list[SubscriptionOut]:
    return service.record_subscriptions(session=session, account_id=me.account_id, results=body.results)


@router.get("/schools/{school_id}/notifications/outbox", response_model=Page[OutboxItem],
            summary="微信消息发送记录（可筛选失败的）")
def outbox(school_id: PathId, session: SessionDep, caller: Admin, page: PageDep,
           status: Annotated[str | None, Query(pattern="^(" + "|".join(OutboxStatus.ALL) + ")$")] = None
           ) -> Page[OutboxItem]:
    require_school(session, school_id, caller.school_ids)
    items, total = service.outbox_page(session=session, school_id=school_id, status=status, params=page)
    return Page(items=items, total=total, page=page.page, page_size=page.page_size)


@router.post("/schools/{school_id}/notifications/outbox/retry-failed", response_model=RetriedOut,
             summary="重试全部发送失败的消息")
def retry_all(school_id: PathId, session: SessionDep, caller: Admin) -> RetriedOut:
    require_school(session, school_id, caller.school_ids)
    return RetriedOut(retried=service.retry_failed(session=session, school_id=school_id))


@router.post("/schools/{school_id}/notifications/outbox/{outbox_id}/retry", response_model=RetriedOut,
             summary="重试一条发送失败的消息")
def retry_one(school_id: PathId, outbox_id: PathId, session: SessionDep, caller: Admin) -> RetriedOut:
    require_school(session, school_id, caller.school_ids)
    return RetriedOut(retried=service.retry_failed(session=session, school_id=school_id, outbox_id=outbox_id))
