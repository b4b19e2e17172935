"""Tokens: only our HS256 tokens with the right issuer, audience and a future expiry are accepted."""

import base64
import json
from datetime import timedelta

from jose import jwt

from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.security import create_access_token, decode_access_token, hash_password, verify_password


def _claims(**overrides):
    settings = get_settings()
    now = utcnow()
    claims = {"sub": "1", "iss": settings.jwt_issuer, "aud": settings.jwt_audience,
              "iat": int(now.timestamp()), "exp": int((now + timedelta(minutes=5)).timestamp())}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_token_we_issued_is_accepted():
    token, lifetime = create_access_token(42)
    assert decode_access_token(token) == 42
    assert lifetime > 0


def test_alg_none_is_refused():
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims())}."
    assert decode_access_token(token) is None


def test_another_algorithm_is_refused_even_with_our_secret():
    token = jwt.encode(_claims(), get_settings().jwt_secret, algorithm="HS512")
    assert decode_access_token(token) is None


def test_a_bad_signature_is_refused():
    token = jwt.encode(_claims(), "another-secret-that-is-long-enough-0123456789", algorithm="HS256")
    assert decode_access_token(token) is None


def test_an_altered_payload_is_refused():
    header, _, signature = create_access_token(1)[0].split(".")
    assert decode_access_token(f"{header}.{_b64(_claims(sub='2'))}.{signature}") is None


def test_wrong_audience_or_issuer_is_refused():
    secret = get_settings().jwt_secret
    assert decode_access_token(jwt.encode(_claims(aud="someone-else"), secret, algorithm="HS256")) is None
    assert decode_access_token(jwt.encode(_claims(iss="someone-else"), secret, algorithm="HS256")) is None


def test_missing_exp_iss_or_aud_is_refused():
    secret = get_settings().jwt_secret
    for missing in ("exp", "iss", "aud"):
        token = jwt.encode({k: v for k, v in _claims().items() if k != missing}, secret, algorithm="HS256")
        assert decode_access_token(token) is None, missing


def test_an_expired_token_is_refused():
    past = int((utcnow() - timedelta(seconds=1)).timestamp())
    assert decode_access_token(jwt.encode(_claims(exp=past), get_settings().jwt_secret, algorithm="HS256")) is None


def test_an_expired_token_is_refused_by_the_injected_clock(fixed_clock):
    token, lifetime = create_access_token(7)
    fixed_clock.advance(seconds=lifetime + 1)
    assert decode_access_token(token) is None


def test_a_jwe_is_never_decrypted():
    assert decode_access_token("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..iv.ciphertext.tag") is None


def test_passwords_are_hashed_and_verified():
    hashed = hash_password("correct horse")
    assert hashed != "correct horse"
    assert verify_password("correct horse", hashed)
    assert not verify_password("wrong", hashed)
    assert not verify_password("anything", None)


def test_routes_refuse_a_token_with_alg_none(client, world):
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(sub=str(world.a.staff['admin'].account_id)))}."
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "NOT_AUTHENTICATED"
