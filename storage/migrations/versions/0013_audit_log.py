"""audit_log: who erased whom and when (never the erased data); inbound_messages.contact_id indexed

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = '0013'
down_revision: str | Sequence[str] | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(length=100), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('subject', sa.String(length=64), nullable=False),
        sa.Column('centre_id', sa.Integer(), nullable=True),
        sa.Column('detail', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ['centre_id'], ['centres.id'], name=op.f('fk_audit_log_centre_id_centres'), ondelete='SET NULL'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    )
    with op.batch_alter_table('audit_log') as batch:
        batch.create_index('ix_audit_log_at', ['at'], unique=False)
    # Erasure and retention look a person's messages up by contact.
    with op.batch_alter_table('inbound_messages') as batch:
        batch.create_index('ix_inbound_messages_contact_id', ['contact_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inbound_messages') as batch:
        batch.drop_index('ix_inbound_messages_contact_id')
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_index('ix_audit_log_at')
    op.drop_table('audit_log')
