"""The pickup code: made offline on a registered phone, checked here (docs/pickup-code.md)."""

import base64
import hashlib
import hmac
import secrets
import struct
from dataclasses import dataclass
from functools import lru_cache

from app.core.config import get_settings
from app.core.errors import AppError

PREFIX = "KH"
VERSION = 1
STEP_SECONDS = 30      # the phone makes a new code at least this often
MAX_AGE_SECONDS = 60   # a code older than this is refused
MAX_AHEAD_SECONDS = 30  # a phone clock this far ahead (after the registration offset) is not believed
MAC_BYTES = 10
_PAYLOAD = struct.Struct(">BII")  # version, device id, issued_at
CODE_LENGTH = len(PREFIX) + len(base64.b32encode(bytes(_PAYLOAD.size + MAC_BYTES)).rstrip(b"="))


class CodeRefused(AppError):
    status_code = 400


def invalid() -> CodeRefused:
    return CodeRefused("PICKUP_CODE_INVALID", "接送码无效，请让家长出示课后小程序里的接送码")


@lru_cache
def _pickup_key(jwt_secret: str) -> bytes:
    # A key of its own, derived from the server's secret: nothing more to configure or to leak.
    return hmac.new(jwt_secret.encode(), b"kehou-pickup-code-key", hashlib.sha256).digest()


def new_salt() -> str:
    return secrets.token_hex(16)


def device_secret(salt: str) -> bytes:
    """The phone's secret, re-derived whenever needed: the database holds only the salt."""
    key = _pickup_key(get_settings().jwt_secret)
    return hmac.new(key, b"kehou-pickup-device:" + salt.encode(), hashlib.sha256).digest()[:20]


def secret_text(salt: str) -> str:
    return base64.b32encode(device_secret(salt)).decode().rstrip("=")


def make_code(device_id: int, salt: str, issued_at: int) -> str:
    """What the phone does (utils/pickup-code.js); here for tests and the benchmark's load generator."""
    payload = _PAYLOAD.pack(VERSION, device_id, issued_at)
    mac = hmac.new(device_secret(salt), payload, hashlib.sha256).digest()[:MAC_BYTES]
    return PREFIX + base64.b32encode(payload + mac).decode().rstrip("=")


@dataclass(frozen=True)
class ScannedCode:
    device_id: int
    issued_at: int
    mac: bytes
    payload: bytes


def parse(code: str) -> ScannedCode:
    """The code's parts, unchecked; PICKUP_CODE_INVALID when it is not one of ours at all."""
    code = code.strip().upper()
    if len(code) != CODE_LENGTH or not code.startswith(PREFIX):
        raise invalid()
    body = code[len(PREFIX):]
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except (ValueError, TypeError):
        raise invalid() from None
    if base64.b32encode(raw).decode().rstrip("=") != body:
        raise invalid()  # the last character's spare bits must be zero: one code, one spelling
    payload, mac = raw[:_PAYLOAD.size], raw[_PAYLOAD.size:]
    version, device_id, issued_at = _PAYLOAD.unpack(payload)
    if version != VERSION:
        raise invalid()
    return ScannedCode(device_id, issued_at, mac, payload)


def check(scanned: ScannedCode, *, salt: str | None, revoked: bool, now: int) -> None:
    """Refuse a forged, altered, revoked, stale or future code (in that order: nothing is told about a device
    to someone who cannot make its codes)."""
    if salt is None:
        raise invalid()
    expected = hmac.new(device_secret(salt), scanned.payload, hashlib.sha256).digest()[:MAC_BYTES]
    if not hmac.compare_digest(expected, scanned.mac):
        raise invalid()
    if revoked:
        raise CodeRefused("PICKUP_CODE_REVOKED", "这台手机的接送码已停用，请家长在新手机上重新打开接送码")
    if scanned.issued_at > now + MAX_AHEAD_SECONDS:
        raise invalid()
    if now - scanned.issued_at > MAX_AGE_SECONDS:
        raise CodeRefused("PICKUP_CODE_EXPIRED", "接送码已过期，请家长刷新后再扫")
