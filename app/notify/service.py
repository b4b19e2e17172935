"""Notifications: enqueue in the caller's transaction, the inbox, and what guardians subscribed to.

`enqueue` never commits: it writes an inbox row and an outbox row in the same transaction
as the change that caused them, so a rolled-back handoff sends nothing and a committed one
is never forgotten. The worker (`app/notify/worker.py`) delivers the outbox to WeChat.
"""

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.auth.models import Account
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.db import InsertOnce
from app.core.errors import AppError, NotFound
from app.core.pagination import PageParams, paginate
from app.notify.events import EVENTS, EventType
from app.notify.models import InboxMessage, OutboxMessage, OutboxStatus, SubscriptionGrant
from app.notify.schemas import InboxItem, InboxPage, OutboxItem, SubscriptionOut, TemplateOut
from app.people.models import Guardian, Guardianship

log = logging.getLogger("kehou.notify")


class _Blank(dict):
    """Missing template values render as empty text rather than failing a whole handoff."""

    def __missing__(self, key: str) -> str:
        return ""


def render(template: str, data: dict[str, Any]) -> str:
    return template.format_map(_Blank({k: "" if v is None else v for k, v in data.items()})).strip()


def enqueue(session: Session, *, account_id: int, event: str, data: dict[str, Any], dedupe_key: str,
            school_id: int | None = None) -> InboxMessage | None:
    """Record a notification for one account; None when this dedupe_key was already recorded."""
    kind: EventType = EVENTS[event]
    if session.exec(select(InboxMessage.id).where(InboxMessage.dedupe_key == dedupe_key)).first() is not None:
        return None
    inbox = InboxMessage(school_id=school_id, account_id=account_id, event=event, title=render(kind.title, data)[:100],
                         body=render(kind.body, data)[:500], page=render(kind.page, data)[:200], data=data,
                         dedupe_key=dedupe_key)
    try:
        # A savepoint: a concurrent writer of the same key loses quietly, the caller's work stays.
        with session.begin_nested():
            session.add(inbox)
            session.flush()
            session.add(OutboxMessage(school_id=school_id, account_id=account_id, inbox_id=inbox.id, event=event,
                                      data=data, dedupe_key=dedupe_key))
            session.flush()
    except IntegrityError:
        return None
    return inbox


def guardian_accounts(session: Session, student_id: int) -> list[int]:
    """Accounts of the child's guardians who bound WeChat (the only ones we can reach)."""
    return list(session.exec(
        select(Guardian.account_id).join(Guardianship, Guardianship.guardian_id == Guardian.id)
        .where(Guardianship.student_id == student_id, Guardian.account_id.is_not(None))
        .distinct().order_by(Guardian.account_id)).all())


def notify_guardians(session: Session, *, student_id: int, school_id: int, event: str, data: dict[str, Any],
                     dedupe_key: str) -> int:
    """Enqueue `event` for every bound guardian of a child; the key is made unique per guardian."""
    count = 0
    for account_id in guardian_accounts(session, student_id):
        # The child's id rides along so a tap on the message can open that child's page.
        if enqueue(session, account_id=account_id, event=event, data={"student_id": student_id, **data},
                   school_id=school_id,
                   dedupe_key=f"{dedupe_key}:{account_id}"):
            count += 1
    return count


_new_inbox = InsertOnce(InboxMessage, "dedupe_key")
_new_outbox = InsertOnce(OutboxMessage, "dedupe_key")


