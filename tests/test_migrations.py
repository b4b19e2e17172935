"""The schema lives in Alembic revisions: they round-trip, and they match the models exactly."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.models import metadata
from tests.migration_tools import alembic_config, scratch_database


@pytest.fixture
def scratch_engine(engine, tmp_path):
    with scratch_database(engine, tmp_path) as scratch:
        yield scratch


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
