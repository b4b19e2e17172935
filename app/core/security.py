"""Passwords (argon2) and JWTs (python-jose, HS256 only)."""

import uuid
from datetime import timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from jose import JWTError, jwk, jwt
from starlette.types import Scope

from app.core.clock import utcnow
from app.core.config import get_settings

ALGORITHM = "HS256"
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, hashed: str | None) -> bool:
    if not hashed:
        # Burn comparable time so a missing account is not told apart by timing.
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def create_access_token(account_id: int) -> tuple[str, int]:
    """A signed token for this account and its lifetime in seconds."""
    settings = get_settings()
    now = utcnow()
    lifetime = timedelta(minutes=settings.jwt_lifetime_minutes)
    claims = {
        "sub": str(account_id),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM), int(lifetime.total_seconds())


def decode_access_token(token: str) -> int | None:
    """The account id in a valid token, else None.

    The algorithm allow-list is fixed to HS256, so `none`, RS/ES confusion and JWE
    tokens are all refused; `exp`, `iss` and `aud` must be present and right.
    """
    settings = get_settings()
    if token.count(".") != 2:  # a JWE has five parts; we never try to decrypt one
        return None
    try:
        claims = jwt.decode(
            token,
            _verifying_key(settings.jwt_secret),
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require_exp": True, "require_iss": True, "require_aud": True, "require_sub": True,
                     "leeway": 0},
        )
    except (JWTError, ValueError, TypeError):
        return None
    # jose checks exp against the wall clock; check it against ours too so tests can move time.
    if claims.get("exp", 0) <= utcnow().timestamp():
        return None
    try:
        return int(claims["sub"])
    except (KeyError, ValueError):
        return None


@lru_cache(maxsize=4)
def _verifying_key(secret: str) -> jwk.Key:
    """The secret as an HS256 key, made once: given the bare string, python-jose would first try to parse it as
    JSON and then build the key again on every request."""
    return jwk.construct(secret, ALGORITHM)


def bearer_token(scope: Scope) -> str | None:
    """The request's `Authorization: Bearer …` token, if it sent one."""
    header = next((value for name, value in scope["headers"] if name == b"authorization"), b"").decode("latin-1")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def request_account_id(scope: Scope) -> int | None:
    """The account id in the request's valid bearer token, else None. Checked once per request and kept in
    the request's state: both the idempotency middleware and the route's policy ask, and checking costs."""
    state = scope.setdefault("state", {})
    if "token_account_id" not in state:
        token = bearer_token(scope)
        state["token_account_id"] = decode_access_token(token) if token else None
    return state["token_account_id"]