def enqueue_many(session: Session, *, event: str, school_id: int | None,
                 messages: list[tuple[int, dict[str, Any], str]]) -> int:
    """`enqueue` for many accounts at once — (account id, data, dedupe key) each — in two statements whatever their
    number (SQLAlchemy pages very long ones): the inbox rows, then the outbox rows of those written. A key recorded
    already writes nothing (the unique key decides, without a savepoint per message). Not committed; returns how
    many were new."""
    kind: EventType = EVENTS[event]
    now = utcnow()
    rows = [dict(school_id=school_id, account_id=account_id, event=event, title=render(kind.title, data)[:100],
                 body=render(kind.body, data)[:500], page=render(kind.page, data)[:200], data=data, dedupe_key=key,
                 created_at=now, read_at=None) for account_id, data, key in messages]
    data_of = {row["dedupe_key"]: row["data"] for row in rows}
    written = sorted(_new_inbox.many(session, rows, "id", "account_id", "dedupe_key"))
    _new_outbox.many(session, [dict(
        school_id=school_id, account_id=inbox.account_id, inbox_id=inbox.id, event=event,
        data=data_of[inbox.dedupe_key], dedupe_key=inbox.dedupe_key, status=OutboxStatus.PENDING, attempts=0,
        next_attempt_at=now, lease_until=None, last_error=None, wechat_msgid=None, created_at=now, sent_at=None)
        for inbox in written])
    return len(written)


def notify_guardians_of_many(session: Session, *, school_id: int, event: str, data_of: dict[int, dict[str, Any]],
                             key_of: Callable[[int], str]) -> int:
    """`notify_guardians` for many children at once, in three statements whatever their number (a roll call of 45,
    a release of siblings): the guardians' accounts, then the messages (`enqueue_many`), written unless the dedupe
    key (`key_of(child)` + the account) was recorded already. `data_of` maps each child to its message's data. Says
    how many messages were new."""
    if not data_of:
        return 0
    accounts: dict[int, list[int]] = {}
    for student_id, account_id in session.exec(
            select(Guardianship.student_id, Guardian.account_id).join(Guardian, Guardian.id == Guardianship.guardian_id)
            .where(Guardianship.student_id.in_(list(data_of)), Guardian.account_id.is_not(None))
            .distinct().order_by(Guardianship.student_id, Guardian.account_id)).all():
        accounts.setdefault(student_id, []).append(account_id)
    return enqueue_many(session, event=event, school_id=school_id, messages=[
        # the child's id rides along so a tap on the message opens that child's page
        (account_id, {"student_id": student_id, **child_data}, f"{key_of(student_id)}:{account_id}")
        for student_id, child_data in data_of.items() for account_id in accounts.get(student_id, [])])


# ---------- inbox ----------

def _inbox_item(row: InboxMessage) -> InboxItem:
    return InboxItem(id=row.id, event=row.event, title=row.title, body=row.body, page=row.page,
                     created_at=row.created_at, read=row.read_at is not None)


def unread_count(session: Session, account_id: int) -> int:
    return session.exec(select(func.count()).select_from(InboxMessage).where(
        InboxMessage.account_id == account_id, InboxMessage.read_at.is_(None))).one()


def inbox_page(*, session: Session, account_id: int, params: PageParams) -> InboxPage:
    query = select(InboxMessage).where(InboxMessage.account_id == account_id) \
        .order_by(InboxMessage.created_at.desc(), InboxMessage.id.desc())
    rows, total = paginate(session, query, params)
    return InboxPage(items=[_inbox_item(r) for r in rows], total=total, page=params.page,
                     page_size=params.page_size, unread=unread_count(session, account_id))


def mark_read(*, session: Session, account_id: int, message_id: int) -> InboxItem:
    row = session.get(InboxMessage, message_id)
    if row is None or row.account_id != account_id:
        raise NotFound("MESSAGE_NOT_FOUND", "未找到该消息")
    if row.read_at is None:
        row.read_at = utcnow()
        session.add(row)
        session.commit()
    return _inbox_item(row)


def mark_all_read(*, session: Session, account_id: int) -> int:
    result = session.exec(update(InboxMessage).where(InboxMessage.account_id == account_id,
                                                     InboxMessage.read_at.is_(None)).values(read_at=utcnow()))
    session.commit()
    return result.rowcount


# ---------- subscriptions ----------

