"""A fake WeChat API that behaves like the real one (shared/WECHAT.md), errors included.

Use it in-process as an httpx transport (`httpx.MockTransport(fake.handle)`), or over real
HTTP with `asgi_app(fake)` (`python -m app.cli fake-wechat --port 8001`).

Logins: a code `dev:<openid>` or `dev:<openid>:<nonce>` yields that openid, once; a code used
again gives 40163, anything else 40029.

Fault switches, for tests of what Kehou does when WeChat misbehaves:
  fail_next(errcode, times=1, path=None)  answer with that errcode (e.g. -1 system busy)
  server_error_next(times=1)              answer HTTP 503
  timeout_next(times=1)                   raise httpx.ReadTimeout (the ASGI app answers 504)
  set_down(True / False)                  raise httpx.ConnectError (the ASGI app answers 503)
  expire_all_tokens()                     every issued access token now gives 42001
  invalidate_all_tokens()                 every issued access token now gives 40001
  refuse(openid)                          subscribe sends to this openid give 43101
Counters: `calls[path]`, `sent` (accepted subscribe messages), `tokens_issued`.
"""

import json
import re
import secrets
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import httpx

from app.wechat.fields import field_problem

TOKEN_LIFETIME = 7200
OLD_TOKEN_GRACE = 300  # a replaced token keeps working for 5 minutes
STABLE_FORCE_INTERVAL = 30
LOGIN_LIMIT_PER_MINUTE = 100
_DEV_CODE = re.compile(r"^dev:([A-Za-z0-9_\-]{1,64})(?::[^\s]{0,64})?$")


class _Fault:
    def __init__(self, kind: str, times: int, errcode: int | None = None, path: str | None = None):
        self.kind, self.times, self.errcode, self.path = kind, times, errcode, path


