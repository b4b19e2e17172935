"""Delivering the outbox to WeChat: nothing lost, nothing sent twice.

A worker claims a batch of due rows (on PostgreSQL with FOR UPDATE SKIP LOCKED, so several
workers never claim the same row), marks them `sending` with a lease, and settles each row in
its own transaction. A worker that dies mid-batch leaves leases that expire, and another
worker picks those rows up again.

Outcomes: sent; skipped (no openid, no template, no acceptance left, or a guardian without consent to
notifications and a message that is not about the child's safety: the inbox has it);
refused (43101: the user said no, never retried); pending again after a back-off (network,
time-out, 5xx, errcode -1); failed after `notify_max_attempts` or on an error retrying cannot fix.

Between batches the loop also runs the periodic jobs other packages register (`register_periodic`),
such as the absence-alert sweep in `app/attendance/service.py`.
"""

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.auth.models import Account
from app.core.clock import utcnow
from app.core.config import Settings, get_settings
from app.notify.events import EVENTS
from app.notify.models import OutboxMessage, OutboxStatus, SubscriptionGrant, WeChatAccessToken
from app.notify.service import render
from app.privacy.service import wechat_messages_allowed
from app.wechat.client import WeChatClient, WeChatError, WeChatUnavailable, truncate_field

log = logging.getLogger("kehou.notify.worker")

LEASE = timedelta(seconds=60)
TOKEN_MARGIN = timedelta(minutes=5)  # refresh this long before WeChat's expiry


class TokenCache:
    """One access token for all workers, kept in the database (WeChat invalidates old ones)."""

    def __init__(self, engine: Engine, wechat: WeChatClient):
        self.engine, self.wechat = engine, wechat
        self._local_lock = threading.Lock()
        self._memo: tuple[str, datetime] | None = None  # saves a database read per message

    def get(self, *, stale: str | None = None) -> str:
        """A valid token; with `stale`, one other than that (which WeChat just refused)."""
        if self._memo and self._memo[0] != stale and self._memo[1] - TOKEN_MARGIN > utcnow():
            return self._memo[0]
        with Session(self.engine) as session:
            row = session.get(WeChatAccessToken, self.wechat.appid)
            if row and row.token != stale and row.expires_at - TOKEN_MARGIN > utcnow():
                self._memo = (row.token, row.expires_at)
                return row.token
        self._ensure_row()
        with self._local_lock, Session(self.engine) as session:
            # Lock the row so two workers do not both fetch (each fetch invalidates the last).
            row = session.exec(select(WeChatAccessToken).where(WeChatAccessToken.appid == self.wechat.appid)
                               .with_for_update()).first()
            if row and row.token != stale and row.expires_at - TOKEN_MARGIN > utcnow():
                self._memo = (row.token, row.expires_at)
                return row.token
            token, expires_in = self.wechat.fetch_access_token()
            row.token, row.fetched_at = token, utcnow()
            row.expires_at = row.fetched_at + timedelta(seconds=expires_in)
            session.add(row)
            session.commit()
            self._memo = (token, row.expires_at)
            log.info("fetched a new WeChat access token")
            return token

    def _ensure_row(self) -> None:
        """Create the (expired) token row once, so there is always a row to lock: locking a
        missing row locks nothing, and two first workers would both fetch and insert."""
        with Session(self.engine) as session:
            if session.get(WeChatAccessToken, self.wechat.appid):
                return
            session.add(WeChatAccessToken(appid=self.wechat.appid, token="", expires_at=utcnow(),
                                          fetched_at=utcnow()))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()  # another worker created it first


@dataclass(frozen=True)
class PeriodicJob:
    """Work the delivery loop also runs every `every_seconds` (e.g. absence alerts), registered next to its code.
    The job opens its own sessions and must be safe with several workers running it."""

    name: str
    every_seconds: float
    run: Callable[[Engine], object]


PERIODIC: dict[str, PeriodicJob] = {}


def register_periodic(job: PeriodicJob) -> PeriodicJob:
    PERIODIC[job.name] = job
    return job


@dataclass
class _Outcome:
    status: str
    error: str | None = None
    msgid: str | None = None
    retry_at: datetime | None = None