def templates() -> list[TemplateOut]:
    settings = get_settings()
    out = []
    for event in EVENTS.values():
        template_id = settings.template_id(event.key)
        if template_id:
            out.append(TemplateOut(event=event.key, title=event.title.replace("{decision}", "结果"),
                                   template_id=template_id, long_term=event.long_term))
    return out


def _template_events() -> dict[str, EventType]:
    settings = get_settings()
    return {settings.template_id(e.key): e for e in EVENTS.values() if settings.template_id(e.key)}


def subscriptions(*, session: Session, account_id: int) -> list[SubscriptionOut]:
    by_template = _template_events()
    rows = session.exec(select(SubscriptionGrant).where(SubscriptionGrant.account_id == account_id)
                        .order_by(SubscriptionGrant.id)).all()
    return [SubscriptionOut(template_id=r.template_id, event=by_template[r.template_id].key
                            if r.template_id in by_template else None, long_term=r.long_term,
                            remaining=r.remaining, last_choice=r.last_choice) for r in rows]


def record_subscriptions(*, session: Session, account_id: int, results: dict[str, str]) -> list[SubscriptionOut]:
    """Count what the person accepted: one-time acceptances add one send each; long-term ones switch on."""
    by_template = _template_events()
    unknown = [t for t in results if t not in by_template]
    if unknown:
        raise AppError("TEMPLATE_UNKNOWN", "未知的消息模板", status_code=422,
                       fields={f"results.{t}": "不是本小程序的模板" for t in unknown})
    for template_id, choice in results.items():
        grant = session.exec(select(SubscriptionGrant).where(SubscriptionGrant.account_id == account_id,
                                                             SubscriptionGrant.template_id == template_id)).first()
        if grant is None:
            grant = SubscriptionGrant(account_id=account_id, template_id=template_id)
        long_term = by_template[template_id].long_term
        if choice == "accept":
            if long_term:
                grant.long_term = True
            else:
                grant.remaining += 1
        elif long_term:
            grant.long_term = False  # switched off in WeChat's settings, or refused
        grant.last_choice = choice
        grant.updated_at = utcnow()
        session.add(grant)
    session.commit()
    return subscriptions(session=session, account_id=account_id)


# ---------- admin view of the outbox ----------

def outbox_page(*, session: Session, school_id: int, status: str | None, params: PageParams
                ) -> tuple[list[OutboxItem], int]:
    query = select(OutboxMessage, Account.display_name).join(Account, Account.id == OutboxMessage.account_id) \
        .where(OutboxMessage.school_id == school_id)
    if status:
        query = query.where(OutboxMessage.status == status)
    rows, total = paginate(session, query.order_by(OutboxMessage.id.desc()), params)
    return [OutboxItem(id=m.id, event=m.event, account_id=m.account_id, recipient_name=name, status=m.status,
                       attempts=m.attempts, last_error=m.last_error, created_at=m.created_at, sent_at=m.sent_at,
                       next_attempt_at=m.next_attempt_at) for m, name in rows], total


def retry_failed(*, session: Session, school_id: int, outbox_id: int | None = None) -> int:
    """Put failed rows back in the queue with a fresh attempt budget."""
    query = update(OutboxMessage).where(OutboxMessage.school_id == school_id,
                                        OutboxMessage.status == OutboxStatus.FAILED)
    if outbox_id is not None:
        row = session.get(OutboxMessage, outbox_id)
        if row is None or row.school_id != school_id:
            raise NotFound("OUTBOX_NOT_FOUND", "未找到该消息")
        if row.status != OutboxStatus.FAILED:
            raise AppError("OUTBOX_NOT_FAILED", "只有发送失败的消息可以重试", status_code=409)
        query = query.where(OutboxMessage.id == outbox_id)
    result = session.exec(query.values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=utcnow(),
                                       lease_until=None))
    session.commit()
    return result.rowcount
