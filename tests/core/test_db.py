"""The PostgreSQL pool pings a connection only when it sat idle a while, and replaces one that died meanwhile."""

import pytest
from sqlalchemy import text

from app.core import db


@pytest.fixture
def pooled(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("pinging idle connections is for PostgreSQL's pool")
    scratch = db.make_engine(engine.url.render_as_string(hide_password=False))
    yield scratch
    scratch.dispose()


def _backend(pooled) -> int:
    with pooled.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar()


def test_a_connection_that_died_while_idle_is_replaced(pooled, engine, monkeypatch):
    pid = _backend(pooled)
    with engine.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
    assert _backend(pooled) != pid


def test_a_connection_back_moments_ago_is_used_without_a_ping(pooled, monkeypatch):
    pings = []
    real_ping = pooled.dialect.do_ping
    monkeypatch.setattr(pooled.dialect, "do_ping", lambda conn: pings.append(conn) or real_ping(conn))
    first = _backend(pooled)  # a new connection is pinged once
    assert [_backend(pooled) for _ in range(3)] == [first] * 3
    assert len(pings) == 1
