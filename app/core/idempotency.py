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

A route under a rush (抢课) can instead record the key **in its own transaction**: it depends on
`OwnIdempotencyKey` and answers through `answer_once`. The middleware then only hands it the claim;
the route writes the record with its answer just before its own commit, so a first request costs one
statement more rather than two more transactions. A duplicate waits on the database (the child's row
lock, or the record's unique key) until the first commits, finds the record and replays it.
"""

import asyncio
import hashlib
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, TypeVar

from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel
from sqlalchemy import Column, Text, UniqueConstraint, bindparam, delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, select
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.clock import utcnow
from app.core.db import InsertOnce
from app.core.errors import AppError, app_error_response, error_response
from app.core.security import request_account_id
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
CLAIM = "idempotency_claim"  # where the middleware leaves a route's claim, in the request's state
A = TypeVar("A", bound=BaseModel)


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


@dataclass(frozen=True)
class Claim:
    """A request's Idempotency-Key, for the account that sent it, with a digest of the request."""

    account_id: int
    key: str
    request_hash: str


async def _own_claim(request: Request) -> Claim | None:
    return request.scope["state"].get(CLAIM)


# A route that records its key in its own transaction declares it with this parameter type (None when the
# request came without a key); the middleware finds such routes by it and leaves their keys to them.
OwnIdempotencyKey = Annotated[Claim | None, Depends(_own_claim)]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, session_factory: Callable[[], AbstractContextManager[Session]]):
        self.app = app
        self.session_factory = session_factory
        self._own: list[tuple[set[str], re.Pattern]] | None = None  # found on first use, once routes exist

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in MUTATIONS:
            await self.app(scope, receive, send)
            return
        key = _header(scope, HEADER)
        account_id = request_account_id(scope) if key else None
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
        if self._records_own_key(scope):
            scope["state"][CLAIM] = Claim(account_id, key, request_hash)
            await self.app(scope, _replay_body(body), send)
            return
        answer = await run_in_threadpool(self._reserve, account_id, key, request_hash)
        waited = 0.0
        while answer == RUNNING and waited < WAIT_FOR_FIRST:
            await asyncio.sleep(POLL_EVERY)
            waited += POLL_EVERY
            answer = await run_in_threadpool(self._reserve, account_id, key, request_hash)
        if answer == RUNNING:
            answer = _in_progress()
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

    def _records_own_key(self, scope: Scope) -> bool:
        if self._own is None:
            self._own = [(route.methods, compile_path(path)[0]) for route, path in _api_routes(scope["app"])
                         if _depends_on(route.dependant, _own_claim)]
        return any(scope["method"] in methods and pattern.match(scope["path"]) for methods, pattern in self._own)

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
            return _recorded_answer(session, Claim(account_id, key, request_hash))

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


def _recorded_answer(session: Session, claim: Claim):
    """What a request whose key is taken gets: RUNNING while the first one runs, else its stored answer
    (or `422` when the key came with a different request)."""
    conn = session.connection()
    record = conn.execute(_RECORDED, {"for_account": claim.account_id, "for_key": claim.key}).first()
    if record is None:
        return RUNNING  # settled and deleted between the two statements: look again
    if record.status_code is None:
        if record.created_at >= utcnow() - STALE_AFTER:
            return RUNNING
        conn.execute(_FORGET, {"for_account": claim.account_id, "for_key": claim.key})  # its request died:
        session.commit()  # release the key and look again
        return RUNNING
    if record.request_hash != claim.request_hash:
        return error_response(422, "IDEMPOTENCY_KEY_REUSED", "同一个 Idempotency-Key 不能用于不同的请求")
    return _stored_response(record)


def _in_progress() -> Response:
    return error_response(409, "IDEMPOTENCY_IN_PROGRESS", "请求正在处理，请稍候")


class AlreadyAnswered(Exception):
    """The key already has an answer: the work's transaction must be rolled back and that answer replayed."""


def answer_once(session: Session, claim: Claim | None, work: Callable[[Callable[[A], None]], A]) -> Response:
    """Run a unit of work that records its answer under the request's Idempotency-Key in its own transaction.

    `work(on_answer)` must call `on_answer(answer)` inside its transaction, just before committing: the
    record is written there, so the answer and the record commit together or not at all. When the key is
    already answered (a double tap that waited for the first, or a later retry), the work is rolled back and
    the first answer replayed. A refusal (an AppError) changed nothing and is recorded on its own afterwards."""
    answered: list[bytes] = []

    def on_answer(answer: A) -> None:
        body = answer.model_dump_json().encode()
        if claim is not None and not _record(session, claim, 200, body):
            raise AlreadyAnswered()
        answered.append(body)

    try:
        work(on_answer)
    except AlreadyAnswered:
        return _replay(session, claim)
    except AppError as refusal:
        session.rollback()
        response = app_error_response(refusal)
        if claim is None or refusal.status_code not in REPLAYABLE:
            return response
        if not _record(session, claim, refusal.status_code, response.body):
            return _replay(session, claim)  # a duplicate recorded its answer first: give that one
        session.commit()
        return response
    # A body as FastAPI would send for the route's response model; sent as is, so a replay is byte for byte.
    return Response(answered[-1], media_type="application/json")


def _record(session: Session, claim: Claim, status_code: int, body: bytes) -> bool:
    """Write the answer under the key in the session's transaction; False when the key has an answer already
    (on PostgreSQL, after waiting for a transaction writing one to end)."""
    return _record_once(session, {
        "account_id": claim.account_id, "key": claim.key, "request_hash": claim.request_hash, "created_at": utcnow(),
        "status_code": status_code, "content_type": "application/json", "body": body.decode()})


def _replay(session: Session, claim: Claim) -> Response:
    session.rollback()  # this request's own work goes; the answer comes from the first one
    answer = _recorded_answer(session, claim)
    session.rollback()
    return _in_progress() if answer == RUNNING else answer


def _api_routes(app: FastAPI) -> list:
    """Every APIRoute of the app with its full path (FastAPI ≥ 0.160 nests included routers)."""
    from fastapi.routing import APIRoute
    try:
        from fastapi.routing import iter_route_contexts
        routes = [(ctx.original_route, ctx.path) for ctx in iter_route_contexts(app.routes)]
    except ImportError:  # older FastAPI flattens included routers into APIRoutes
        routes = [(route, getattr(route, "path", "")) for route in app.routes]
    return [(route, path) for route, path in routes if isinstance(route, APIRoute)]


def _depends_on(dependant, call) -> bool:
    return any(sub.call is call or _depends_on(sub, call) for sub in dependant.dependencies)


_RECORD = IdempotencyRecord.__table__
_MINE = (_RECORD.c.account_id == bindparam("for_account")) & (_RECORD.c.key == bindparam("for_key"))
_RESERVE = insert(_RECORD)
_STORE = update(_RECORD).where(_MINE)  # values bound by column name
_FORGET = delete(_RECORD).where(_MINE)
_RECORDED = select(_RECORD.c.status_code, _RECORD.c.request_hash, _RECORD.c.content_type, _RECORD.c.body,
                   _RECORD.c.created_at).where(_MINE)
# A route's answer, recorded unless the key has one already (then nothing is written, and no error raised).
_record_once = InsertOnce(IdempotencyRecord, "account_id", "key")


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


def _stored_response(record) -> Response:
    headers = {"Idempotent-Replayed": "true"}
    return Response(record.body or b"", status_code=record.status_code, headers=headers,
                    media_type=record.content_type or "application/json")

