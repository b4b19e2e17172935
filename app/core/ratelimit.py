"""Rate limits per user and per IP on the routes worth guessing or scraping: login, binding a child, pickup
verification, exports (docs/privacy.md). A fixed window counted in the process's memory: cheap enough for the
gate at 17:30, and with several processes each counts its own (the effective limit is that many times higher —
say so when sizing). Over the limit: 429 with a Chinese message and `Retry-After`."""

import math
import time
from collections import defaultdict

from fastapi import FastAPI, Request

from app.core.config import get_settings
from app.core.errors import TooManyRequests
from app.core.security import request_account_id

MESSAGES = {"login": "登录尝试过多", "bind": "绑定尝试过多", "pickup_verify": "扫码过于频繁", "export": "导出过于频繁"}


class Counters:
    """Hits per (limit, who, window); windows past are dropped as new ones start."""

    def __init__(self) -> None:
        self.hits: dict[tuple, int] = defaultdict(int)
        self.window_of: dict[str, int] = {}

    def hit(self, name: str, who: str, seconds: int, now: float) -> tuple[int, float]:
        window = int(now // seconds)
        if self.window_of.get(name) != window:  # a new window: forget this limit's old counts
            for key in [k for k in self.hits if k[0] == name]:
                del self.hits[key]
            self.window_of[name] = window
        self.hits[(name, who)] += 1
        return self.hits[(name, who)], (window + 1) * seconds - now


def _counters(app: FastAPI) -> Counters:
    if not hasattr(app.state, "rate_counters"):
        app.state.rate_counters = Counters()
    return app.state.rate_counters


class RateLimit:
    """A route dependency: `dependencies=[Depends(rate_limit("export"))]`."""

    def __init__(self, name: str):
        self.name = name

    async def __call__(self, request: Request) -> None:
        settings = get_settings()
        if not settings.rate_limits_enabled:
            return
        limit = settings.rate_limits.get(self.name, {})
        seconds, counters, now = limit.get("seconds", 60), _counters(request.app), time.monotonic()
        client = request.client.host if request.client else "unknown"
        account_id = request_account_id(request.scope)
        checks = [("ip:" + client, limit.get("per_ip"))]
        if account_id is not None:
            checks.append((f"user:{account_id}", limit.get("per_user")))
        for who, most in checks:
            if not most:
                continue
            count, retry_after = counters.hit(self.name, who, seconds, now)
            if count > most:
                wait = max(1, math.ceil(retry_after))
                raise TooManyRequests("RATE_LIMITED", f"{MESSAGES.get(self.name, '请求过于频繁')}，请 {wait} 秒后再试",
                                      extra={"retry_after": wait})


def rate_limit(name: str) -> RateLimit:
    return RateLimit(name)
