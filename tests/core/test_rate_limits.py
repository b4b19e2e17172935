"""Rate limits per user and per IP: 429 with a Chinese message and Retry-After, then reset with the window."""


import pytest

from app.core import ratelimit
from tests.factories import auth_headers


@pytest.fixture
def fake_time(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: now[0])
    return now


def test_logins_from_one_ip_are_limited_and_the_limit_resets(client, settings, fake_time, monkeypatch):
    monkeypatch.setitem(settings.rate_limits, "login", {"per_ip": 3, "seconds": 60})
    body = {"username": "nobody", "password": "wrong-password"}
    answers = [client.post("/api/v1/auth/password", json=body).status_code for _ in range(4)]
    assert answers[:3] == [401, 401, 401] and answers[3] == 429
    refused = client.post("/api/v1/auth/password", json=body)
    assert refused.json()["error"]["code"] == "RATE_LIMITED" and "秒后再试" in refused.json()["error"]["message"]
    assert int(refused.headers["Retry-After"]) > 0
    fake_time[0] += 61
    assert client.post("/api/v1/auth/password", json=body).status_code == 401


def test_exports_are_limited_per_user(client, world, settings, fake_time, monkeypatch):
    monkeypatch.setitem(settings.rate_limits, "export", {"per_user": 2, "per_ip": 100, "seconds": 60})
    url = f"/api/v1/terms/{world.a.term.id}/applications/export.xlsx"
    admin_a = world.a.headers("admin")
    assert [client.get(url, headers=admin_a).status_code for _ in range(3)] == [200, 200, 429]
    other_admin = auth_headers(world.b.staff["admin"].account_id)  # another user: their own count
    assert client.get(f"/api/v1/terms/{world.b.term.id}/applications/export.xlsx",
                      headers=other_admin).status_code == 200


def test_limits_can_be_switched_off(client, settings, fake_time, monkeypatch):
    monkeypatch.setitem(settings.rate_limits, "login", {"per_ip": 1, "seconds": 60})
    monkeypatch.setattr(settings, "rate_limits_enabled", False)
    body = {"username": "nobody", "password": "wrong-password"}
    assert {client.post("/api/v1/auth/password", json=body).status_code for _ in range(3)} == {401}



def test_pickup_scans_are_limited_per_user(client, world, settings, fake_time, monkeypatch):
    monkeypatch.setitem(settings.rate_limits, "pickup_verify", {"per_user": 2, "per_ip": 100, "seconds": 60})
    teacher = world.a.headers("teacher")
    answers = [client.post("/api/v1/pickup/verify", json={"code": "KH" + "A" * 31}, headers=teacher)
               for _ in range(3)]
    assert [a.status_code for a in answers] == [400, 400, 429]
    assert answers[2].json()["error"]["code"] == "RATE_LIMITED" and answers[2].headers["Retry-After"]
