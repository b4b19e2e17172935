"""The schema lives in Alembic revisions: they round-trip, and they match the models exactly."""

import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app.core.db import make_engine
from app.models import metadata
from tests.migration_tools import alembic_config


@pytest.fixture
def scratch_engine(engine, tmp_path):
    """An empty database of the same kind as the test database."""
    if engine.dialect.name == "sqlite":
        scratch = make_engine(f"sqlite:///{tmp_path / 'scratch.db'}")
        yield scratch
        scratch.dispose()
        return
    name = f"kehou_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    scratch = make_engine(make_url(engine.url).set(database=name).render_as_string(hide_password=False))
    yield scratch
    scratch.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}"'))
    admin.dispose()


def _tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade_round_trips(scratch_engine):
    config = alembic_config(scratch_engine)
    command.upgrade(config, "head")
    assert _tables(scratch_engine) == set(metadata.tables)
    command.downgrade(config, "base")
    assert _tables(scratch_engine) == set()
    command.upgrade(config, "head")
    assert _tables(scratch_engine) == set(metadata.tables)


def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == [], f"models differ from migrations; run `alembic revision --autogenerate`: {diff}"
