"""survey invitations: a questionnaire sent to one person about one subject, at most once

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-25 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('survey_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('about_kk', sa.String(length=200), nullable=False),
    sa.Column('about_ru', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('run_key', sa.String(length=40), nullable=True),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('sent', 'started', 'completed', 'declined')",
                       name=op.f('ck_survey_invitations_status')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'],
                            name=op.f('fk_survey_invitations_contact_id_contacts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitations')),
    sa.UniqueConstraint('contact_id', 'slug', 'subject',
                        name=op.f('uq_survey_invitations_contact_id_slug_subject'))
    )
    op.create_index(op.f('ix_survey_invitations_contact_id'), 'survey_invitations', ['contact_id'], unique=False)
    op.create_index(op.f('ix_survey_invitations_run_key'), 'survey_invitations', ['run_key'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_survey_invitations_run_key'), table_name='survey_invitations')
    op.drop_index(op.f('ix_survey_invitations_contact_id'), table_name='survey_invitations')
    op.drop_table('survey_invitations')
