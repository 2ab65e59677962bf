"""Forgetting people: on request with a farewell, and after the retention period in silence.

``forget_and_tell`` is what ``clc-admin contact forget`` does: it erases the person
(``storage.erasure.forget_contact``), offers the seats they freed to the next people, and
queues a farewell on each of their addresses that may still be written to (not opted out by
SMS STOP, not reported undeliverable by the channel). The addresses are erased with everything
else, so each farewell row carries its own (``bot.outbox.enqueue_farewell``) and the outbox
deletes it once sent or given up.

The retention job runs daily and forgets, one person per transaction, everyone
``storage.retention`` finds expired. It tells nobody: a message out of the blue after two
silent years would be noise at best, and a text to a number that may have changed hands.
It logs counts and contact ids only.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import Feature
from bot.features.courses import offer_seats
from bot.outbox import FAREWELL, OutboxKind, enqueue_farewell, reachable
from bot.scheduler import JobContext, PeriodicJob
from flows.errors import Refused
from flows.events import N_, Msg, Reply
from storage import audit, contacts, retention
from storage.contacts import live_contact
from storage.db import Database
from storage.erasure import Forgotten, forget_contact
from storage.models import ChannelIdentity, OutboxMessage
from storage.surveys import same_person

log = logging.getLogger(__name__)
RETENTION_JOB = "retention"
DAY_SECONDS = 24 * 60 * 60
# How long a farewell may wait for a process that serves its channel.
FAREWELL_KEPT = dt.timedelta(days=7)
FAREWELL_TEXT = N_(
    "Your personal data has been deleted from the Community Learning Centre bot. "
    "If you write again, we start afresh."
)


async def forget_and_tell(
    session: AsyncSession, contact_id: int, now: dt.datetime, reason: str | None = None, *, tell: bool = True,
    actor: str = "system",
) -> Forgotten:
    """Erase the person, offer their freed seats, and (``tell``) queue their farewell.

    Raises ``Refused`` for a contact that does not exist.
    """
    try:
        person = await live_contact(session, contact_id)
        if session.bind.dialect.name != "sqlite":  # a step of theirs in progress finishes first
            person = await contacts.lock_contact(session, person.id)
    except LookupError:
        raise Refused(f"contact {contact_id} does not exist") from None
    if person.deleted_at is not None:
        raise Refused(f"contact {contact_id} was already forgotten")
    people = await same_person(session, person.id)
    identities = (
        await session.scalars(select(ChannelIdentity).where(ChannelIdentity.contact_id.in_(people)))
    ).all()
    addresses = [(i.channel, i.address) for i in identities if reachable(i)]
    language = person.language
    forgotten = await forget_contact(session, person.id, now, reason, actor=actor)
    await offer_seats(session, forgotten.offers, now)
    if tell:  # queued after the erasure, which deletes every outbox row of the person
        farewell = Reply(body=(Msg(FAREWELL_TEXT),))
        for channel, address in addresses:
            await enqueue_farewell(session, contact_id=person.id, channel=channel, address=address,
                                   language=language, replies=[farewell], now=now)
    return forgotten


async def drop_stale_farewells(session: AsyncSession, now: dt.datetime) -> int:
    """Farewells still queued after ``FAREWELL_KEPT`` (no process serves their channel, say):
    their rows hold the forgotten person's address, so they go unsent rather than stay."""
    result = await session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.kind == FAREWELL, OutboxMessage.created_at < now - FAREWELL_KEPT)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def forget_expired(db: Database, now: dt.datetime, days: int) -> list[int]:
    """Forget everyone whose data the retention rule says is due; the ids forgotten."""
    async with db.transaction() as session:
        dropped = await drop_stale_farewells(session, now)
        candidates = await retention.expired_contacts(session, now, days)
    if dropped:
        log.warning("retention: %d farewell(s) never sent in %s, dropped with their addresses", dropped,
                    FAREWELL_KEPT)
    forgotten: list[int] = []
    for contact_id in candidates:
        try:
            async with db.transaction() as session:
                # Waits for a step of this person in progress, which holds the same lock
                # (PostgreSQL; SQLite has one writer), then looks again: a message just now
                # keeps their data, and a step after this one meets an erased contact and
                # starts afresh (bot.dispatcher).
                if not db.is_sqlite:
                    await contacts.lock_contact(session, contact_id)
                if not await retention.still_expired(session, contact_id, now, days):
                    continue
                await forget_and_tell(session, contact_id, now, tell=False, actor=audit.SYSTEM_RETENTION)
        except Exception:  # one person's failure must not keep everyone else's data
            log.exception("retention: contact %s could not be forgotten; tried again tomorrow", contact_id)
            continue
        forgotten.append(contact_id)
    if candidates:
        log.info("retention: %d of %d expired contacts forgotten (%d days): %s", len(forgotten),
                 len(candidates), days, forgotten)
    return forgotten


def privacy_feature(retention_days: int = retention.DEFAULT_RETENTION_DAYS) -> Feature:
    """The daily retention job and the farewell's outbox kind."""

    async def run(ctx: JobContext) -> list[int]:
        return await forget_expired(ctx.db, ctx.clock(), retention_days)

    return Feature(
        name="privacy",
        jobs=(PeriodicJob(RETENTION_JOB, DAY_SECONDS, run),),
        outbox_kinds=(OutboxKind(FAREWELL),),
    )
