"""Short-lived signed links for images.

The mini-program's <image src> cannot send an Authorization header, so an image route that is not
public takes a signature instead: `?exp=<unix time>&sig=<HMAC of path and exp>`, made by the API for a
caller who may see the image and good for `LIFETIME`. A link passed around stops working within the hour.
"""

import hashlib
import hmac
import time
from urllib.parse import urlencode

from app.core.config import get_settings
from app.core.errors import AppError

LIFETIME = 3600


def _signature(path: str, expires: int) -> str:
    # A key of its own, derived from the JWT secret, so a signature can never pass for anything else.
    key = hmac.new(get_settings().jwt_secret.encode(), b"kehou signed url", hashlib.sha256).digest()
    return hmac.new(key, f"{path}\n{expires}".encode(), hashlib.sha256).hexdigest()[:32]


def sign_url(path: str, now: float | None = None) -> str:
    """`path` with an expiry and a signature; the expiry is rounded so a page's links stay cacheable."""
    expires = (int(now or time.time()) // 600 + 1) * 600 + LIFETIME
    return f"{path}?{urlencode({'exp': expires, 'sig': _signature(path, expires)})}"


def check_signature(path: str, exp: int | None, sig: str | None, now: float | None = None) -> None:
    if exp is None or sig is None or not hmac.compare_digest(_signature(path, exp).encode(), sig.encode()):
        raise AppError("LINK_INVALID", "链接无效", status_code=403)
    if exp < (now or time.time()):
        raise AppError("LINK_EXPIRED", "链接已过期，请刷新页面", status_code=403)
