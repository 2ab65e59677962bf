"""Courses, their sessions, enrolments (seats and waiting lists), attendance and the audit log.

Invariants held by the database itself:

* one enrolment row per (course, contact): nobody twice on one course;
* ``seat_no`` is unique per course and set exactly for enrolled learners and open offers, so a
  freed seat can carry at most one open offer and seats are never double-booked;
* capacity is checked by ``storage.courses`` under a row lock on the course (``FOR UPDATE`` on
  PostgreSQL; SQLite serialises every transaction with ``BEGIN IMMEDIATE``).

Waiting-list positions are not stored: they are derived from ``joined_at`` and the policy.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from flows.courses.statuses import (
    COURSE_STATUSES,
    ENROLMENT_STATUSES,
    SEAT_HOLDING,
    CourseStatus,
    EnrolmentStatus,
)
from storage.models.base import Base, one_of


class Course(Base):
    __tablename__ = "courses"
    __table_args__ = (
        UniqueConstraint("centre_id", "code"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("offer_hours > 0", name="offer_hours_positive"),
        CheckConstraint(one_of("status", COURSE_STATUSES), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id", ondelete="CASCADE"), index=True)
    # A short handle for facilitators on the command line ("computer-1").
    code: Mapped[str] = mapped_column(String(64))
    title_kk: Mapped[str] = mapped_column(String(200))
    title_ru: Mapped[str] = mapped_column(String(200))
    description_kk: Mapped[str] = mapped_column(Text, default="")
    description_ru: Mapped[str] = mapped_column(Text, default="")
    # Interest ids of the needs survey (computer, sewing, …).
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    capacity: Mapped[int]
    enrol_opens_at: Mapped[dt.datetime | None]
    enrol_closes_at: Mapped[dt.datetime | None]
    status: Mapped[CourseStatus] = mapped_column(String(16), default="draft")
    offer_hours: Mapped[int] = mapped_column(default=48)
    policy: Mapped[str] = mapped_column(String(200), default="fcfs")
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    # Set once the satisfaction questionnaire went out to those who attended.
    feedback_sent_at: Mapped[dt.datetime | None]

    sessions: Mapped[list[CourseSession]] = relationship(
        back_populates="course", order_by="CourseSession.starts_at", cascade="all, delete-orphan",
        passive_deletes=True,
    )


class CourseSession(Base):
    __tablename__ = "course_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[dt.datetime]
    minutes: Mapped[int]
    place_kk: Mapped[str] = mapped_column(String(200))
    place_ru: Mapped[str] = mapped_column(String(200))

    course: Mapped[Course] = relationship(back_populates="sessions")


class Enrolment(Base):
    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("course_id", "contact_id"),
        # NULLs never collide, so only seat holders compete for a seat number.
        UniqueConstraint("course_id", "seat_no"),
        CheckConstraint(one_of("status", ENROLMENT_STATUSES), name="status_known"),
        CheckConstraint(
            f"({one_of('status', SEAT_HOLDING)}) = (seat_no IS NOT NULL)", name="seat_iff_holding"
        ),
        CheckConstraint(
            "status <> 'offered' OR offer_deadline IS NOT NULL", name="offer_has_deadline"
        ),
        CheckConstraint("seat_no IS NULL OR seat_no >= 1", name="seat_positive"),
        Index("ix_enrolments_offers_due", "status", "offer_deadline"),
        Index("ix_enrolments_course_status", "course_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    status: Mapped[EnrolmentStatus] = mapped_column(String(16))
    seat_no: Mapped[int | None]
    # When the person (last) joined this course or its waiting list: the policy's tie-breaker.
    joined_at: Mapped[dt.datetime]
    offered_at: Mapped[dt.datetime | None]
    offer_deadline: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime]
    # Set when a facilitator moved this person on the waiting list by hand (see
    # ``flows.courses.policy.Placement``); cleared when they join again.
    placed_tier: Mapped[int | None]
    placed_at: Mapped[dt.datetime | None]
    placed_order: Mapped[float | None]


class Attendance(Base):
    __tablename__ = "course_attendance"
    __table_args__ = (UniqueConstraint("session_id", "enrolment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_sessions.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    present: Mapped[bool]
    marked_by: Mapped[str] = mapped_column(String(100))
    marked_at: Mapped[dt.datetime]


class CourseAudit(Base):
    """Who did what to a course or an enrolment, when and why; rows are only ever added."""

    __tablename__ = "course_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[dt.datetime]
