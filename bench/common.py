"""What every benchmark needs: the machine's description, a scratch database, servers on loopback (in this process
or in their own), and the load generator's lanes with their tallies."""

import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
import uvicorn
from sqlalchemy import text

from app.core.db import make_engine, normalise_url


def hardware() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}, {platform.system()}"


def database_engine():
    """The benchmark's database: TEST_DATABASE_URL (make bench starts PostgreSQL), else a SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL") or "sqlite:///./bench.db"
    engine = make_engine(url)
    from tests.migration_tools import reset_database
    reset_database(engine)
    return engine


def database_version(engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return "PostgreSQL " + conn.execute(text("SHOW server_version")).scalar().split()[0]
        return "SQLite " + conn.execute(text("select sqlite_version()")).scalar()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(app, port: int):
    """Run an ASGI app with uvicorn on 127.0.0.1 in a background thread."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)


# ---------- servers in their own process, and the load generator's lanes ----------

def start_server(args: list[str], env: dict, port: int) -> subprocess.Popen:
    """`uvicorn <args>` in a process of its own on 127.0.0.1:port, once it answers."""
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", *args, "--host", "127.0.0.1", "--port", str(port),
                               "--log-level", "warning", "--no-access-log",
                               "--timeout-keep-alive", "30"], env=env)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"{args} did not start")


@contextmanager
def server_process(args: list[str], env: dict):
    """A uvicorn process serving `args` on a free port, stopped afterwards; yields its base URL."""
    port = free_port()
    server = start_server(args, env, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait()


def raw_database_url() -> str:
    """TEST_DATABASE_URL as psycopg itself spells it, for the bare baselines."""
    return normalise_url(os.environ["BENCH_DATABASE_URL"]).replace("postgresql+psycopg://", "postgresql://")


def thread_connections() -> Callable[[], object]:
    """For a bare baseline: a raw psycopg connection per thread of the server's pool, opened on first use."""
    import psycopg
    url, local = raw_database_url(), threading.local()

    def connection():
        if not hasattr(local, "conn"):
            local.conn = psycopg.connect(url)
        return local.conn
    return connection


def server_env() -> dict:
    """What a server process under test needs: the benchmark's database, as the app's and the baseline's."""
    return {**os.environ, "BENCH_DATABASE_URL": os.environ["TEST_DATABASE_URL"],
            "DATABASE_URL": os.environ["TEST_DATABASE_URL"]}


@dataclass
class Tally:
    """Latencies and answers of one kind of request, with a sample body of each answer that is not a 2xx."""

    latencies: list[float] = field(default_factory=list)
    answers: Counter = field(default_factory=Counter)
    samples: dict = field(default_factory=dict)

    async def post(self, client: httpx.AsyncClient, url: str, **kwargs) -> httpx.Response | None:
        """POST, timed; None after a transport error (counted, not fatal: the checks still run)."""
        start = time.perf_counter()
        try:
            response = await client.post(url, **kwargs)
        except httpx.TransportError as exc:
            self.answers[type(exc).__name__] += 1
            return None
        self.latencies.append(time.perf_counter() - start)
        self.answers[response.status_code] += 1
        if response.status_code >= 300:
            self.samples.setdefault(response.status_code, response.text[:200])
        return response

    def line(self, label: str, elapsed: float, baseline: "Tally | None" = None,
             baseline_elapsed: float | None = None) -> str:
        """`label  N req/s  p50 … ms  p99 … ms  answers {…}`, with the ratio to the baseline's rate if given."""
        rate = len(self.latencies) / elapsed
        cuts = statistics.quantiles(self.latencies, n=100)
        ratio = ""
        if baseline is not None:
            base_cuts = statistics.quantiles(baseline.latencies, n=100)
            ratio = (f"  {rate / (len(baseline.latencies) / baseline_elapsed):.2f}× baseline rate, "
                     f"p99 {cuts[98] / base_cuts[98]:.2f}× baseline p99")
        return (f"{label:<52} {rate:7.0f} req/s  p50 {cuts[49] * 1000:5.0f} ms  p99 {cuts[98] * 1000:5.0f} ms  "
                f"answers {dict(self.answers)}{ratio}")


async def in_lanes(base_url: str, lanes: int, jobs: Iterable, work: Callable[[httpx.AsyncClient, object], Awaitable]
                   ) -> float:
    """`work(client, job)` for every job, `lanes` at a time; the wall time. Each lane is a client with one connection
    of its own: one pooled client re-examines its whole pool per request and became the bottleneck (benchmarks.md)."""
    pending = iter(jobs)

    async def lane() -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
            for job in pending:
                await work(client, job)

    start = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(lanes)))
    return time.perf_counter() - start
