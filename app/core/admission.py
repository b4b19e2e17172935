"""Admit at most as many requests as there are database connections.

Sync routes hop between the event loop and the thread pool, and a request keeps its pooled connection
across those hops. Under a rush (抢课, 17:30 at the gate) more requests than connections would each take
a connection and then wait for a thread, while the threads wait for a connection: everything stalls
until the pool's time-out. Waiting here, on the event loop, costs nothing and holds nothing, so the
admitted requests always finish. Found by `make bench` (clubs).
"""

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send


class AdmissionMiddleware:
    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None  # made on first use, inside the serving loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limit)
        async with self._slots:
            await self.app(scope, receive, send)
