"""The dashboards (督导): a school's dashboard and its district's report over a term of 18 M attendance rows.

Data: `bench/reports_data.py` (100 schools × 2,000 children × 90 served days, kept between runs in its own
database). Kehou: the real app in this process (httpx's ASGI transport, so the clock can be pinned to the data's
"today", Friday 2026-07-10 18:30, the term's 90th served day): `GET /api/v1/reports/schools/{id}` with the
school admin's token and `GET /api/v1/reports/districts/{id}` with the district official's. Baseline: the plain
`GROUP BY` over the raw rows the issue quotes — attendance per school of the district over the term, one
statement. Before measuring, a sample of the kept figures (filled set-based in SQL) is checked against
`compute_day`, the app's own computation.
"""

import asyncio
import random
import statistics
import time
from collections.abc import AsyncIterator

import httpx
from sqlalchemy import text
from sqlmodel import Session, select

from app.core.clock import Clock, set_clock
from app.core.db import get_session
from app.core.security import create_access_token
from app.reports import rollup
from app.reports.models import DayFigures
from app.reports import service
from app.reports.service import compute_day
from app.schools.models import Term
from app.schools.service import school_rules
from bench import reports_data

P = "reports "
CALLS = 15
FIELDS = ("expected", "present", "leave", "absent", "released", "by_method", "buckets", "latest_release_at", "late",
          "with_guard", "patrols_due", "patrols_done")


def _check_figures(engine, district) -> str:
    """compute_day on a sample of (school, day) pairs must give the kept figures exactly."""
    rng = random.Random(9)
    past = [d for d, _ in district.days if d < district.today]
    pairs = [(rng.choice(district.school_ids), rng.choice(past)) for _ in range(reports_data.CHECKED)]
    pairs += [(district.school_ids[0], past[0]), (district.school_ids[-1], past[-1])]
    today = rng.sample(district.school_ids, min(4, len(district.school_ids)))
    with Session(engine) as session:
        rules = {s: school_rules(session, s) for s in today}
        live = rollup.figures(session, [rollup.SchoolDay(
            s, session.exec(select(Term.id).where(Term.school_id == s)).one(), district.today, district.days[-1][1],
            rules[s].patrols_per_lesson, rules[s].lesson_minutes) for s in today])
        session.rollback()
        for school_id, day in pairs + [(s, district.today) for s in today]:
            kept = live.get((school_id, day)) if day == district.today else session.get(DayFigures, (school_id, day))
            fresh = compute_day(session, school_id, day)
            session.rollback()
            differ = {f: (getattr(kept, f), getattr(fresh, f)) for f in FIELDS
                      if kept is None or getattr(kept, f) != getattr(fresh, f)}
            if differ:
                raise AssertionError(f"kept figures of school {school_id} on {day} differ from compute_day: {differ}")
    return (f"{P}kept figures agree with compute_day on {len(pairs)} (school, day) pairs, today's set-based ones "
            f"on {len(today)} schools")


def _quantiles(latencies: list[float]) -> str:
    cuts = statistics.quantiles(latencies, n=20)
    return f"p50 {statistics.median(latencies) * 1000:6.0f} ms  p95 {cuts[18] * 1000:6.0f} ms"


async def _timed(client: httpx.AsyncClient, url: str, headers: dict, calls: int) -> tuple[list[float], dict]:
    latencies, body = [], None
    for _ in range(calls):
        start = time.perf_counter()
        response = await client.get(url, headers=headers)
        latencies.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise AssertionError(f"{url}: {response.status_code} {response.text[:300]}")
        body = response.json()
    return latencies, body


