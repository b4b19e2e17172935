"""Test set-up: one migrated database per run, one rolled-back transaction per test.

The database is SQLite in a temp dir unless TEST_DATABASE_URL names another
(`make test` runs the suite a second time on a real PostgreSQL).
"""

import os
import secrets
from contextlib import contextmanager, nullcontext
import tempfile
from pathlib import Path

_tmp = Path(tempfile.mkdtemp(prefix="kehou-test-"))
os.environ["ENV"] = "test"
os.environ["JWT_SECRET"] = secrets.token_urlsafe(48)
os.environ["MEDIA_DIR"] = str(_tmp / "media")
os.environ["WECHAT_BASE_URL"] = ""
os.environ["DATABASE_URL"] = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_tmp / 'test.db'}"

import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.core import clock as clock_module  # noqa: E402
from app.core.config import get_settings  # noqa: E402
from app.core.db import get_engine, get_session  # noqa: E402
from tests import factories  # noqa: E402
from tests.migration_tools import reset_database, scratch_database  # noqa: E402


@pytest.fixture(scope="session")
def engine():
    engine = get_engine()
    reset_database(engine)
    yield engine
    engine.dispose()


@contextmanager
def rolled_back_session(engine):
    """A session whose commits are savepoints inside one transaction that is rolled back."""
    connection = engine.connect()
    outer = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db
    finally:
        db.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def session(engine):
    with rolled_back_session(engine) as db:
        yield db


@pytest.fixture(scope="module")
def demo_session(engine):
    """The demo school seeded once for a module whose tests only read it (seeding takes seconds): use it instead
    of `session`, which would wait on this one's transaction."""
    from app.demo.seed import seed_demo
    with rolled_back_session(engine) as db:
        seed_demo(db)
        yield db


@pytest.fixture(scope="session")
def shared_app():
    """One application for the run: building one (FastAPI prepares ~200 routes' models) took 0.3–0.7 s, more
    than most tests; `app` gives each test a fresh state of it."""
    from app.main import create_app
    return create_app()


@pytest.fixture
def app(session, shared_app):
    """The application, pointed at this test's rolled-back session and a fake WeChat, as if just made: its state
    (rate-limit counters, limiters), middlewares and dependency overrides are new, and routes a test adds are
    gone after it."""
    from app.auth.router import get_wechat
    from app.wechat.client import WeChatClient
    from app.wechat.fake import FakeWeChat
    import httpx

    application = shared_app
    routes = list(application.router.routes)
    application.state._state.clear()
    application.middleware_stack = None  # made again on the first request, inside this test's event loop
    application.dependency_overrides.clear()
    fake = FakeWeChat()
    application.state.fake_wechat = fake
    application.dependency_overrides[get_session] = lambda: session
    application.state.session_factory = lambda: nullcontext(session)
    application.dependency_overrides[get_wechat] = lambda: WeChatClient(
        appid="wx-test", secret="test-secret", base_url="http://fake-wechat.local",
        transport=httpx.MockTransport(fake.handle))
    yield application
    application.router.routes[:] = routes
    application.dependency_overrides.clear()


@pytest.fixture
def client(app):
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def fake_wechat(app):
    return app.state.fake_wechat


@pytest.fixture
def fixed_clock():
    from datetime import datetime, timezone

    fixed = clock_module.FixedClock(datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc))  # 16:00 in Shanghai
    previous = clock_module.set_clock(fixed)
    yield fixed
    clock_module.set_clock(previous)


@pytest.fixture
def world(session):
    """Two schools with a term, classes, staff in every role, students and bound guardians."""
    return factories.two_schools(session)


@pytest.fixture
def settings():
    return get_settings()


@pytest.fixture
def fresh_engine(engine, tmp_path):
    """A migrated database of its own, for code that opens its own sessions (workers, concurrency)."""
    with scratch_database(engine, tmp_path) as scratch:
        reset_database(scratch)
        yield scratch


@pytest.fixture
def world_in():
    """Build the two-school world in another database, committed (for code with its own sessions)."""
    def build(target_engine):
        with Session(target_engine, expire_on_commit=False) as db:
            return factories.two_schools(db)
    return build
