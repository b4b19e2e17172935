"""today's figures per school, counted at most a minute ago, for the district report

Revision ID: 5e0c2a7d91b4
Revises: cd6613f0c3e7
Create Date: 2026-11-24 14:05:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.types


revision: str = '5e0c2a7d91b4'
down_revision: str | None = 'cd6613f0c3e7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('today_figures',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.Column('present', sa.Integer(), nullable=False),
    sa.Column('leave', sa.Integer(), nullable=False),
    sa.Column('absent', sa.Integer(), nullable=False),
    sa.Column('released', sa.Integer(), nullable=False),
    sa.Column('by_method', sa.JSON(), nullable=False),
    sa.Column('buckets', sa.JSON(), nullable=False),
    sa.Column('latest_release_at', app.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('late', sa.Integer(), nullable=False),
    sa.Column('with_guard', sa.Integer(), nullable=False),
    sa.Column('patrols_due', sa.Integer(), nullable=False),
    sa.Column('patrols_done', sa.Integer(), nullable=False),
    sa.Column('computed_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_today_figures_school_id_school')),
    sa.PrimaryKeyConstraint('school_id', name=op.f('pk_today_figures'))
    )


def downgrade() -> None:
    op.drop_table('today_figures')