def _baseline(engine, district, calls: int) -> list[float]:
    """The plain GROUP BY: attendance marks per school and status over the term, straight from the raw rows."""
    sql = text("""SELECT a.school_id, count(*) FILTER (WHERE a.status IN ('present', 'late')) AS present, count(*)
                  FROM attendance a JOIN school s ON s.id = a.school_id
                  JOIN service_session ss ON ss.id = a.session_id
                  WHERE s.district_id = :district AND ss.day BETWEEN :first AND :last GROUP BY a.school_id""")
    latencies = []
    with engine.connect() as conn:
        for _ in range(calls):
            start = time.perf_counter()
            rows = conn.execute(sql, {"district": district.id, "first": district.days[0][0],
                                      "last": district.today}).all()
            latencies.append(time.perf_counter() - start)
    assert len(rows) == len(district.school_ids)
    return latencies


def _refresh(engine, runs: int = 5) -> list[float]:
    """What the worker does every 30 s: count today's figures of every school serving today."""
    latencies = []
    for _ in range(runs):
        start = time.perf_counter()
        counted = service.refresh_today_figures(engine)
        latencies.append(time.perf_counter() - start)
        assert counted > 0
    return latencies


def run(_engine) -> list[str]:
    import logging
    from app.main import create_app
    for name in ("httpx", "kehou.request"):
        logging.getLogger(name).setLevel(logging.WARNING)
    lines = []
    engine = reports_data.reports_engine()
    start = time.perf_counter()
    district = reports_data.generate(engine, log=lambda line: print(P + line.strip(), flush=True))
    lines.append(f"{P}data ready in {time.perf_counter() - start:.1f} s this run; "
                 + "; ".join(reports_data.sizes(engine)))
    # Tokens on the wall clock (python-jose checks `exp` against it), then the clock pinned to the data's today.
    admin = {"Authorization": f"Bearer {create_access_token(district.admin_accounts[district.school_ids[0]])[0]}"}
    official = {"Authorization": f"Bearer {create_access_token(district.official_account)[0]}"}
    previous = reports_data.pin_clock(district)
    try:
        lines.append(_check_figures(engine, district))
        app = create_app()

        async def session_here() -> AsyncIterator[Session]:
            with Session(engine) as session:
                yield session
        app.dependency_overrides[get_session] = session_here

        async def measure():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=120) as client:
                school_url = f"/api/v1/reports/schools/{district.school_ids[0]}"
                district_url = f"/api/v1/reports/districts/{district.id}"
                await _timed(client, school_url, admin, 1)       # warm-up
                # The warm-up counts today unless a run left fresh rows (on the pinned clock they stay fresh);
                # the calls measured read today's rows as the worker keeps them, counted every 30 s.
                await _timed(client, district_url, official, 1)
                school = await _timed(client, school_url, admin, CALLS)
                whole = await _timed(client, district_url, official, CALLS)
                # The district up to yesterday: kept figures only.
                past = await _timed(client, f"{district_url}?to={district.days[-2][0]}", official, CALLS)
                return school, whole, past
        (school_lat, school_body), (district_lat, district_body), (past_lat, _) = asyncio.run(measure())
        refresh = _refresh(engine)
    finally:
        set_clock(previous if previous is not None else Clock())
    base = _baseline(engine, district, CALLS)
    att = school_body["attendance"]
    lines.append(f"{P}baseline: plain GROUP BY over the raw attendance of {len(district.school_ids)} schools "
                 f"{_quantiles(base)}")
    lines.append(f"{P}school dashboard ({len(att['series'])} served days, {att['expected']:,} expected, "
                 f"{school_body['pickups']['released']:,} released)  {_quantiles(school_lat)}  (target < 200 ms)")
    lines.append(f"{P}district dashboard ({int(district_body['totals']['schools'])} schools, "
                 f"{int(district_body['totals']['approved']):,} approved)  {_quantiles(district_lat)}  (target < 1 s)")
    lines.append(f"{P}district dashboard up to yesterday (kept figures only)  {_quantiles(past_lat)}")
    lines.append(f"{P}the worker's count of today for {len(district.school_ids)} schools (every 30 s, off the "
                 f"request path)  median {statistics.median(refresh) * 1000:6.0f} ms  max {max(refresh) * 1000:6.0f} ms")
    engine.dispose()
    return lines
