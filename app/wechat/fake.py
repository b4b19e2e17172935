"""A fake WeChat server API that behaves like the real one (shared/WECHAT.md), errors included.

Use it in-process as an httpx transport, for sync and async clients alike::

    fake = FakeWeChat(now=clock)                       # clock: () -> seconds, default time.time
    client = httpx.Client(transport=httpx.MockTransport(fake.handle), base_url="http://fake-wechat.local")

or over real HTTP with `asgi_app(fake)` (`python -m app.cli fake-wechat --port 8001`).

What it accepts
  Logins   `dev:<openid>` or `dev:<openid>:<nonce>` (openid: letters, digits, `-`, `_`, 1–64); each code
           once (again → 40163), anything else → 40029; > 100 logins per openid per minute → 45011.
           `unionids=True` answers a unionid for every openid, a dict only for the openids it maps.
  Tokens   `/cgi-bin/token` issues a new token each call; the one before dies 5 minutes later (40001).
           `/cgi-bin/stable_token` is separate: the same token until 5 minutes before it expires;
           `force_refresh` replaces it at once, but not twice within 30 s (the current token comes back,
           as WeChat documents) and at most 20 times a day (then 45009). Tokens live 7200 s (then 42001).
  Phones   `phone:<digits>` or `phone:<digits>:<nonce>`, each code once; anything else → 40029.
  Sends    checked like WeChat: token, openid (40003), template (40037, when `known_templates` is given),
           page (41030: must start with `pages/`, no spaces), every data value by its kind (47003, the
           errmsg names the field), refusing users (43101). Accepted messages are appended to `sent`.
  appid / secret: any non-empty value, or exactly the ones given (40013 / 40125).
  Like WeChat, errors come with HTTP 200, and every errmsg ends in " rid: <request id>".

Fault switches, for tests of what Kehou does when WeChat misbehaves (each request consumes one):
  fail_next(errcode, times=1, path=None)  answer that errcode (e.g. -1 system busy), on any or one path
  server_error_next(times=1, status=503)  answer HTTP 5xx with an HTML body
  timeout_next(times=1)                   raise httpx.ReadTimeout (the ASGI app answers 504)
  set_down(True / False)                  raise httpx.ConnectError until set back (the ASGI app answers 503)
  expire_all_tokens()                     every token issued so far now gives 42001
  invalidate_all_tokens()                 every token issued so far now gives 40001
  refuse(openid)                          sends to this openid give 43101
  reset()                                 forget all state and switches (keeps the configuration)
Counters: `calls[path]` (requests that reached the fake), `sent` (accepted messages, dicts with openid,
template_id, data, page, state, lang, msgid, at), `tokens_issued`.

Thread-safe: one lock guards all state, because the app calls the fake from several threads.
"""

import base64
import hashlib
import itertools
import json
import re
import secrets
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.wechat.client import field_problem

TOKEN_LIFETIME = 7200
REPLACED_TOKEN_GRACE = 300  # a /cgi-bin/token token keeps working 5 minutes after a newer one is fetched
STABLE_RENEW_BEFORE = 300  # the stable token is renewed when less than 5 minutes are left
STABLE_FORCE_MIN_INTERVAL = 30
STABLE_FORCES_PER_DAY = 20
LOGINS_PER_OPENID_PER_MINUTE = 100
PAGE_ROOTS = ("pages/",)

_OPENID = r"[A-Za-z0-9_\-]{1,64}"
_NONCE = r"[^\s:]{1,64}"
_LOGIN_CODE = re.compile(rf"dev:(?P<openid>{_OPENID})(?::{_NONCE})?")
_PHONE_CODE = re.compile(rf"phone:(?P<phone>[0-9]{{5,15}})(?::{_NONCE})?")
_VALID_STATES = {"developer", "trial", "formal"}
_VALID_LANGS = {"zh_CN", "en_US", "zh_HK", "zh_TW"}

# WeChat's errmsg for each errcode the fake gives (a few are close paraphrases).
ERRMSGS: dict[int, str] = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40013: "invalid appid",
    40029: "invalid code",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    40163: "code been used",
    40164: "invalid ip, not in whitelist",
    40226: "invalid user, high risk",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    41008: "missing code",
    41030: "invalid page",
    42001: "access_token expired",
    43001: "require GET method",
    43002: "require POST method",
    43101: "user refuse to accept the msg",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
    47001: "data format error",
    47003: "argument invalid!",
    89503: "risky ip, please wait for the administrator to confirm",
}


