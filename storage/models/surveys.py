"""Questionnaires with immutable versions, runs of one contact through one version, answers.

A version's ``definition`` is the checked questionnaire as JSON; it never changes once stored
(editing a questionnaire stores a new version), so answers keep pointing at the exact questions
they answered. A run is ``in_progress`` until ``completed`` (then immutable) or ``abandoned``.
One answer per (run, question): answering again after "back" replaces the value, keeps the row,
and counts the change in ``revision``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from flows.questionnaire.statuses import INVITATION_STATUSES, RUN_STATUSES, InvitationStatus, RunStatus
from storage.models.base import Base, one_of


class Questionnaire(Base):
    __tablename__ = "questionnaires"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    # The one the main menu's "needs survey" starts; at most one is active.
    active: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime]


class QuestionnaireVersion(Base):
    __tablename__ = "questionnaire_versions"
    __table_args__ = (UniqueConstraint("questionnaire_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id", ondelete="CASCADE"))
    version: Mapped[int]
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    # SHA-256 of the definition: loading an unchanged file again adds no version.
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]


class SurveyRun(Base):
    __tablename__ = "survey_runs"
    __table_args__ = (
        CheckConstraint(one_of("status", RUN_STATUSES), name="status"),
        Index("ix_survey_runs_contact_status", "contact_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_key: Mapped[str] = mapped_column(String(40), unique=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    status: Mapped[RunStatus] = mapped_column(String(16), default="in_progress")
    channel: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]


class SurveyAnswer(Base):
    __tablename__ = "survey_answers"
    # Triggers (migration 0017) keep survey_runs.updated_at at the newest answer. A migration that
    # rebuilds this table (SQLite's batch_alter_table) must create them again.
    __table_args__ = (UniqueConstraint("run_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("survey_runs.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(String(32))
    value: Mapped[Any] = mapped_column(JSON)
    raw_text: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime]
    revision: Mapped[int] = mapped_column(default=1)


class SurveyInvitation(Base):
    """A questionnaire sent to one person about one subject (``course:12``): at most once.

    Kept even when never answered, so a report can give the response rate. ``run_key`` names
    the run once the person starts it.
    """

    __tablename__ = "survey_invitations"
    __table_args__ = (
        UniqueConstraint("contact_id", "slug", "subject"),
        CheckConstraint(one_of("status", INVITATION_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64))
    # What it is about, as it was when sent (the course's title), shown in the invitation.
    about_kk: Mapped[str] = mapped_column(String(200))
    about_ru: Mapped[str] = mapped_column(String(200))
    status: Mapped[InvitationStatus] = mapped_column(String(16), default="sent")
    run_key: Mapped[str | None] = mapped_column(String(40), index=True)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
