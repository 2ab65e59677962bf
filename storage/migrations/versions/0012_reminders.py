"""reminders: quiet hours per centre, and the key that queues each reminder once

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = '0012'
down_revision: str | Sequence[str] | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('centres') as batch:
        batch.add_column(
            sa.Column('quiet_from', sa.String(length=5), server_default='21:00', nullable=False)
        )
        batch.add_column(
            sa.Column('quiet_until', sa.String(length=5), server_default='09:00', nullable=False)
        )
    op.create_table(
        'reminders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('slot', sa.String(length=64), nullable=False),
        sa.Column('due_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('outbox_id', sa.Integer(), nullable=True),
        sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['contact_id'], ['contacts.id'], name=op.f('fk_reminders_contact_id_contacts'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['outbox_id'], ['outbox.id'], name=op.f('fk_reminders_outbox_id_outbox'), ondelete='SET NULL'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
        sa.UniqueConstraint('kind', 'subject_id', 'slot', name=op.f('uq_reminders_kind_subject_id_slot')),
    )
    with op.batch_alter_table('reminders') as batch:
        batch.create_index(batch.f('ix_reminders_contact_id'), ['contact_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reminders') as batch:
        batch.drop_index(batch.f('ix_reminders_contact_id'))
    op.drop_table('reminders')
    with op.batch_alter_table('centres') as batch:
        batch.drop_column('quiet_until')
        batch.drop_column('quiet_from')
