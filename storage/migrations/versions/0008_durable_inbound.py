"""durable inbound and replies: when an inbound message was handled; unsent replies by person

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('inbound_messages') as batch:
        batch.add_column(sa.Column('handled_at', storage.models.base.UTCDateTime(timezone=True), nullable=True))
        batch.create_index('ix_inbound_unhandled', ['channel', 'handled_at'], unique=False)
    # Every message stored before this revision was handled in the transaction that stored it.
    op.execute('UPDATE inbound_messages SET handled_at = received_at')
    with op.batch_alter_table('outbox') as batch:
        batch.create_index('ix_outbox_contact_unsent', ['contact_id', 'kind', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.drop_index('ix_outbox_contact_unsent')
    with op.batch_alter_table('inbound_messages') as batch:
        batch.drop_index('ix_inbound_unhandled')
        batch.drop_column('handled_at')
