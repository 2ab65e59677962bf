"""People, their channel addresses, centres and who administers them; conversations and traffic."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from flows.timezones import DEFAULT_TIMEZONE
from storage.models.base import Base


class Centre(Base):
    __tablename__ = "centres"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    oblast: Mapped[str] = mapped_column(String(100))
    district: Mapped[str] = mapped_column(String(100))
    settlement: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    # Quiet hours, local "HH:MM" (``flows.quiet_hours``); equal means the centre has none.
    quiet_from: Mapped[str] = mapped_column(String(5), default="21:00", server_default="21:00")
    quiet_until: Mapped[str] = mapped_column(String(5), default="09:00", server_default="09:00")
    created_at: Mapped[dt.datetime]
    # Counts its edits: with the number of centres and the highest id, it tells a process whether
    # its cached list of centres is still current (``storage.steps``).
    revision: Mapped[int] = mapped_column(default=0, server_default="0")


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str | None] = mapped_column(String(2))
    name: Mapped[str | None] = mapped_column(String(200))
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime]
    consent: Mapped[bool | None]
    consent_at: Mapped[dt.datetime | None]
    # The centre has this person's consent to be contacted with announcements (from a
    # facilitator's import); None when nobody said. Not the survey consent above.
    contact_consent: Mapped[bool | None]
    # Their village as a facilitator's import gives it (the centre may serve several); erased
    # with the name.
    settlement: Mapped[str | None] = mapped_column(String(100))
    deleted_at: Mapped[dt.datetime | None]
    # Set when this contact was joined into another (same person on two channels).
    # Indexed: every step asks whether any contact was merged into the one stepping.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)

    identities: Mapped[list[ChannelIdentity]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", passive_deletes=True
    )


class ChannelIdentity(Base):
    """An address on one channel (``telegram:<user id>``, ``tel:+7701…``) pointing at a contact."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    # The channel told us it cannot deliver (Telegram 403 "bot was blocked").
    unreachable_at: Mapped[dt.datetime | None]
    # The person asked for no messages on this address (SMS STOP) until they opt in again.
    opted_out_at: Mapped[dt.datetime | None]

    contact: Mapped[Contact] = relationship(back_populates="identities")


FACILITATOR = "facilitator"
# Spans every centre; ``centre_id`` is still set (where the person belongs), so the row, its
# unique key and the counts per centre stay as for a facilitator.
ADMINISTRATOR = "administrator"


class FacilitatorRole(Base):
    """A staff role: ``facilitator`` acts at ``centre_id`` only, ``administrator`` at every centre."""

    __tablename__ = "facilitator_roles"
    __table_args__ = (UniqueConstraint("contact_id", "centre_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32), default=FACILITATOR)
    created_at: Mapped[dt.datetime]


class Conversation(Base):
    """The engine's state for one contact, saved after every step with that step's effects."""

    __tablename__ = "conversations"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime]


class InboundMessage(Base):
    """Every accepted inbound message, kept as received; the provider id deduplicates retries.

    ``handled_at`` is set in the transaction of the step that handled it: a row without it was
    recorded (a polled Telegram update, before its offset is confirmed) but not yet handled,
    and a restarted process handles it.
    """

    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("channel", "provider_id"),
        Index("ix_inbound_unhandled", "channel", "handled_at"),
        Index("ix_inbound_messages_contact_id", "contact_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    text: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    received_at: Mapped[dt.datetime]
    handled_at: Mapped[dt.datetime | None]


# pending: due (again) at ``due_at``; sending: claimed by a sender until its lease runs out;
# then sent, failed (given up) or skipped (no longer wanted, or nobody to send it to).
OutboxStatus = Literal["pending", "sending", "sent", "failed", "skipped"]
OUTBOX_STATUSES: tuple[OutboxStatus, ...] = get_args(OutboxStatus)


class OutboxMessage(Base):
    """A message to send later (broadcast, reminder, offer): a row first, then a delivery.

    ``payload`` holds the reply as data (see ``bot.outbox``); rendering happens when sent, in
    the contact's language at that time.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "due_at"),
        # A person's replies not yet sent are looked up on every step (``bot.replies``).
        Index("ix_outbox_contact_unsent", "contact_id", "kind", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    channel: Mapped[str | None] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    due_at: Mapped[dt.datetime]
    status: Mapped[OutboxStatus] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    delivery_status: Mapped[str | None] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]
