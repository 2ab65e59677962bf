"""Reminders queued once each: the key that keeps a periodic job from queueing one twice.

A reminder is derived from other rows (a session, an offer, a survey run) every time the job
runs; the row here says "this one was queued" and names the outbox row that carries it. The
unique key (kind, subject, slot) makes a second insert fail, also when two processes derive
the same reminder at the same moment. The subject is the person's own row (their enrolment, their
survey run), so the key needs no contact: merging two contacts repoints ``contact_id`` plainly.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Reminder(Base):
    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("kind", "subject_id", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # session_eve, session_soon, offer, survey_nudge (``flows.reminders``).
    kind: Mapped[str] = mapped_column(String(32))
    # The enrolment (session and offer reminders) or survey run it is about.
    subject_id: Mapped[int]
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    # Which occurrence: the session and its start, or the offer's time, so a session moved to
    # a new time (or a seat offered again) gets reminders of its own.
    slot: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[dt.datetime]
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime]
