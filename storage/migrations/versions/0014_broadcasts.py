"""broadcasts: announcements to a centre's villagers, and who each went to (issue 16)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = '0014'
down_revision: str | Sequence[str] | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = storage.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'broadcasts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('centre_id', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.Column('text_kk', sa.Text(), nullable=False),
        sa.Column('text_ru', sa.Text(), nullable=False),
        sa.Column('audience', sa.JSON(), nullable=False),
        sa.Column('send_at', UTC, nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=True),
        sa.Column('queued_at', UTC, nullable=True),
        sa.Column('cancelled_at', UTC, nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'scheduled', 'sending', 'sent', 'cancelled')",
            name=op.f('ck_broadcasts_status_known'),
        ),
        sa.ForeignKeyConstraint(
            ['centre_id'], ['centres.id'], name=op.f('fk_broadcasts_centre_id_centres'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['course_id'], ['courses.id'], name=op.f('fk_broadcasts_course_id_courses'), ondelete='SET NULL'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcasts')),
    )
    with op.batch_alter_table('broadcasts') as batch:
        batch.create_index(batch.f('ix_broadcasts_centre_id'), ['centre_id'], unique=False)
    op.create_table(
        'broadcast_recipients',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('broadcast_id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('outbox_id', sa.Integer(), nullable=True),
        sa.Column('skipped_reason', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ['broadcast_id'], ['broadcasts.id'], name=op.f('fk_broadcast_recipients_broadcast_id_broadcasts'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['contact_id'], ['contacts.id'], name=op.f('fk_broadcast_recipients_contact_id_contacts'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['outbox_id'], ['outbox.id'], name=op.f('fk_broadcast_recipients_outbox_id_outbox'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcast_recipients')),
    )
    with op.batch_alter_table('broadcast_recipients') as batch:
        for column in ('broadcast_id', 'contact_id', 'outbox_id'):
            batch.create_index(batch.f(f'ix_broadcast_recipients_{column}'), [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('broadcast_recipients') as batch:
        for column in ('broadcast_id', 'contact_id', 'outbox_id'):
            batch.drop_index(batch.f(f'ix_broadcast_recipients_{column}'))
    op.drop_table('broadcast_recipients')
    with op.batch_alter_table('broadcasts') as batch:
        batch.drop_index(batch.f('ix_broadcasts_centre_id'))
    op.drop_table('broadcasts')
