"""No more requests run at once than the database pool can serve; the rest wait their turn."""

import asyncio

import httpx

from app.core.admission import AdmissionMiddleware


def test_requests_beyond_the_limit_wait_and_all_are_answered():
    running, most = 0, 0

    async def slow_app(scope, receive, send):
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def rush():
        transport = httpx.ASGITransport(app=AdmissionMiddleware(slow_app, limit=3))
        async with httpx.AsyncClient(transport=transport, base_url="http://kehou") as client:
            return await asyncio.gather(*(client.get("/") for _ in range(20)))

    answers = asyncio.run(rush())
    assert [a.status_code for a in answers] == [200] * 20
    assert most == 3


def test_the_limit_leaves_connections_for_the_worker(settings):
    assert settings.max_requests_in_flight < settings.db_pool_size + settings.db_max_overflow
