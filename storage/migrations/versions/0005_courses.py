"""courses: courses, sessions, enrolments (seats and waiting lists), attendance, audit log

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-25 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('courses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title_kk', sa.String(length=200), nullable=False),
    sa.Column('title_ru', sa.String(length=200), nullable=False),
    sa.Column('description_kk', sa.Text(), nullable=False),
    sa.Column('description_ru', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('enrol_opens_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('enrol_closes_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('offer_hours', sa.Integer(), nullable=False),
    sa.Column('policy', sa.String(length=200), nullable=False),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('feedback_sent_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_courses_capacity_not_negative')),
    sa.CheckConstraint('offer_hours > 0', name=op.f('ck_courses_offer_hours_positive')),
    sa.CheckConstraint("status IN ('draft', 'open', 'running', 'finished', 'cancelled')", name=op.f('ck_courses_status_known')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_courses_centre_id_centres'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses')),
    sa.UniqueConstraint('centre_id', 'code', name=op.f('uq_courses_centre_id_code'))
    )
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_centre_id'), ['centre_id'], unique=False)

    op.create_table('course_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('place_kk', sa.String(length=200), nullable=False),
    sa.Column('place_ru', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_sessions_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_sessions'))
    )
    with op.batch_alter_table('course_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_sessions_course_id'), ['course_id'], unique=False)

    op.create_table('enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('seat_no', sa.Integer(), nullable=True),
    sa.Column('joined_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('offered_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('offer_deadline', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('enrolled', 'waiting', 'offered', 'left', 'removed', 'declined', 'expired')", name=op.f('ck_enrolments_status_known')),
    sa.CheckConstraint("(status IN ('enrolled', 'offered')) = (seat_no IS NOT NULL)", name=op.f('ck_enrolments_seat_iff_holding')),
    sa.CheckConstraint("status <> 'offered' OR offer_deadline IS NOT NULL", name=op.f('ck_enrolments_offer_has_deadline')),
    sa.CheckConstraint('seat_no IS NULL OR seat_no >= 1', name=op.f('ck_enrolments_seat_positive')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_enrolments_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_enrolments_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolments')),
    sa.UniqueConstraint('course_id', 'contact_id', name=op.f('uq_enrolments_course_id_contact_id')),
    sa.UniqueConstraint('course_id', 'seat_no', name=op.f('uq_enrolments_course_id_seat_no'))
    )
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_index('ix_enrolments_course_status', ['course_id', 'status'], unique=False)
        batch_op.create_index('ix_enrolments_offers_due', ['status', 'offer_deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolments_contact_id'), ['contact_id'], unique=False)

    op.create_table('course_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('marked_by', sa.String(length=100), nullable=False),
    sa.Column('marked_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_course_attendance_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['course_sessions.id'], name=op.f('fk_course_attendance_session_id_course_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_attendance')),
    sa.UniqueConstraint('session_id', 'enrolment_id', name=op.f('uq_course_attendance_session_id_enrolment_id'))
    )
    with op.batch_alter_table('course_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_attendance_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('course_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.Column('at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_course_audit_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_audit_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_audit'))
    )
    with op.batch_alter_table('course_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_audit_course_id'), ['course_id'], unique=False)


def downgrade() -> None:
    op.drop_table('course_audit')
    op.drop_table('course_attendance')
    op.drop_table('enrolments')
    op.drop_table('course_sessions')
    op.drop_table('courses')