class FakeWeChat:
    def __init__(self, *, appid: str | None = None, secret: str | None = None,
                 now: Callable[[], float] = time.time, known_templates: set[str] | None = None,
                 unionids: bool = False):
        self.appid, self.secret, self.now = appid, secret, now
        self.known_templates = known_templates
        self.unionids = unionids
        self._lock = threading.Lock()
        self._used_codes: set[str] = set()
        self._logins: dict[str, deque[float]] = defaultdict(deque)
        # token → (expires_at, superseded_at or None)
        self._tokens: dict[str, list[float | None]] = {}
        self._latest_token: str | None = None
        self._stable: tuple[str, float] | None = None
        self._stable_forced_at: float | None = None
        self._faults: list[_Fault] = []
        self._down = False
        self._refusing: set[str] = set()
        self._msgid = 1000
        self.calls: Counter[str] = Counter()
        self.sent: list[dict[str, Any]] = []
        self.tokens_issued = 0

    # ---------- switches ----------

    def fail_next(self, errcode: int, times: int = 1, path: str | None = None) -> None:
        with self._lock:
            self._faults.append(_Fault("errcode", times, errcode, path))

    def server_error_next(self, times: int = 1) -> None:
        with self._lock:
            self._faults.append(_Fault("5xx", times))

    def timeout_next(self, times: int = 1) -> None:
        with self._lock:
            self._faults.append(_Fault("timeout", times))

    def set_down(self, down: bool = True) -> None:
        self._down = down

    def expire_all_tokens(self) -> None:
        with self._lock:
            for entry in self._tokens.values():
                entry[0] = self.now() - 1

    def invalidate_all_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()
            self._latest_token = None
            self._stable = None

    def refuse(self, openid: str) -> None:
        self._refusing.add(openid)

    # ---------- transport entry point ----------

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if self._down:
            raise httpx.ConnectError("fake WeChat is down", request=request)
        with self._lock:
            self.calls[path] += 1
            fault = self._take_fault(path)
        if fault is not None:
            if fault.kind == "timeout":
                raise httpx.ReadTimeout("fake WeChat timed out", request=request)
            if fault.kind == "5xx":
                return httpx.Response(503, text="<html>503 Service Unavailable</html>")
            return _error(fault.errcode, "system error" if fault.errcode == -1 else "injected error")
        query = {k: v[-1] for k, v in parse_qs(request.url.query.decode()).items()}
        try:
            body = json.loads(request.content or b"{}") if request.method == "POST" else {}
        except ValueError:
            return _error(47001, "data format error")
        route = _ROUTES.get((request.method, path))
        if route is None:
            return httpx.Response(404, json={"errcode": 404, "errmsg": "not found"})
        with self._lock:
            return route(self, query, body)

    def _take_fault(self, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.path in (None, path):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    # ---------- endpoints ----------

    def _credentials_problem(self, appid: str | None, secret: str | None) -> httpx.Response | None:
        if not appid or (self.appid and appid != self.appid):
            return _error(40013, "invalid appid")
        if not secret or (self.secret and secret != self.secret):
            return _error(40125, "invalid appsecret")
        return None

    def _code2session(self, query: dict, _body: dict) -> httpx.Response:
        problem = self._credentials_problem(query.get("appid"), query.get("secret"))
        if problem:
            return problem
        code = query.get("js_code", "")
        match = _DEV_CODE.match(code)
        if not match:
            return _error(40029, "invalid code")
        if code in self._used_codes:
            return _error(40163, "code been used")
        openid = match.group(1)
        window = self._logins[openid]
        now = self.now()
        while window and window[0] < now - 60:
            window.popleft()
        if len(window) >= LOGIN_LIMIT_PER_MINUTE:
            return _error(45011, "api minute-quota reach limit")
        window.append(now)
        self._used_codes.add(code)
        answer = {"openid": openid, "session_key": secrets.token_urlsafe(16)}
        if self.unionids:
            answer["unionid"] = f"union-{openid}"
        return httpx.Response(200, json=answer)

    def _new_token(self) -> str:
        token = secrets.token_urlsafe(102)  # ~136 characters, like WeChat's
        now = self.now()
        if self._latest_token in self._tokens:
            self._tokens[self._latest_token][1] = now
        self._tokens[token] = [now + TOKEN_LIFETIME, None]
        self._latest_token = token
        self.tokens_issued += 1
        return token

    def _access_token(self, query: dict, _body: dict) -> httpx.Response:
        problem = self._credentials_problem(query.get("appid"), query.get("secret"))
        if problem:
            return problem
        if query.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        return httpx.Response(200, json={"access_token": self._new_token(), "expires_in": TOKEN_LIFETIME})

    def _stable_token(self, _query: dict, body: dict) -> httpx.Response:
        problem = self._credentials_problem(body.get("appid"), body.get("secret"))
        if problem:
            return problem
        now = self.now()
        if body.get("force_refresh"):
            if self._stable_forced_at is not None and now - self._stable_forced_at < STABLE_FORCE_INTERVAL:
                return _error(45009, "reach max api daily quota limit")
            self._stable_forced_at = now
            self._stable = None
        if self._stable is None or self._stable[1] <= now:
            token = secrets.token_urlsafe(102)
            self._tokens[token] = [now + TOKEN_LIFETIME, None]
            self._stable = (token, now + TOKEN_LIFETIME)
            self.tokens_issued += 1
        token, expires_at = self._stable
        return httpx.Response(200, json={"access_token": token, "expires_in": int(expires_at - now)})

    def _token_problem(self, token: str | None) -> httpx.Response | None:
        entry = self._tokens.get(token or "")
        now = self.now()
        if entry is None:
            return _error(40001, "invalid credential, access_token is invalid or not latest")
        expires_at, superseded_at = entry
        if superseded_at is not None and now >= superseded_at + OLD_TOKEN_GRACE:
            return _error(40001, "invalid credential, access_token is invalid or not latest")
        if now >= expires_at:
            return _error(42001, "access_token expired")
        return None

    def _subscribe_send(self, query: dict, body: dict) -> httpx.Response:
        problem = self._token_problem(query.get("access_token"))
        if problem:
            return problem
        openid = body.get("touser")
        if not isinstance(openid, str) or not re.fullmatch(r"[A-Za-z0-9_\-]{1,64}", openid):
            return _error(40003, "invalid openid")
        template_id = body.get("template_id")
        if not template_id or (self.known_templates is not None and template_id not in self.known_templates):
            return _error(40037, "invalid template_id")
        page = body.get("page")
        if page is not None and (not isinstance(page, str) or not page.startswith("pages/") or " " in page):
            return _error(41030, "invalid page")
        data = body.get("data")
        if not isinstance(data, dict) or not data:
            return _error(47003, "argument invalid! data is empty")
        for key, item in data.items():
            value = item.get("value") if isinstance(item, dict) else None
            if field_problem(key, value) is not None:
                return _error(47003, f"argument invalid! data.{key}.value invalid")
        if openid in self._refusing:
            return _error(43101, "user refuse to accept the msg")
        self._msgid += 1
        self.sent.append({"openid": openid, "template_id": template_id, "page": page,
                          "data": {k: v["value"] for k, v in data.items()}, "at": self.now(),
                          "msgid": self._msgid})
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok", "msgid": self._msgid})

    def _phone_number(self, query: dict, body: dict) -> httpx.Response:
        problem = self._token_problem(query.get("access_token"))
        if problem:
            return problem
        match = re.fullmatch(r"phone:(\d{11})", str(body.get("code", "")))
        if not match:
            return _error(40029, "invalid code")
        phone = match.group(1)
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok", "phone_info": {
            "phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86"}})


_ROUTES: dict[tuple[str, str], Callable[[FakeWeChat, dict, dict], httpx.Response]] = {
    ("GET", "/sns/jscode2session"): FakeWeChat._code2session,
    ("GET", "/cgi-bin/token"): FakeWeChat._access_token,
    ("POST", "/cgi-bin/stable_token"): FakeWeChat._stable_token,
    ("POST", "/cgi-bin/message/subscribe/send"): FakeWeChat._subscribe_send,
    ("POST", "/wxa/business/getuserphonenumber"): FakeWeChat._phone_number,
}


def _error(errcode: int, errmsg: str) -> httpx.Response:
    # WeChat answers errors with HTTP 200 and an errcode in the body.
    return httpx.Response(200, json={"errcode": errcode, "errmsg": errmsg})


def asgi_app(fake: FakeWeChat):
    """The same fake over real HTTP (for running it on a port)."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def endpoint(request: Request) -> Response:
        outgoing = httpx.Request(request.method, str(request.url), content=await request.body())
        try:
            answer = fake.handle(outgoing)
        except httpx.TimeoutException:
            return Response("gateway timeout", status_code=504)
        except httpx.TransportError:
            return Response("service unavailable", status_code=503)
        return Response(answer.content, status_code=answer.status_code,
                        media_type=answer.headers.get("content-type", "application/json"))

    return Starlette(routes=[Route("/{path:path}", endpoint, methods=["GET", "POST"])])
