"""Separate guardian consent to the 儿童个人信息处理规则 (docs/privacy.md): one row per consent given, stamped when
withdrawn. No consent is invented for guardians bound before: GET /me asks them.

Revision ID: dc048c46dfe3
Revises: 76f233054fd4
Create Date: 2026-11-24 13:56:09.522223
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.types


revision: str = 'dc048c46dfe3'
down_revision: str | None = '76f233054fd4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('privacy_consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('rules_version', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('given_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', app.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_privacy_consent_account_id_account')),
    sa.ForeignKeyConstraint(['guardian_id'], ['guardian.id'], name=op.f('fk_privacy_consent_guardian_id_guardian')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_privacy_consent_school_id_school')),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_privacy_consent_student_id_student')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_consent'))
    )
    with op.batch_alter_table('privacy_consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacy_consent_guardian_id'), ['guardian_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_privacy_consent_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_privacy_consent_student_id'), ['student_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('privacy_consent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacy_consent_student_id'))
        batch_op.drop_index(batch_op.f('ix_privacy_consent_school_id'))
        batch_op.drop_index(batch_op.f('ix_privacy_consent_guardian_id'))

    op.drop_table('privacy_consent')
