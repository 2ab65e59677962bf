"""waiting-list moves: where a facilitator placed someone by hand

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-25 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('enrolments') as batch:
        batch.add_column(sa.Column('placed_tier', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('placed_at', storage.models.base.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('placed_order', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('enrolments') as batch:
        batch.drop_column('placed_order')
        batch.drop_column('placed_at')
        batch.drop_column('placed_tier')
