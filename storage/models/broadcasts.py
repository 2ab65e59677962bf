"""Broadcasts (announcements to a centre's villagers) and who each one went to.

A ``Broadcast`` keeps its texts, its audience (``flows.audience.Audience`` as JSON) and its
state; a ``BroadcastRecipient`` row per person the audience named when it was sent: the
outbox row that carries their message, or why they were skipped. The report counts the
outbox rows of one broadcast through these rows, so the outbox needs no column of its own.
Recipient rows hold no text: an erased person's rows stay on the tombstone for the counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, one_of

# draft: created, not yet sent; scheduled: goes at send_at; sending: its outbox rows are
# queued; sent: none of them is still waiting; cancelled: stopped (what was still queued is
# skipped).
BroadcastStatus = Literal["draft", "scheduled", "sending", "sent", "cancelled"]
BROADCAST_STATUSES: tuple[BroadcastStatus, ...] = get_args(BroadcastStatus)


class Broadcast(Base):
    __tablename__ = "broadcasts"
    __table_args__ = (CheckConstraint(one_of("status", BROADCAST_STATUSES), name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id", ondelete="CASCADE"), index=True)
    # Who made it, as the audit log names actors (``contact:12``, ``cli:ops (contact:12)``).
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime]
    text_kk: Mapped[str] = mapped_column(Text)
    text_ru: Mapped[str] = mapped_column(Text)
    audience: Mapped[dict[str, Any]] = mapped_column(JSON)
    send_at: Mapped[dt.datetime | None]
    status: Mapped[BroadcastStatus] = mapped_column(String(16), default="draft")
    # A course announcement (``--for-course``): enrolments from it are counted in the report.
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))
    queued_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]


class BroadcastRecipient(Base):
    __tablename__ = "broadcast_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"), index=True)
    # ``flows.audience.SkipReason`` when nothing was queued for them.
    skipped_reason: Mapped[str | None] = mapped_column(String(32))
