"""Request logging with a request id (X-Request-ID), as a plain ASGI middleware (cheap on hot paths)."""

import contextvars
import logging
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("kehou.request")
# (client IP, request id) of the request being served, for the access audit (app/audit/service.py).
request_origin: contextvars.ContextVar[tuple[str | None, str | None]] = contextvars.ContextVar(
    "request_origin", default=(None, None))


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        # Accept a caller's id only if it is short and plain, so logs cannot be forged.
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isascii() and incoming.isprintable() \
            else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        client = scope.get("client")
        request_origin.set((client[0] if client else None, request_id))  # for the access audit
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info("%s %s %s %.1fms rid=%s", scope["method"], scope["path"], status,
                     (time.perf_counter() - started) * 1000, request_id)
