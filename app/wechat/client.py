"""The WeChat server API client Kehou uses (sync httpx), and WeChat's subscribe-message field rules.

Errors come in two kinds, so callers can decide what to do without reading errcodes:
- `WeChatError`: WeChat answered with a non-zero errcode (`retryable`, `token_invalid` say what helps);
- `WeChatUnavailable`: no usable answer at all (network, time-out, HTTP 5xx, not JSON); always retryable.

Secrets stay out of logs: this module never logs the app secret, an access token or a session_key, and it
redacts them from the request lines httpx itself logs at INFO (they travel in query strings).
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from app.core.config import Settings, get_settings

log = logging.getLogger("kehou.wechat")

FAKE_BASE_URL = "http://fake-wechat.local"


# ---------------------------------------------------------------------------------------------------------
# Errors


class WeChatError(Exception):
    """WeChat answered with a non-zero errcode."""

    # -1 is "system busy"; 45009 / 45011 are quotas that free up again later. Everything else will fail
    # the same way again, so retrying only burns quota.
    RETRYABLE_ERRCODES = frozenset({-1, 45009, 45011})
    # Fixed by fetching a new access token and trying once more.
    TOKEN_ERRCODES = frozenset({40001, 40014, 42001})

    def __init__(self, errcode: int, errmsg: str):
        self.errcode = errcode
        self.errmsg = errmsg
        super().__init__(f"WeChat errcode {errcode}: {errmsg}")

    @property
    def retryable(self) -> bool:
        return self.errcode in self.RETRYABLE_ERRCODES

    @property
    def token_invalid(self) -> bool:
        return self.errcode in self.TOKEN_ERRCODES

    @property
    def rid(self) -> str | None:
        """WeChat's request id from the errmsg (" rid: …"), which WeChat support asks for."""
        match = re.search(r"rid:\s*(\S+)", self.errmsg)
        return match.group(1) if match else None


class WeChatUnavailable(Exception):
    """No usable answer: network error, time-out, HTTP 5xx or a body that is not the expected JSON."""

    retryable = True
    token_invalid = False


@dataclass(frozen=True)
class WeChatSession:
    openid: str
    # repr=False: a logged or printed session must not reveal the key that decrypts the user's data.
    session_key: str = field(repr=False)
    unionid: str | None = None


# ---------------------------------------------------------------------------------------------------------
# Log redaction


_SENSITIVE_QUERY = re.compile(r"([?&](?:secret|js_code|access_token|code)=)[^&\s\"']*")


