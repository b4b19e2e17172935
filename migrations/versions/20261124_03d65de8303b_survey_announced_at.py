"""survey.announced_at: when the families were told the survey opened

Revision ID: 03d65de8303b
Revises: dc048c46dfe3
Create Date: 2026-11-24 15:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.types


revision: str = '03d65de8303b'
down_revision: str | None = 'dc048c46dfe3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announced_at', app.core.types.UTCDateTime(timezone=True), nullable=True))
    # Surveys published before families were told of new ones count as told: nobody gets a message about a survey
    # that opened days ago.
    op.execute("UPDATE survey SET announced_at = coalesce(published_at, updated_at) WHERE status <> 'draft'")


def downgrade() -> None:
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_column('announced_at')