class Deliverer:
    def __init__(self, engine: Engine, wechat: WeChatClient, settings: Settings | None = None,
                 rng: random.Random | None = None):
        self.engine, self.wechat = engine, wechat
        self.settings = settings or get_settings()
        self.tokens = TokenCache(engine, wechat)
        self.rng = rng or random.Random()
        self._last_run: dict[str, float] = {}

    # ---------- claiming ----------

    def claim(self, batch: int) -> list[int]:
        now = utcnow()
        due = or_(
            (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now),
            (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.lease_until < now),
        )
        with Session(self.engine) as session:
            ids = list(session.exec(select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(batch)
                                    .with_for_update(skip_locked=True)).all())
            if ids:
                session.exec(update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                             .values(status=OutboxStatus.SENDING, lease_until=now + LEASE))
            session.commit()
        return ids

    def run_once(self, batch: int = 50) -> int:
        """Deliver one batch of due rows; returns how many were handled."""
        ids = self.claim(batch)
        for outbox_id in ids:
            self.deliver(outbox_id)
        return len(ids)

    def drain(self, batch: int = 50, max_rounds: int = 10_000) -> int:
        """Run until nothing is due (for tests and the benchmark)."""
        total = 0
        for _ in range(max_rounds):
            handled = self.run_once(batch)
            if not handled:
                break
            total += handled
        return total

    def run_periodic(self) -> None:
        """Run the registered jobs that are due; one failing job neither stops the others nor the delivery."""
        for job in list(PERIODIC.values()):
            started = time.monotonic()
            if started - self._last_run.get(job.name, float("-inf")) < job.every_seconds:
                continue
            self._last_run[job.name] = started
            try:
                job.run(self.engine)
            except Exception:  # noqa: BLE001
                log.exception("periodic job %s failed", job.name)

    def run_forever(self, stop: threading.Event, idle_seconds: float = 1.0, batch: int = 50) -> None:
        log.info("notification worker started")
        while not stop.is_set():
            self.run_periodic()
            try:
                handled = self.run_once(batch)
            except Exception:  # noqa: BLE001 - a database hiccup must not kill the worker
                log.exception("notification worker round failed")
                handled = 0
            if not handled:
                stop.wait(idle_seconds)

    # ---------- one message ----------

    def deliver(self, outbox_id: int) -> str:
        # Two short transactions around the WeChat call; none stays open while WeChat answers.
        with Session(self.engine, expire_on_commit=False) as session:
            message, openid = session.exec(
                select(OutboxMessage, Account.wechat_openid).join(Account, Account.id == OutboxMessage.account_id)
                .where(OutboxMessage.id == outbox_id)).one()
            event = EVENTS.get(message.event)
            template_id = self.settings.template_id(message.event) if event else None
            if not openid or event is None or template_id is None:
                outcome = _Outcome(OutboxStatus.SKIPPED, "未绑定微信" if not openid else "未配置消息模板")
            elif not event.safety and not wechat_messages_allowed(
                    session, account_id=message.account_id, student_id=message.data.get("student_id"),
                    student_ids=message.data.get("student_ids") or ()):
                outcome = _Outcome(OutboxStatus.SKIPPED, "家长未同意或已撤回消息通知（仅发安全提醒）")
            elif not self._reserve_acceptance(session, message.account_id, template_id):
                outcome = _Outcome(OutboxStatus.SKIPPED, "没有可用的订阅次数")
            else:
                outcome = None
            session.commit()
            if outcome is None:
                fields = {key: truncate_field(key, render(value, message.data)) for key, value in event.fields.items()}
                outcome = self._send(message, openid, template_id, fields, render(event.page, message.data))
                if outcome.status != OutboxStatus.SENT:
                    self._release_acceptance(session, message.account_id, template_id,
                                             used_up=outcome.status == OutboxStatus.REFUSED)
            self._settle(session, message, outcome)
            session.commit()
            return outcome.status

    def _send(self, message: OutboxMessage, openid: str, template_id: str, fields: dict[str, str],
              page: str) -> _Outcome:
        token = None
        for attempt in range(2):  # a second try only after refreshing a refused token
            try:
                token = self.tokens.get(stale=token if attempt else None)
                msgid = self.wechat.send_subscribe_message(
                    access_token=token, openid=openid, template_id=template_id, data=fields, page=page,
                    state=self.settings.wechat_miniprogram_state)
                return _Outcome(OutboxStatus.SENT, msgid=str(msgid))
            except WeChatError as exc:
                if exc.token_invalid and attempt == 0:
                    continue
                if exc.errcode == 43101:
                    return _Outcome(OutboxStatus.REFUSED, f"43101 {exc.errmsg}"[:500])
                if exc.retryable:
                    return self._later(message, f"{exc.errcode} {exc.errmsg}")
                return _Outcome(OutboxStatus.FAILED, f"{exc.errcode} {exc.errmsg}"[:500])
            except WeChatUnavailable as exc:
                return self._later(message, str(exc))
        return self._later(message, "access token refused twice")

    def _later(self, message: OutboxMessage, error: str) -> _Outcome:
        attempts = message.attempts + 1
        if attempts >= self.settings.notify_max_attempts:
            return _Outcome(OutboxStatus.FAILED, f"{error}（已尝试 {attempts} 次）"[:500])
        # Exponential back-off with jitter, so a recovering WeChat is not hit by every row at once.
        delay = min(self.settings.notify_backoff_base_seconds * 2 ** (attempts - 1),
                    self.settings.notify_backoff_max_seconds) * self.rng.uniform(0.5, 1.5)
        return _Outcome(OutboxStatus.PENDING, error[:500], retry_at=utcnow() + timedelta(seconds=delay))

    def _settle(self, session: Session, message: OutboxMessage, outcome: _Outcome) -> None:
        values: dict = {"status": outcome.status, "last_error": outcome.error, "lease_until": None}
        if outcome.status == OutboxStatus.SENT:
            values.update(sent_at=utcnow(), wechat_msgid=outcome.msgid)
        if outcome.status in (OutboxStatus.PENDING, OutboxStatus.FAILED) and outcome.error:
            values["attempts"] = OutboxMessage.attempts + 1
        if outcome.retry_at:
            values["next_attempt_at"] = outcome.retry_at
        # Only the holder of the claim settles the row.
        session.exec(update(OutboxMessage).where(OutboxMessage.id == message.id,
                                                 OutboxMessage.status == OutboxStatus.SENDING).values(**values))

    # ---------- one-time acceptances ----------

    def _reserve_acceptance(self, session: Session, account_id: int, template_id: str) -> bool:
        grant = session.exec(select(SubscriptionGrant).where(SubscriptionGrant.account_id == account_id,
                                                             SubscriptionGrant.template_id == template_id)).first()
        if grant is None or grant.long_term:
            return grant is not None
        # Conditional decrement: two workers cannot spend the same acceptance.
        taken = session.exec(update(SubscriptionGrant).where(SubscriptionGrant.id == grant.id,
                                                             SubscriptionGrant.remaining > 0)
                             .values(remaining=SubscriptionGrant.remaining - 1)).rowcount
        return taken == 1

    def _release_acceptance(self, session: Session, account_id: int, template_id: str, used_up: bool) -> None:
        grant = session.exec(select(SubscriptionGrant).where(SubscriptionGrant.account_id == account_id,
                                                             SubscriptionGrant.template_id == template_id)).first()
        if grant is None or grant.long_term and not used_up:
            return
        if used_up:  # WeChat says nothing is left, whatever we counted
            values = {"remaining": 0, "long_term": False}
        else:
            values = {"remaining": SubscriptionGrant.remaining + 1}
        session.exec(update(SubscriptionGrant).where(SubscriptionGrant.id == grant.id).values(**values))


def start_in_process(engine: Engine, wechat: WeChatClient) -> tuple[threading.Thread, threading.Event]:
    """The delivery loop on a daemon thread (used by `make run` so a newcomer sees it work)."""
    stop = threading.Event()
    thread = threading.Thread(target=Deliverer(engine, wechat).run_forever, args=(stop,),
                              name="kehou-notify", daemon=True)
    thread.start()
    return thread, stop
