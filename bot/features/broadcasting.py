"""Broadcasts, the bot's half (issue 16): the preview with its SMS cost, queueing one outbox
row per recipient, the check made just before each is sent, and the job that sends scheduled
broadcasts when their time comes.

The API the CLI (``clc-admin broadcast``) and the in-bot ``/announce`` flow share:

* ``storage.broadcasts.create_broadcast(session, centre_id=, texts=Localized(kk, ru),
  audience=flows.audience.Audience(...), send_at=None|UTC, actor=, now=) -> id``
* ``preview(session, broadcast_id, catalogs, centre_ids=None) -> Preview``
* ``send_now(session, broadcast_id, now, actor=, centre_ids=None) -> Queued``
* ``storage.broadcasts.cancel_broadcast(session, broadcast_id, centre_ids, actor=, now=)``
* ``storage.broadcasts.report(session, row) -> Report``

Each recipient's row has no channel unless the audience chose one, so the outbox picks the
person's preferred reachable channel and their language when it sends (rate limits, quiet
hours, opt-out checked then); the rows are ``BULK``: replies, offers and reminders go first.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.sms_render import render_sms
from bot.channels.sms_segments import SegmentCount
from bot.i18n import Catalogs
from bot.outbox import Awaits, OutboxKind, Priority, enqueue
from bot.outbox.rows import CHANNEL_PREFERENCE
from bot.scheduler import JobContext
from flows.audience import LANGUAGES, Audience, wants_no_contact
from flows.courses.announced import (
    announced_context,
    announced_course,
    announced_data,
    announcement_reply,
    course_news,
)
from flows.courses.browse import COURSES
from flows.errors import DataError, Refused
from flows.events import Localized, Reply
from storage import audit
from storage import broadcasts as repo
from storage.audiences import Recipient, Selection, needs_profiles, select_audience
from storage.centres import centre_zone
from storage.models import Centre, Contact
from storage.models.broadcasts import Broadcast, BroadcastRecipient
from storage.models.courses import Course, CourseSession

log = logging.getLogger(__name__)

KIND = "broadcast"
PAYLOAD = "broadcast"
RECIPIENT = "recipient"  # the contact it was queued for, checked again before sending
SMS = "sms"  # the channel whose segments cost money (bot.channels.addresses names it too)


@dataclass(frozen=True)
class SmsCost:
    text: str  # as it will be sent
    count: SegmentCount  # of one message


@dataclass(frozen=True)
class Preview:
    broadcast_id: int
    by_channel: Mapping[str, int]
    by_language: Mapping[str, int]
    sms: Mapping[str, SmsCost]  # per language
    total_segments: int  # over every SMS recipient: the cost driver
    skipped: Mapping[str, int]

    @property
    def recipients(self) -> int:
        return sum(self.by_channel.values())


@dataclass(frozen=True)
class Queued:
    queued: int
    skipped: Mapping[str, int]


def message(texts: Localized, audience: Audience) -> Reply:
    """What each recipient gets: the text, and "Enrol" when it announces a course."""
    course_id = audience.course_of_announcement
    if course_id is None:
        return Reply(body=(texts,))
    return announcement_reply(texts, course_id)


def reply_of(row: Broadcast) -> Reply:
    return message(Localized(row.text_kk, row.text_ru), repo.audience_of(row))


def awaits_of(reply: Reply) -> Awaits | None:
    """A course announcement is a question: once delivered, "1" (or the word) answers it."""
    course_id = announced_course(reply.context or "")
    if course_id is None:
        return None
    return Awaits(COURSES.name, announced_data(course_id), announced_context(course_id))


async def course_news_texts(session: AsyncSession, course_id: int, catalogs: Catalogs) -> Localized:
    """The default text of a course announcement, in each language, dates in the centre's zone."""
    course = await session.get(Course, course_id)
    centre = await session.get(Centre, course.centre_id) if course is not None else None
    if course is None or centre is None:
        raise DataError(f"no course {course_id}")
    sessions = (await session.scalars(select(CourseSession).where(
        CourseSession.course_id == course_id).order_by(CourseSession.starts_at))).all()
    first, last = (sessions[0], sessions[-1]) if sessions else (None, None)
    lines = course_news(Localized(course.title_kk, course.title_ru),
                        (first.starts_at, Localized(first.place_kk, first.place_ru)) if first else None,
                        len(sessions), last.starts_at if last else None)
    zone = centre_zone(centre)
    kk, ru = ("\n".join(catalogs.translator(language, zone).text(line) for line in lines)
              for language in LANGUAGES)
    return Localized(kk, ru)


def preferred_channel(recipient: Recipient) -> str:
    def rank(channel: str) -> int:
        return CHANNEL_PREFERENCE.index(channel) if channel in CHANNEL_PREFERENCE else len(CHANNEL_PREFERENCE)
    return min(recipient.channels, key=rank)


async def _selection(session: AsyncSession, row: Broadcast) -> Selection:
    return await select_audience(session, row.centre_id, repo.audience_of(row))


@dataclass(frozen=True)
class Counts:
    """Who an audience reaches now, by the channel each would get it on and by language, and
    what its SMS cost: the one count behind both previews (this CLI's and ``/announce``'s)."""

    by_channel: Mapping[str, int]
    by_language: Mapping[str, int]
    sms: Mapping[str, SmsCost]  # per language
    total_segments: int  # over every SMS recipient: the cost driver
    skipped: Mapping[str, Collection[int]]