class _RedactWeChatSecrets(logging.Filter):
    """httpx logs every request URL at INFO; ours carry the app secret, login codes and access tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SENSITIVE_QUERY.sub(r"\1***", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


_httpx_log = logging.getLogger("httpx")
if not any(isinstance(f, _RedactWeChatSecrets) for f in _httpx_log.filters):
    _httpx_log.addFilter(_RedactWeChatSecrets())


# ---------------------------------------------------------------------------------------------------------
# The client


class WeChatClient:
    """One method per WeChat API Kehou uses. Thread-safe (httpx.Client is); call `close()` when done."""

    def __init__(self, *, appid: str, secret: str, base_url: str, timeout: float = 5.0,
                 transport: httpx.BaseTransport | None = None):
        self.appid = appid
        self._secret = secret
        self._http = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)

    @property
    def base_url(self) -> str:
        return str(self._http.base_url)

    def __repr__(self) -> str:
        return f"WeChatClient(appid={self.appid!r}, base_url={self.base_url!r})"

    def __enter__(self) -> "WeChatClient":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def code2session(self, code: str) -> WeChatSession:
        body = self._call("GET", "/sns/jscode2session", expect=("openid", "session_key"), params={
            "appid": self.appid, "secret": self._secret, "js_code": code, "grant_type": "authorization_code"})
        return WeChatSession(openid=body["openid"], session_key=body["session_key"],
                             unionid=body.get("unionid") or None)

    def fetch_access_token(self) -> tuple[str, int]:
        """A new `/cgi-bin/token` token and its lifetime in seconds; the previous one dies 5 minutes later."""
        body = self._call("GET", "/cgi-bin/token", expect=("access_token", "expires_in"), params={
            "grant_type": "client_credential", "appid": self.appid, "secret": self._secret})
        return body["access_token"], int(body["expires_in"])

    def fetch_stable_token(self, force_refresh: bool = False) -> tuple[str, int]:
        """The current stable token and its remaining lifetime; `force_refresh` kills the previous one."""
        body = self._call("POST", "/cgi-bin/stable_token", expect=("access_token", "expires_in"), json={
            "grant_type": "client_credential", "appid": self.appid, "secret": self._secret,
            "force_refresh": force_refresh})
        return body["access_token"], int(body["expires_in"])

    def send_subscribe_message(self, *, access_token: str, openid: str, template_id: str, data: dict[str, str],
                               page: str | None = None, state: str = "formal", lang: str = "zh_CN") -> int:
        """Send one subscribe message; `data` maps field keys to plain values (see `truncate_field`)."""
        payload: dict[str, Any] = {
            "touser": openid, "template_id": template_id, "miniprogram_state": state, "lang": lang,
            "data": {key: {"value": value} for key, value in data.items()}}
        if page:
            payload["page"] = page
        body = self._call("POST", "/cgi-bin/message/subscribe/send", expect=("msgid",),
                          params={"access_token": access_token}, json=payload)
        return int(body["msgid"])

    def get_phone_number(self, *, access_token: str, code: str) -> str:
        """The phone number behind a `getPhoneNumber` button code (with country code for non-Chinese numbers)."""
        body = self._call("POST", "/wxa/business/getuserphonenumber", expect=("phone_info",),
                          params={"access_token": access_token}, json={"code": code})
        phone = body["phone_info"].get("phoneNumber") if isinstance(body["phone_info"], dict) else None
        if not phone:
            raise WeChatUnavailable("unexpected answer on /wxa/business/getuserphonenumber")
        return str(phone)

    def _call(self, method: str, path: str, *, expect: tuple[str, ...], params: dict | None = None,
              json: dict | None = None) -> dict[str, Any]:
        # Messages name the path only: the query string holds the secret or the access token.
        try:
            response = self._http.request(method, path, params=params, json=json)
        except httpx.HTTPError as exc:
            log.warning("wechat %s unreachable: %s", path, type(exc).__name__)
            raise WeChatUnavailable(f"{type(exc).__name__} on {path}") from exc
        if response.status_code >= 500:
            log.warning("wechat %s answered HTTP %s", path, response.status_code)
            raise WeChatUnavailable(f"HTTP {response.status_code} on {path}")
        try:
            body = response.json()
        except ValueError as exc:
            raise WeChatUnavailable(f"non-JSON answer (HTTP {response.status_code}) on {path}") from exc
        if not isinstance(body, dict):
            raise WeChatUnavailable(f"unexpected answer (HTTP {response.status_code}) on {path}")
        try:
            errcode = int(body.get("errcode") or 0)
        except (TypeError, ValueError) as exc:
            raise WeChatUnavailable(f"unexpected errcode on {path}") from exc
        if errcode:
            errmsg = str(body.get("errmsg", ""))
            log.info("wechat %s answered errcode=%s (%s)", path, errcode, errmsg)
            raise WeChatError(errcode, errmsg)
        if response.status_code >= 400 or any(key not in body for key in expect):
            raise WeChatUnavailable(f"unexpected answer (HTTP {response.status_code}) on {path}")
        return body


def build_wechat_client(settings: Settings | None = None) -> WeChatClient:
    """The client for the configured WeChat; with no `WECHAT_BASE_URL`, the in-process fake."""
    settings = settings or get_settings()
    if settings.wechat_is_fake:
        # Imported here so production never loads the fake (and no import cycle: the fake uses the field
        # rules below).
        from app.wechat.fake import shared_fake

        return WeChatClient(appid=settings.wechat_appid or "wx-dev-appid",
                            secret=settings.wechat_secret or "dev-secret", base_url=FAKE_BASE_URL,
                            timeout=settings.wechat_timeout_seconds,
                            transport=httpx.MockTransport(shared_fake().handle))
    return WeChatClient(appid=settings.wechat_appid, secret=settings.wechat_secret,
                        base_url=settings.wechat_base_url, timeout=settings.wechat_timeout_seconds)


# ---------------------------------------------------------------------------------------------------------
# Subscribe-message field rules (shared/WECHAT.md). A template's data keys are a kind plus a number
# (`thing1`, `character_string12`); the kind decides what values WeChat accepts (47003 otherwise).

ELLIPSIS = "…"
NAME_MAX_CJK = 10  # a name with any Chinese character: 10 characters; a Latin-only name: 20

FIELD_MAX_LENGTH: dict[str, int] = {
    "thing": 20, "name": 20, "phrase": 5, "number": 32, "letter": 32, "symbol": 5,
    "character_string": 32, "phone_number": 17, "car_number": 8,
}
_FORMAT_ONLY_KINDS = frozenset({"amount", "time", "date"})
FIELD_KINDS = frozenset(FIELD_MAX_LENGTH) | _FORMAT_ONLY_KINDS

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_DIGITS = frozenset("0123456789")
_DATE = (r"[0-9]{4}(?:年(?:0?[1-9]|1[0-2])月(?:0?[1-9]|[12][0-9]|3[01])日"
         r"|-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12][0-9]|3[01]))")
_TIME = r"(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?"
_MOMENT = re.compile(rf"(?P<date>{_DATE})?\s*(?P<time>{_TIME})?")
_AMOUNT = re.compile(r"[¥￥$€£]?[0-9]{1,10}(?:\.[0-9]{1,2})?元?")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def field_kind(key: str) -> str:
    """`thing12` → `thing`, `character_string3` → `character_string`."""
    return key.rstrip("0123456789")


def field_max_length(kind: str, value: str) -> int | None:
    if kind == "name" and _CJK.search(value):
        return NAME_MAX_CJK
    return FIELD_MAX_LENGTH.get(kind)


def _is_cjk(ch: str) -> bool:
    return bool(_CJK.fullmatch(ch))


def _is_symbol(ch: str) -> bool:
    # Chinese characters count as alphanumeric in Unicode, so they are not symbols either.
    return not ch.isalnum() and not ch.isspace()


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _moments(value: str, needs: str) -> bool:
    """`time` / `date` values: one moment or a range `a~b`; the first must have a time / a date."""
    parts = [_MOMENT.fullmatch(part.strip()) for part in value.split("~")]
    if len(parts) > 2 or not all(m and (m["date"] or m["time"]) for m in parts):
        return False
    return bool(parts[0][needs])


def _car_number(value: str) -> bool:
    # 粤A8Z888挂: Chinese allowed only first and last, letters and digits in between.
    ends_ok = all(_is_ascii_alnum(ch) or _is_cjk(ch) for ch in (value[0], value[-1]))
    return ends_ok and all(_is_ascii_alnum(ch) for ch in value[1:-1])


# What each kind may contain, beyond its length limit.
_CONTENT_RULES: dict[str, Callable[[str], bool]] = {
    "phrase": lambda v: all(_is_cjk(ch) for ch in v),
    "number": lambda v: bool(_NUMBER.fullmatch(v)),
    "letter": lambda v: all(ch.isascii() and ch.isalpha() for ch in v),
    "symbol": lambda v: all(_is_symbol(ch) for ch in v),
    "character_string": lambda v: not _CJK.search(v),
    "phone_number": lambda v: all(ch in _DIGITS or _is_symbol(ch) or ch == " " for ch in v),
    "car_number": _car_number,
    "amount": lambda v: bool(_AMOUNT.fullmatch(v)),
    "time": lambda v: _moments(v, "time"),
    "date": lambda v: _moments(v, "date"),
}


def field_problem(key: str, value: object) -> str | None:
    """Why WeChat would refuse this value for this key (errcode 47003), or None if it is acceptable."""
    kind = field_kind(key)
    if kind not in FIELD_KINDS:
        return f"unknown field kind {kind!r}"
    if not isinstance(value, str) or not value:
        return "empty"
    limit = field_max_length(kind, value)
    if limit is not None and len(value) > limit:
        return f"longer than {limit} characters"
    rule = _CONTENT_RULES.get(kind)
    if rule is not None and not rule(value):
        return f"not a valid {kind}"
    return None


# Kinds where a cut is visible to the reader, so it is marked; the others are codes, cut plainly.
_ELLIPSIS_KINDS = frozenset({"thing", "name"})
# WeChat refuses empty values; these stand in for "nothing to say" where the kind allows them.
_EMPTY_PLACEHOLDERS = {"thing": "-", "name": "-", "symbol": "-", "character_string": "-",
                       "phone_number": "-", "phrase": "无"}


def truncate_field(kind_key: str, value: str) -> str:
    """Cut a value to WeChat's length limit for its key, so a long name never makes a send fail.

    Whitespace runs become one space (WeChat shows one line). `thing` / `name` values that are cut end in
    "…", which counts within the limit. Only lengths are fixed: a value of a format kind (`number`,
    `letter`, `amount`, `time`, `date`, `phrase`, …) must already have the right characters.
    """
    kind = field_kind(kind_key)
    text = " ".join(str(value).split())
    if not text:
        return _EMPTY_PLACEHOLDERS.get(kind, text)
    limit = field_max_length(kind, text)
    if limit is None or len(text) <= limit:
        return text
    if kind in _ELLIPSIS_KINDS:
        return text[: limit - 1].rstrip() + ELLIPSIS
    cut = text[:limit].rstrip()
    # "12.5" cut after the point would not be a number any more.
    return cut.rstrip(".") if kind == "number" else cut
