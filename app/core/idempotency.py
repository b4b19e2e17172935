"""Idempotency-Key: a retried mutation returns the first result and writes nothing twice.

The mini-program sends `Idempotency-Key: <uuid>` on mutations it may retry (weak signal at the
school gate). For such a request this middleware:

1. reserves the key for the caller (a unique row), so a concurrent duplicate (the double tap)
   does not run twice: it waits up to `WAIT_FOR_FIRST` for the first to finish and gets its answer,
   or `409 IDEMPOTENCY_IN_PROGRESS` if the first is still running then;
2. runs the request, then stores its status and body on the row;
3. answers later retries with the stored result (header `Idempotent-Replayed: true`), or with
   `422 IDEMPOTENCY_KEY_REUSED` when the same key comes with a different request.

The database work runs in the thread pool, never on the event loop: a loop blocked waiting for a
pooled connection cannot let the requests holding connections finish (seen in the 抢课 benchmark).

A reservation whose request never finished (the process died) is released after a minute; the
domain's own unique rules (one release per child per day, one application per term, …) still hold.
"""

import asyncio
import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from sqlalchemy import Column, Text, UniqueConstraint, bindparam, delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, select
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.clock import utcnow
from app.core.errors import error_response
from app.core.security import decode_access_token
from app.core.types import UTCDateTime

HEADER = b"idempotency-key"
MUTATIONS = {"POST", "PUT", "PATCH", "DELETE"}
STALE_AFTER = timedelta(minutes=1)
KEEP_FOR = timedelta(days=2)
# Results worth replaying; a 401 or 429 should be tried again for real.
REPLAYABLE = set(range(200, 300)) | {400, 403, 404, 409, 413, 415, 422}
MAX_STORED_BODY = 256 * 1024
WAIT_FOR_FIRST = 10.0  # seconds a duplicate waits for the first request's answer
POLL_EVERY = 0.05
RUNNING = "running"


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("account_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(index=True)  # no foreign key: records outlive nothing and are pruned
    key: str = Field(max_length=100)
    request_hash: str = Field(max_length=64)
    status_code: int | None = None  # None while the first request is running
    content_type: str | None = Field(default=None, max_length=100)
    body: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, session_factory: Callable[[], AbstractContextManager[Session]]):
        self.app = app
        self.session_factory = session_factory

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in MUTATIONS:
            await self.app(scope, receive, send)
            return
        key = _header(scope, HEADER)
        authorization = _header(scope, b"authorization") or ""
        account_id = decode_access_token(authorization[7:].strip()) if key and authorization[:7].lower() == "bearer " \
            else None
        if not key or account_id is None:
            # Without a key there is nothing to replay; without a valid token the route answers 401 itself.
            await self.app(scope, receive, send)
            return
        if len(key) > 100:
            await error_response(422, "IDEMPOTENCY_KEY_INVALID", "Idempotency-Key 过长")(scope, receive, send)
            return

        body = await _read_body(receive)
        request_hash = hashlib.sha256(f"{scope['method']} {scope['path']}?{scope.get('query_string', b'').decode()}\n"
                                      .encode() + body).hexdigest()
        answer = await run_in_threadpool(self._reserve, account_id, key, request_hash)
        waited = 0.0
        while answer == RUNNING and waited < WAIT_FOR_FIRST:
            await asyncio.sleep(POLL_EVERY)
            waited += POLL_EVERY
            answer = await run_in_threadpool(self._reserve, account_id, key, request_hash)
        if answer == RUNNING:
            answer = error_response(409, "IDEMPOTENCY_IN_PROGRESS", "请求正在处理，请稍候")
        if answer is not None:
            await answer(scope, receive, send)
            return

        captured: dict = {"status": 500, "headers": [], "body": b""}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = message.get("headers", [])
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, _replay_body(body), capture)
        finally:
            await run_in_threadpool(self._settle, account_id, key, captured)

    def _reserve(self, account_id: int, key: str, request_hash: str):
        """None when this request may run, RUNNING while a first one with this key runs, else the answer.
        The insert comes first, in Core: a fresh key (nearly every request) costs one statement."""
        with self.session_factory() as session:
            try:
                session.connection().execute(_RESERVE, {"account_id": account_id, "key": key,
                                                        "request_hash": request_hash, "created_at": utcnow()})
                session.commit()
                return None
            except IntegrityError:
                session.rollback()
            record = session.exec(select(IdempotencyRecord).where(IdempotencyRecord.account_id == account_id,
                                                                  IdempotencyRecord.key == key)).first()
            if record is None:
                return RUNNING  # settled and deleted between the two statements: look again
            if record.status_code is None:
                if record.created_at >= utcnow() - STALE_AFTER:
                    return RUNNING
                session.delete(record)  # its request died: release the key and look again
                session.commit()
                return RUNNING
            if record.request_hash != request_hash:
                return error_response(422, "IDEMPOTENCY_KEY_REUSED", "同一个 Idempotency-Key 不能用于不同的请求")
            return _stored_response(record)

    def _settle(self, account_id: int, key: str, captured: dict) -> None:
        mine = {"for_account": account_id, "for_key": key}
        with self.session_factory() as session:
            conn = session.connection()
            if captured["status"] in REPLAYABLE and len(captured["body"]) <= MAX_STORED_BODY:
                content_type = dict(captured["headers"]).get(b"content-type", b"").decode("latin-1") or None
                conn.execute(_STORE, {**mine, "status_code": captured["status"], "content_type": content_type,
                                      "body": captured["body"].decode("utf-8", errors="replace")})
            else:
                conn.execute(_FORGET, mine)  # let a retry run for real
            session.commit()


_RECORD = IdempotencyRecord.__table__
_MINE = (_RECORD.c.account_id == bindparam("for_account")) & (_RECORD.c.key == bindparam("for_key"))
_RESERVE = insert(_RECORD)
_STORE = update(_RECORD).where(_MINE)  # values bound by column name
_FORGET = delete(_RECORD).where(_MINE)


def prune(session: Session) -> int:
    """Forget keys older than KEEP_FOR (the mini-program retries within seconds)."""
    result = session.exec(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - KEEP_FOR))
    session.commit()
    return result.rowcount


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay_body(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def _stored_response(record: IdempotencyRecord):
    from starlette.responses import Response

    headers = {"Idempotent-Replayed": "true"}
    return Response(record.body or b"", status_code=record.status_code, headers=headers,
                    media_type=record.content_type or "application/json")

