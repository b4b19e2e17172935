"""Indexes for the dashboards: one school's day of releases, patrols and sessions (docs/benchmarks.md, "Dashboards")

Revision ID: cd6613f0c3e7
Revises: 8106e1353104
Create Date: 2026-11-24 12:21:40.009872
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.types


revision: str = 'cd6613f0c3e7'
down_revision: str | None = '8106e1353104'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_handoff_school_id_day', 'handoff', ['school_id', 'day'], unique=False)
    op.create_index('ix_patrol_record_school_id_day', 'patrol_record', ['school_id', 'day'], unique=False)
    op.create_index('ix_service_session_school_id_day', 'service_session', ['school_id', 'day'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_service_session_school_id_day', table_name='service_session')
    op.drop_index('ix_patrol_record_school_id_day', table_name='patrol_record')
    op.drop_index('ix_handoff_school_id_day', table_name='handoff')
