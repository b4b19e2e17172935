"""The WeChat API client (sync httpx). Never logs the secret or a session_key."""

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import httpx

from app.core.config import Settings, get_settings
from app.wechat.fake import FakeWeChat

log = logging.getLogger("kehou.wechat")

FAKE_BASE_URL = "http://fake-wechat.local"
_TOKEN_ERRCODES = {40001, 40014, 42001}
_RETRYABLE_ERRCODES = {-1, 45011, 45009}


class WeChatError(Exception):
    """WeChat answered with a non-zero errcode."""

    def __init__(self, errcode: int, errmsg: str):
        self.errcode, self.errmsg = errcode, errmsg
        super().__init__(f"WeChat errcode {errcode}: {errmsg}")

    @property
    def retryable(self) -> bool:
        return self.errcode in _RETRYABLE_ERRCODES

    @property
    def token_invalid(self) -> bool:
        return self.errcode in _TOKEN_ERRCODES


class WeChatUnavailable(Exception):
    """No usable answer: network error, time-out, HTTP 5xx or a body that is not JSON. Always retryable."""


@dataclass(frozen=True)
class WeChatSession:
    openid: str
    session_key: str
    unionid: str | None = None


class WeChatClient:
    def __init__(self, *, appid: str, secret: str, base_url: str, timeout: float = 5.0,
                 transport: httpx.BaseTransport | None = None):
        self.appid = appid
        self._secret = secret
        self._http = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)

    def _call(self, method: str, path: str, *, params: dict | None = None, json: dict | None = None) -> dict[str, Any]:
        try:
            response = self._http.request(method, path, params=params, json=json)
        except httpx.HTTPError as exc:
            raise WeChatUnavailable(f"{type(exc).__name__} on {path}") from exc
        if response.status_code >= 500:
            raise WeChatUnavailable(f"HTTP {response.status_code} on {path}")
        try:
            body = response.json()
        except ValueError as exc:
            raise WeChatUnavailable(f"non-JSON answer (HTTP {response.status_code}) on {path}") from exc
        if not isinstance(body, dict):
            raise WeChatUnavailable(f"unexpected answer on {path}")
        errcode = body.get("errcode", 0)
        if errcode:
            raise WeChatError(int(errcode), str(body.get("errmsg", "")))
        return body

    def code2session(self, code: str) -> WeChatSession:
        body = self._call("GET", "/sns/jscode2session", params={
            "appid": self.appid, "secret": self._secret, "js_code": code, "grant_type": "authorization_code"})
        return WeChatSession(openid=body["openid"], session_key=body.get("session_key", ""),
                             unionid=body.get("unionid"))

    def fetch_access_token(self) -> tuple[str, int]:
        body = self._call("GET", "/cgi-bin/token", params={
            "grant_type": "client_credential", "appid": self.appid, "secret": self._secret})
        return body["access_token"], int(body["expires_in"])

    def fetch_stable_token(self, force_refresh: bool = False) -> tuple[str, int]:
        body = self._call("POST", "/cgi-bin/stable_token", json={
            "grant_type": "client_credential", "appid": self.appid, "secret": self._secret,
            "force_refresh": force_refresh})
        return body["access_token"], int(body["expires_in"])

    def send_subscribe_message(self, *, access_token: str, openid: str, template_id: str, data: dict[str, str],
                               page: str | None = None, state: str = "formal", lang: str = "zh_CN") -> str:
        payload: dict[str, Any] = {"touser": openid, "template_id": template_id, "miniprogram_state": state,
                                   "lang": lang, "data": {key: {"value": value} for key, value in data.items()}}
        if page:
            payload["page"] = page
        body = self._call("POST", "/cgi-bin/message/subscribe/send", params={"access_token": access_token},
                          json=payload)
        return str(body.get("msgid", ""))

    def get_phone_number(self, *, access_token: str, code: str) -> str:
        body = self._call("POST", "/wxa/business/getuserphonenumber", params={"access_token": access_token},
                          json={"code": code})
        return body["phone_info"]["phoneNumber"]

    def close(self) -> None:
        self._http.close()


@lru_cache
def shared_fake() -> FakeWeChat:
    """The process-wide fake used when no real WeChat is configured."""
    return FakeWeChat()


def build_wechat_client(settings: Settings | None = None) -> WeChatClient:
    settings = settings or get_settings()
    if settings.wechat_is_fake:
        return WeChatClient(appid=settings.wechat_appid or "wx-dev", secret=settings.wechat_secret or "dev-secret",
                            base_url=FAKE_BASE_URL, timeout=settings.wechat_timeout_seconds,
                            transport=httpx.MockTransport(shared_fake().handle))
    return WeChatClient(appid=settings.wechat_appid, secret=settings.wechat_secret, base_url=settings.wechat_base_url,
                        timeout=settings.wechat_timeout_seconds)
