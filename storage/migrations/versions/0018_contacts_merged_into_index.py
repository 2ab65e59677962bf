"""contacts.merged_into_id indexed: every step asks whether a contact was merged into the one
stepping (storage.steps), which without an index read every contact, a cost that grew with the
number of people (issue 18, EXPLAIN QUERY PLAN: SCAN contacts)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 12:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0018'
down_revision: str | Sequence[str] | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_contacts_merged_into_id', 'contacts', ['merged_into_id'])


def downgrade() -> None:
    op.drop_index('ix_contacts_merged_into_id', table_name='contacts')