@dataclass
class _Token:
    expires_at: float
    revoked_at: float | None = None  # from this moment on the token gives 40001


@dataclass
class _Fault:
    kind: str  # "errcode" | "server_error" | "timeout"
    remaining: int
    path: str | None = None
    errcode: int = -1
    status: int = 503


class FakeWeChat:
    def __init__(self, *, appid: str | None = None, secret: str | None = None,
                 now: Callable[[], float] = time.time, known_templates: set[str] | None = None,
                 unionids: bool | Mapping[str, str] = False):
        self.appid = appid
        self.secret = secret
        self.now = now
        self.known_templates = known_templates
        self.unionids = unionids
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget every code, token, message, counter and switch (the configuration stays)."""
        with self._lock:
            self._used_codes: set[str] = set()
            self._logins: dict[str, deque[float]] = defaultdict(deque)
            self._tokens: dict[str, _Token] = {}
            self._latest_basic: str | None = None
            self._latest_stable: str | None = None
            self._stable_forces: deque[float] = deque()
            self._faults: list[_Fault] = []
            self._down = False
            self._refusing: set[str] = set()
            # Real msgids are 19-digit numbers; starting there catches code that stores them in 32 bits.
            self._msgids = itertools.count(3_000_000_000_000_000_001)
            self.calls: Counter[str] = Counter()
            self.sent: list[dict[str, Any]] = []
            self.tokens_issued = 0

    # ---------- fault switches ----------

    def fail_next(self, errcode: int, times: int = 1, path: str | None = None) -> None:
        self._add_fault(_Fault("errcode", times, path=path, errcode=errcode))

    def server_error_next(self, times: int = 1, status: int = 503) -> None:
        self._add_fault(_Fault("server_error", times, status=status))

    def timeout_next(self, times: int = 1) -> None:
        self._add_fault(_Fault("timeout", times))

    def set_down(self, down: bool = True) -> None:
        with self._lock:
            self._down = down

    def expire_all_tokens(self) -> None:
        with self._lock:
            now = self.now()
            for token in self._tokens.values():
                token.expires_at = now

    def invalidate_all_tokens(self) -> None:
        with self._lock:
            now = self.now()
            for token in self._tokens.values():
                token.revoked_at = now

    def refuse(self, openid: str) -> None:
        with self._lock:
            self._refusing.add(openid)

    def _add_fault(self, fault: _Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.path in (None, path):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    # ---------- entry point ----------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request as WeChat would (an httpx MockTransport handler)."""
        path = request.url.path
        with self._lock:
            if self._down:
                raise httpx.ConnectError("fake WeChat is down", request=request)
            self.calls[path] += 1
            fault = self._take_fault(path)
            if fault is not None:
                return self._faulty_answer(fault, request)
            return self._route(request)

    def _faulty_answer(self, fault: _Fault, request: httpx.Request) -> httpx.Response:
        if fault.kind == "timeout":
            raise httpx.ReadTimeout("fake WeChat timed out", request=request)
        if fault.kind == "server_error":
            # What the gateway in front of WeChat sends: HTML, not JSON.
            return httpx.Response(fault.status, html=f"<html><body><h1>{fault.status}</h1></body></html>")
        return self._error(fault.errcode)

    def _route(self, request: httpx.Request) -> httpx.Response:
        route = _ROUTES.get(request.url.path)
        if route is None:
            return _json({"errcode": 404, "errmsg": f"invalid url {request.url.path}"}, status=404)
        method, endpoint = route
        if request.method != method:
            return self._error(43002 if method == "POST" else 43001)
        query = dict(request.url.params)
        body: Any = {}
        if method == "POST":
            try:
                body = json.loads(request.content)
            except ValueError:
                return self._error(47001)
            if not isinstance(body, dict):
                return self._error(47001)
        return endpoint(self, query, body)

    def _error(self, errcode: int, errmsg: str | None = None) -> httpx.Response:
        rid = f"{int(self.now()) & 0xFFFFFFFF:08x}-{secrets.token_hex(4)}-{secrets.token_hex(4)}"
        message = errmsg or ERRMSGS.get(errcode, "fake error")
        return _json({"errcode": errcode, "errmsg": f"{message} rid: {rid}"})

    # ---------- login ----------

    def _caller_problem(self, params: Mapping[str, Any], grant_type: str) -> int | None:
        """appid, secret and grant_type, checked in WeChat's order (query or JSON body alike)."""
        appid, secret = params.get("appid"), params.get("secret")
        if not appid:
            return 41002
        if not secret:
            return 41004
        if self.appid is not None and appid != self.appid:
            return 40013
        if self.secret is not None and secret != self.secret:
            return 40125
        if params.get("grant_type") != grant_type:
            return 40002
        return None

    def _code2session(self, query: dict[str, str], _body: dict) -> httpx.Response:
        if problem := self._caller_problem(query, "authorization_code"):
            return self._error(problem)
        code = query.get("js_code", "")
        if not code:
            return self._error(41008)
        match = _LOGIN_CODE.fullmatch(code)
        if not match:
            return self._error(40029)
        openid = match["openid"]
        if not self._count_login(openid):
            return self._error(45011)
        if code in self._used_codes:
            return self._error(40163)
        self._used_codes.add(code)
        answer = {"openid": openid, "session_key": base64.b64encode(secrets.token_bytes(16)).decode()}
        unionid = self._unionid(openid)
        if unionid:
            answer["unionid"] = unionid
        # WeChat really sends this JSON as text/plain; clients must not rely on the content type.
        return _json(answer, content_type="text/plain")

    def _count_login(self, openid: str) -> bool:
        """Sliding one-minute window per openid; False when the call is over the limit."""
        window, now = self._logins[openid], self.now()
        while window and window[0] <= now - 60:
            window.popleft()
        if len(window) >= LOGINS_PER_OPENID_PER_MINUTE:
            return False
        window.append(now)
        return True

    def _unionid(self, openid: str) -> str | None:
        if isinstance(self.unionids, Mapping):
            return self.unionids.get(openid)
        if self.unionids:
            # Stable per openid, like the real one (one person, one unionid).
            return "oU" + hashlib.sha256(openid.encode()).hexdigest()[:26]
        return None

    # ---------- access tokens ----------

    def _issue_token(self) -> str:
        # Realistic length (~136 characters); callers must store at least 512.
        token = "fake_" + secrets.token_urlsafe(99)
        self._tokens[token] = _Token(expires_at=self.now() + TOKEN_LIFETIME)
        self.tokens_issued += 1
        return token

    def _token_answer(self, token: str) -> httpx.Response:
        expires_in = int(self._tokens[token].expires_at - self.now())
        return _json({"access_token": token, "expires_in": expires_in})

    def _basic_token(self, query: dict[str, str], _body: dict) -> httpx.Response:
        if problem := self._caller_problem(query, "client_credential"):
            return self._error(problem)
        previous = self._tokens.get(self._latest_basic or "")
        if previous is not None:
            grace_end = self.now() + REPLACED_TOKEN_GRACE
            previous.revoked_at = min(previous.revoked_at or grace_end, grace_end)
        self._latest_basic = self._issue_token()
        return self._token_answer(self._latest_basic)

    def _stable_token(self, _query: dict[str, str], body: dict) -> httpx.Response:
        if problem := self._caller_problem(body, "client_credential"):
            return self._error(problem)
        now = self.now()
        current = self._latest_stable
        usable = current is not None and self._token_problem(current) is None
        if body.get("force_refresh") is True:
            while self._stable_forces and self._stable_forces[0] <= now - 86400:
                self._stable_forces.popleft()
            if len(self._stable_forces) >= STABLE_FORCES_PER_DAY:
                return self._error(45009)
            recently_forced = bool(self._stable_forces) and \
                now - self._stable_forces[-1] < STABLE_FORCE_MIN_INTERVAL
            if usable and recently_forced:  # documented: "otherwise it will not refresh"
                return self._token_answer(current)
            self._stable_forces.append(now)
            if current is not None:
                self._tokens[current].revoked_at = now
        elif usable and self._tokens[current].expires_at - now > STABLE_RENEW_BEFORE:
            return self._token_answer(current)
        self._latest_stable = self._issue_token()
        return self._token_answer(self._latest_stable)

    def _token_problem(self, token: str | None) -> int | None:
        if not token:
            return 41001
        entry, now = self._tokens.get(token), self.now()
        if entry is None or (entry.revoked_at is not None and now >= entry.revoked_at):
            return 40001
        if now >= entry.expires_at:
            return 42001
        return None

    # ---------- APIs that need a token ----------

    def _subscribe_send(self, query: dict[str, str], body: dict) -> httpx.Response:
        if token_problem := self._token_problem(query.get("access_token")):
            return self._error(token_problem)
        if message_problem := self._message_problem(body):
            return self._error(*message_problem)
        msgid = next(self._msgids)
        self.sent.append({
            "openid": body["touser"], "template_id": body["template_id"], "page": body.get("page"),
            "data": {key: item["value"] for key, item in body["data"].items()},
            "state": body.get("miniprogram_state", "formal"), "lang": body.get("lang", "zh_CN"),
            "msgid": msgid, "at": self.now()})
        return _json({"errcode": 0, "errmsg": "ok", "msgid": msgid})

    def _message_problem(self, body: dict) -> tuple[int, str | None] | None:
        """The first thing WeChat would refuse in a subscribe message, in WeChat's order."""
        openid = body.get("touser")
        if not isinstance(openid, str) or not re.fullmatch(_OPENID, openid):
            return 40003, None
        template_id = body.get("template_id")
        if not isinstance(template_id, str) or not template_id or (
                self.known_templates is not None and template_id not in self.known_templates):
            return 40037, None
        page = body.get("page")
        if page is not None and (not isinstance(page, str) or not page.startswith(PAGE_ROOTS) or " " in page):
            return 41030, None
        for name, allowed in (("miniprogram_state", _VALID_STATES), ("lang", _VALID_LANGS)):
            if name in body and body[name] not in allowed:
                return 47003, f"argument invalid! {name} invalid"
        data = body.get("data")
        if not isinstance(data, dict) or not data:
            return 47003, "argument invalid! data is empty"
        for key, item in data.items():
            value = item.get("value") if isinstance(item, dict) else None
            if field_problem(key, value) is not None:
                return 47003, f"argument invalid! data.{key}.value invalid"
        if openid in self._refusing:
            return 43101, None
        return None

    def _phone_number(self, query: dict[str, str], body: dict) -> httpx.Response:
        problem = self._token_problem(query.get("access_token"))
        if problem:
            return self._error(problem)
        code = body.get("code")
        match = _PHONE_CODE.fullmatch(code) if isinstance(code, str) else None
        if not match or code in self._used_codes:
            return self._error(40029)
        self._used_codes.add(code)
        phone = match["phone"]
        return _json({"errcode": 0, "errmsg": "ok", "phone_info": {
            "phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86",
            "watermark": {"timestamp": int(self.now()), "appid": self.appid or "wx-fake"}}})


