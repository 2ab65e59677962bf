"""Broadcasts through the outbox (issue 16): queued to the audience, each in their language on
their channel, reported with counts that match what the channels received; a scheduled one
going out at its local time by the injected clock; cancel stopping what is not yet sent; a few
hundred through the fake Bot API with Telegram's limits on and no 429."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.channels.telegram_pacer import PacerLimits, TelegramPacer
from bot.clock import FakeClock
from bot.features.broadcasting import broadcasts_job, preview, send_now
from bot.i18n import Catalogs
from bot.scheduler import JobContext
from flows.audience import Audience
from flows.events import Localized
from storage import broadcasts as repo
from storage.db import Database
from storage.models import Contact
from storage.models.audit import AuditEntry
from storage.models.broadcasts import Broadcast
from tests.bot.fakes.telegram_api import ApiLimits, FakeTelegram
from tests.bot.outbox_crowd import FIRST_CHAT, people_on_telegram, telegram_sender
from tests.bot.test_outbox import RecordingSender
from tests.built import outbox_sender
from tests.storage.broadcast_seed import Seeded, at, seed

NEWS = Localized("Жұмада жиналыс болады", "В пятницу собрание")
AFTERNOON = at(9)  # 14:00 in Almaty: outside quiet hours
EVERYONE = Audience()


async def create(database: Database, seeded: Seeded, clock: FakeClock, audience: Audience = EVERYONE,
                 send_at: dt.datetime | None = None) -> int:
    async with database.transaction() as session:
        return await repo.create_broadcast(session, centre_id=seeded.centre_id, texts=NEWS, audience=audience,
                                           send_at=send_at, actor="cli:test", now=clock())


async def report_of(database: Database, broadcast_id: int) -> repo.Report:
    async with database.transaction() as session:
        await repo.mark_finished(session)
        return await repo.report(session, await repo.get_broadcast(session, broadcast_id, None))


def senders() -> tuple[RecordingSender, RecordingSender]:
    return RecordingSender("telegram"), RecordingSender("sms")


async def test_sent_in_each_language_on_each_channel_and_reported(
    database: Database, catalogs: Catalogs
) -> None:
    clock = FakeClock(AFTERNOON)
    s = await seed(database)
    broadcast_id = await create(database, s, clock)
    async with database.transaction() as session:
        seen = await preview(session, broadcast_id, catalogs)
    assert seen.by_channel == {"telegram": 1, "sms": 3} and seen.by_language == {"kk": 3, "ru": 1}
    assert seen.skipped == {"do not contact me": 1, "no consent": 2, "opted out": 1, "unreachable": 1}
    assert seen.sms["ru"].text == NEWS.ru and seen.sms["ru"].count.segments == 1
    assert seen.total_segments == 3  # olga (ru), agreed and learner (kk): one segment each
    async with database.transaction() as session:
        queued = await send_now(session, broadcast_id, clock(), actor="cli:test")
    assert queued.queued == 4
    telegram, sms = senders()
    await outbox_sender(database, catalogs, {"telegram": telegram, "sms": sms}, clock=clock).send_due()
    assert telegram.sent == [("telegram:9000", NEWS.kk)]
    assert sorted(sms.sent) == sorted([("tel:+77015550001", NEWS.ru), ("tel:+77015550005", NEWS.kk),
                                       ("tel:+77015550008", NEWS.kk)])
    found = await report_of(database, broadcast_id)
    assert (found.status, found.recipients, found.queued, found.states["sent"]) == ("sent", 9, 4, 4)
    assert found.skipped == {"do not contact me": 1, "no consent": 2, "opted out": 1, "unreachable": 1}
    async with database.transaction() as session:
        actions = (await session.scalars(select(AuditEntry.action).where(
            AuditEntry.subject == f"broadcast:{broadcast_id}").order_by(AuditEntry.id))).all()
    assert actions == ["broadcast.created", "broadcast.queued"]


async def test_a_scheduled_broadcast_goes_at_its_local_time(database: Database, catalogs: Catalogs) -> None:
    clock = FakeClock(at(5))  # 10:00 in Almaty
    s = await seed(database)
    await create(database, s, clock, Audience(language="ru"), send_at=at(13, 30))  # 18:30 local
    ctx = JobContext(database, catalogs, clock)
    clock.now = at(13, 29)
    assert await broadcasts_job(ctx) == 0
    clock.now = at(13, 30)
    assert await broadcasts_job(ctx) == 1
    assert await broadcasts_job(ctx) == 0  # once
    telegram, sms = senders()
    await outbox_sender(database, catalogs, {"telegram": telegram, "sms": sms}, clock=clock).send_due()
    assert sms.sent == [("tel:+77015550001", NEWS.ru)] and telegram.sent == []


async def test_cancel_stops_what_is_not_yet_sent(database: Database, catalogs: Catalogs) -> None:
    clock = FakeClock(AFTERNOON)
    s = await seed(database)
    broadcast_id = await create(database, s, clock)
    async with database.transaction() as session:
        await send_now(session, broadcast_id, clock(), actor="cli:test")
    telegram, sms = senders()
    # Only Telegram is served yet: its one message goes; the three SMS wait.
    await outbox_sender(database, catalogs, {"telegram": telegram}, clock=clock).send_due()
    async with database.transaction() as session:
        assert await repo.cancel_broadcast(session, broadcast_id, None, actor="cli:test", now=clock()) == 3
    await outbox_sender(database, catalogs, {"telegram": telegram, "sms": sms}, clock=clock).send_due()
    assert len(telegram.sent) == 1 and sms.sent == []
    found = await report_of(database, broadcast_id)
    assert found.status == "cancelled" and found.states["sent"] == 1 and found.states["skipped"] == 3
    assert found.skipped["cancelled"] == 3


async def test_another_centres_facilitator_neither_sees_nor_sends_it(database: Database) -> None:
    clock = FakeClock(AFTERNOON)
    s = await seed(database)
    broadcast_id = await create(database, s, clock)
    async with database.transaction() as session:
        for attempt in (repo.get_broadcast(session, broadcast_id, {s.other_centre_id}),
                        send_now(session, broadcast_id, clock(), actor="x", centre_ids={s.other_centre_id})):
            try:
                await attempt
            except ValueError as exc:
                assert str(exc) == f"no broadcast {broadcast_id} (clc-admin broadcast list)"
            else:
                raise AssertionError("another centre's broadcast was found")
        assert await repo.list_broadcasts(session, {s.other_centre_id}) == []
        assert (await session.get(Broadcast, broadcast_id)).status == "draft"  # type: ignore[union-attr]


HUNDREDS = 300
SCALE = 6  # Telegram's limits six times faster on both sides: 180/s overall, the test ~2 s


async def test_a_few_hundred_through_the_fake_bot_api_without_a_429(
    database: Database, catalogs: Catalogs
) -> None:
    clock = FakeClock(AFTERNOON)
    s = await seed(database)
    people = await people_on_telegram(database, clock, HUNDREDS)
    async with database.transaction() as session:
        for contact in await session.scalars(select(Contact).where(Contact.id.in_(people))):
            contact.centre_id, contact.contact_consent = s.centre_id, True
    broadcast_id = await create(database, s, clock, Audience(channel="telegram"))
    async with database.transaction() as session:
        assert (await send_now(session, broadcast_id, clock(), actor="cli:test")).queued == HUNDREDS + 1
    fake = FakeTelegram(limits=ApiLimits().scaled(SCALE))
    async with telegram_sender(fake, TelegramPacer(PacerLimits().scaled(SCALE))) as sender:
        await outbox_sender(database, catalogs, {"telegram": sender}, clock=clock).send_due()
    assert fake.too_many == 0
    assert all(fake.texts(FIRST_CHAT + n) == [NEWS.ru] for n in range(HUNDREDS))
    found = await report_of(database, broadcast_id)
    received = sum(len(fake.texts(FIRST_CHAT + n)) for n in range(HUNDREDS)) + len(fake.texts(9000))
    assert found.states["sent"] == received == HUNDREDS + 1 and found.status == "sent"


async def test_consent_withdrawn_after_queuing_is_honoured_at_send_time(
    database: Database, catalogs: Catalogs
) -> None:
    """A row may wait (quiet hours, a long queue): what counts is the consent when it goes."""
    clock = FakeClock(AFTERNOON)
    s = await seed(database)
    broadcast_id = await create(database, s, clock)
    async with database.transaction() as session:
        assert (await send_now(session, broadcast_id, clock(), actor="cli:test")).queued == 4
        olga = await session.get_one(Contact, s.ids["olga"])
        olga.contact_consent = False
    telegram, sms = senders()
    await outbox_sender(database, catalogs, {"telegram": telegram, "sms": sms}, clock=clock).send_due()
    assert ("tel:+77015550001", NEWS.ru) not in sms.sent
    assert len(sms.sent) == 2 and telegram.sent == [("telegram:9000", NEWS.kk)]
