"""Indexes on the keys that point at contacts and outbox rows and had none: deleting a contact
(erasure, retention) or an outbox row (a farewell once sent) makes the database look for rows
pointing at it to set to NULL, and without an index it read the whole of sms_messages,
reminders and course_audit, tables that grow with every message (issue 18)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 12:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0019'
down_revision: str | Sequence[str] | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = '0003'  # the SMS branch: sms_messages

INDEXES = (
    ("ix_sms_messages_contact_id", "sms_messages", "contact_id"),
    ("ix_sms_messages_outbox_id", "sms_messages", "outbox_id"),
    ("ix_reminders_outbox_id", "reminders", "outbox_id"),
    ("ix_course_audit_contact_id", "course_audit", "contact_id"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
