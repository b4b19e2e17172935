"""What every benchmark needs: the machine's description, a scratch database, a server on loopback."""

import os
import platform
import socket
import threading
import time
from contextlib import contextmanager

import uvicorn
from sqlalchemy import text

from app.core.db import make_engine


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
