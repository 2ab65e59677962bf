"""Every SMS sent through Twilio and what became of it (delivery reports)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class SmsMessage(Base):
    """One outgoing SMS: its Twilio sid, cost in segments, and the last status Twilio reported.

    Immediate replies have no outbox row, so this is where "what really arrived" is kept for
    every SMS; a message sent for an outbox row also names it.
    """

    __tablename__ = "sms_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    # Indexed, as every key pointing at contacts or outbox: deleting one of those rows (erasure,
    # a farewell sent) looks here for rows to update, which unindexed reads the whole table.
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"), index=True)
    encoding: Mapped[str] = mapped_column(String(8))
    segments: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