async def count(
    session: AsyncSession, centre_id: int, audience: Audience, reply: Reply, catalogs: Catalogs, *,
    latin: bool = False,
) -> Counts:
    """The audience as ``send_now`` would queue it: the audience's channel, else each person's
    preferred one, and the SMS rendered as sent (``latin``: ``CLC_SMS_TRANSLITERATE``)."""
    selection = await select_audience(session, centre_id, audience)
    channel_of = {id(r): audience.channel or preferred_channel(r) for r in selection.recipients}
    channels = Counter(channel_of.values())
    languages = Counter(r.language for r in selection.recipients)
    sms_languages = Counter(r.language for r in selection.recipients if channel_of[id(r)] == SMS)
    costs: dict[str, SmsCost] = {}
    for language in LANGUAGES:
        bodies = render_sms([reply], catalogs.translator(language), latin=latin)
        text = "\n\n".join(body.body for body in bodies)
        costs[language] = SmsCost(text, _one(bodies[0].count, sum(b.count.segments for b in bodies)))
    total = sum(costs[language].count.segments * n for language, n in sms_languages.items())
    skipped: dict[str, Collection[int]] = {str(reason): ids for reason, ids in selection.skipped.items()}
    return Counts(dict(channels), dict(languages), costs, total, skipped)


async def preview(
    session: AsyncSession, broadcast_id: int, catalogs: Catalogs, centre_ids: Collection[int] | None = None,
    *, latin: bool = False,
) -> Preview:
    """Who it would reach now, by channel and language; the SMS as sent, with its cost."""
    row = await repo.get_broadcast(session, broadcast_id, centre_ids)
    found = await count(session, row.centre_id, repo.audience_of(row), reply_of(row), catalogs, latin=latin)
    return Preview(row.id, found.by_channel, found.by_language, found.sms, found.total_segments,
                   {reason: len(ids) for reason, ids in found.skipped.items()})


def _one(first: SegmentCount, segments: int) -> SegmentCount:
    return SegmentCount(first.encoding, first.units, segments)


async def send_now(
    session: AsyncSession, broadcast_id: int, now: dt.datetime, *, actor: str,
    centre_ids: Collection[int] | None = None,
) -> Queued:
    """Queue it now: one outbox row per recipient, and a recipient row for everyone the
    audience names (with why, when skipped). Refused when already sent or cancelled."""
    row = await repo.get_broadcast(session, broadcast_id, centre_ids, lock=True)
    if row.status not in ("draft", "scheduled"):
        raise Refused(f"broadcast {broadcast_id} is {row.status}; it cannot be sent again")
    selection = await _selection(session, row)
    reply = reply_of(row)
    awaits = awaits_of(reply)
    channel = repo.audience_of(row).channel
    for recipient in selection.recipients:
        queued = await enqueue(session, contact_id=recipient.contact_id, replies=[reply], kind=KIND,
                               now=now, channel=channel, awaits=awaits)
        queued.payload = {**queued.payload, PAYLOAD: row.id, RECIPIENT: recipient.contact_id}
        session.add(BroadcastRecipient(broadcast_id=row.id, contact_id=recipient.contact_id,
                                       outbox_id=queued.id))
    for reason, ids in selection.skipped.items():
        session.add_all(BroadcastRecipient(broadcast_id=row.id, contact_id=contact_id, skipped_reason=reason)
                        for contact_id in ids)
    row.status, row.queued_at = "sending", now
    skipped: dict[str, int] = {reason: len(ids) for reason, ids in selection.skipped.items()}
    await audit.record(session, at=now, actor=actor, action=repo.QUEUED, subject=repo.subject(row.id),
                       centre_id=row.centre_id, detail={
                           "audience": row.audience, "text_kk": row.text_kk, "text_ru": row.text_ru,
                           "queued": len(selection.recipients), "skipped": skipped})
    await session.flush()
    return Queued(len(selection.recipients), skipped)


async def still_wanted(session: AsyncSession, payload: Mapping[str, Any], now: dt.datetime) -> bool:
    """Not cancelled since it was queued (a cancel skips what is pending; this catches a row
    claimed by a sender at that moment), and the person has not since said "do not contact me"
    in the needs survey nor been withdrawn the centre's consent (a row held overnight by quiet
    hours may wait long). Opt-outs and unreachable addresses the outbox checks itself."""
    broadcast_id = payload.get(PAYLOAD)
    row = await session.get(Broadcast, broadcast_id) if isinstance(broadcast_id, int) else None
    if row is None or row.status == "cancelled":
        return False
    contact_id = payload.get(RECIPIENT)
    if not isinstance(contact_id, int):  # queued before the recipient was kept in the payload
        return True
    contact = await session.get(Contact, contact_id)
    if contact is None or contact.contact_consent is False:
        return False
    answers = (await needs_profiles(session, [contact_id])).get(contact_id, {})
    return not wants_no_contact(answers)


SCHEDULER = "system:scheduler"


async def broadcasts_job(ctx: JobContext) -> int:
    """Each tick: send the scheduled broadcasts whose time has come; mark finished ones sent."""
    now = ctx.clock()
    sent = 0
    async with ctx.db.transaction() as session:
        due = await repo.due_scheduled(session, now)
    for broadcast_id in due:
        try:
            async with ctx.db.transaction() as session:
                row = await repo.get_broadcast(session, broadcast_id, None, lock=True)
                if row.status == "scheduled":  # another process may have sent it meanwhile
                    await send_now(session, broadcast_id, now, actor=SCHEDULER)
                    sent += 1
        except Exception:  # one broadcast that cannot go must not hold back the ones after it
            log.exception("scheduled broadcast %s could not be sent; tried again next time", broadcast_id)
    async with ctx.db.transaction() as session:
        await repo.mark_finished(session)
    return sent


KINDS = (OutboxKind(KIND, still_wanted, Priority.BULK),)