# path → (method, endpoint)
_ROUTES: dict[str, tuple[str, Callable[[FakeWeChat, dict[str, str], dict], httpx.Response]]] = {
    "/sns/jscode2session": ("GET", FakeWeChat._code2session),
    "/cgi-bin/token": ("GET", FakeWeChat._basic_token),
    "/cgi-bin/stable_token": ("POST", FakeWeChat._stable_token),
    "/cgi-bin/message/subscribe/send": ("POST", FakeWeChat._subscribe_send),
    "/wxa/business/getuserphonenumber": ("POST", FakeWeChat._phone_number),
}


def _json(payload: dict[str, Any], *, status: int = 200,
          content_type: str = "application/json; encoding=utf-8") -> httpx.Response:
    return httpx.Response(status, content=json.dumps(payload, ensure_ascii=False).encode(),
                          headers={"content-type": content_type})


_shared: FakeWeChat | None = None
_shared_lock = threading.Lock()


def shared_fake() -> FakeWeChat:
    """The process-wide fake that `build_wechat_client` uses when no real WeChat is configured."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = FakeWeChat()
        return _shared


def asgi_app(fake: FakeWeChat) -> Starlette:
    """The same fake over real HTTP, for running it on its own port."""

    async def endpoint(request: Request) -> Response:
        forwarded = httpx.Request(request.method, str(request.url), content=await request.body())
        try:
            answer = fake.handle(forwarded)
        except httpx.TimeoutException:
            # A real time-out would just hang; a gateway time-out tells the caller the same thing faster.
            return Response("gateway time-out", status_code=504, media_type="text/plain")
        except httpx.TransportError:
            return Response("service unavailable", status_code=503, media_type="text/plain")
        return Response(answer.content, status_code=answer.status_code,
                        headers={"content-type": answer.headers["content-type"]})

    return Starlette(routes=[Route("/{path:path}", endpoint, methods=["GET", "POST"])])
