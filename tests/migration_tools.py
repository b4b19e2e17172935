import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from app.core.db import make_engine


def alembic_config(engine: Engine) -> Config:
    config = Config("alembic.ini")
    config.attributes["url"] = engine.url.render_as_string(hide_password=False)
    config.attributes["configure_logger"] = False
    return config


def reset_database(engine: Engine) -> None:
    """Empty the test database completely, then migrate it to head."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        with engine.begin() as conn:
            tables = [r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))]
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for table in tables:
                conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}"')
    command.upgrade(alembic_config(engine), "head")


@contextmanager
def scratch_database(engine: Engine, directory: Path) -> Iterator[Engine]:
    """An empty database of the same kind as `engine` (a new SQLite file, or a new PostgreSQL database)."""
    if engine.dialect.name == "sqlite":
        scratch = make_engine(f"sqlite:///{directory / f'scratch-{uuid.uuid4().hex[:8]}.db'}")
        try:
            yield scratch
        finally:
            scratch.dispose()
        return
    name = f"kehou_scratch_{uuid.uuid4().hex[:8]}"
    admin = create_engine(engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    scratch = make_engine(make_url(engine.url).set(database=name).render_as_string(hide_password=False))
    try:
        yield scratch
    finally:
        scratch.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
