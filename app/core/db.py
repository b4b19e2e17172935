"""Engine and sessions. SQLite by default, PostgreSQL when DATABASE_URL says so."""

import time
from collections.abc import AsyncIterator
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session, create_engine
from starlette.concurrency import run_in_threadpool

from app.core.config import get_settings


PING_AFTER_IDLE_SECONDS = 5.0


def normalise_url(url: str) -> str:
    """Accept the usual `postgres://` / `postgresql://` spellings and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        settings = get_settings()
        pool = {} if ":memory:" in url else {"pool_size": settings.db_pool_size,
                                              "max_overflow": settings.db_max_overflow}
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so
            # SAVEPOINTs and BEGIN IMMEDIATE work as documented.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            # Foreign keys are off by default in SQLite; WAL lets readers run during a write.
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # noqa: ANN001
            # IMMEDIATE takes the write lock up front: a transaction that reads and then writes
            # can otherwise fail with "database is locked" when another writer committed in between.
            # Writers queue on busy_timeout instead; WAL readers are never blocked.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    settings = get_settings()
    engine = create_engine(url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow)

    # A pooled connection may have died while it sat idle (a server restart, a dropped socket): one idle for
    # a while is pinged before use, and replaced if dead. Not every one, as pool_pre_ping would: under a rush
    # connections come back within milliseconds, and a ping per request is one more round trip each.
    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_conn, record):  # noqa: ANN001
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn, record, _proxy):  # noqa: ANN001
        if time.monotonic() - record.info.get("returned_at", 0.0) < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError() from exc  # the pool throws it away and checks out another

    return engine


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


async def get_session() -> AsyncIterator[Session]:
    """The request's session. Async, so FastAPI makes and closes it on the event loop instead of hopping to a
    thread twice per request: making one touches no database, nor does closing one whose work was committed
    or rolled back. One left in a transaction (a read-only route, an error) is closed in a thread."""
    session = Session(get_engine())
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()



class InsertOnce:
    """`INSERT … ON CONFLICT (keys) DO NOTHING RETURNING id` for a model, on either database: calling it inserts
    the row in the session's transaction and says whether it did. False means the row was there already, or
    another transaction wrote it at the same moment (PostgreSQL waits for that one to end; SQLite writers queue),
    so a unique rule such as "one release per child per day" holds without an error to catch."""

    def __init__(self, model: type, *keys: str):
        from sqlalchemy.dialects import postgresql, sqlite
        self.table, self.keys = model.__table__, list(keys)
        self.inserts = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
        self._many: dict[tuple, object] = {}
        self.statements = {name: insert(self.table).on_conflict_do_nothing(index_elements=self.keys)
                           .returning(self.table.c[self.keys[0]]) for name, insert in self.inserts.items()}

    def __call__(self, session: Session, values: dict) -> bool:
        conn = session.connection()
        return conn.execute(self.statements[conn.dialect.name], values).first() is not None

    def many(self, session: Session, rows: list[dict], *returning: str) -> list:
        """The same for many rows at once (SQLAlchemy sends them as one `VALUES (…), (…)` statement): the `returning`
        columns of those inserted, in no particular order; a row whose keys were taken is left out."""
        if not rows:
            return []
        conn = session.connection()
        key = (conn.dialect.name, returning)
        if key not in self._many:  # built once: a statement made anew is compiled anew, about a millisecond each
            statement = self.inserts[conn.dialect.name](self.table).on_conflict_do_nothing(index_elements=self.keys)
            self._many[key] = statement.returning(*(self.table.c[name] for name in returning)) if returning \
                else statement
        result = conn.execute(self._many[key], rows)
        return result.all() if returning else []


def upsert(session: Session, model: type, keys: tuple[str, ...], rows: list[dict]) -> None:
    """`INSERT … ON CONFLICT (keys) DO UPDATE` every other column, on either database: rows written whole, whoever
    wrote them last (a worker and a request counting the same figures at once) without an error to catch."""
    if not rows:
        return
    from sqlalchemy.dialects import postgresql, sqlite
    conn = session.connection()
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[conn.dialect.name](model.__table__)
    statement = insert.on_conflict_do_update(
        index_elements=list(keys),
        set_={c.name: insert.excluded[c.name] for c in model.__table__.c if c.name not in keys})
    conn.execute(statement, rows)
