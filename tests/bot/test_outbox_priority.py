"""Queued messages go most urgent first, many at once at the channel's pace: an offer due
while a village-wide broadcast drains waits behind at most a window of it, and the
broadcast meets no 429 from the fake Bot API enforcing Telegram's limits (scaled)."""

from __future__ import annotations

import asyncio

from bot.channels.telegram_pacer import PacerLimits, TelegramPacer
from bot.clock import FakeClock
from bot.i18n import Catalogs
from bot.outbox import OutboxKind, OutboxSender, Priority
from bot.outbox.sender import WINDOW
from storage.db import Database
from tests.bot.fakes.telegram_api import ApiLimits, FakeTelegram
from tests.bot.outbox_crowd import (
    BULK,
    FIRST_CHAT,
    KINDS,
    URGENT,
    people_on_telegram,
    queue_each,
    telegram_sender,
)
from tests.bot.test_outbox import RecordingSender, status_of
from tests.built import FLOWS

BROADCAST = 300
# Four times Telegram's limits on both sides: the pacer's pace is the fake's, so any jitter the
# pacer let through would be a 429 here.
SCALE = 4


async def test_the_most_urgent_kind_is_claimed_first_then_the_earliest_due(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    normal = OutboxKind("test-normal")
    kinds = [*KINDS, normal]
    contacts = await people_on_telegram(database, clock, 3)
    bulk = await queue_each(database, clock, contacts, BULK, "bulk")
    clock.advance(minutes=1)
    notices = await queue_each(database, clock, contacts, "test-normal", "notice")
    clock.advance(minutes=1)
    offers = await queue_each(database, clock, contacts, URGENT, "offer")
    outbox = OutboxSender(database, catalogs, {"telegram": RecordingSender("telegram")}, kinds=kinds,
                          flows=FLOWS, clock=clock)
    assert [row.id for row in await outbox._claim(4)] == [*offers, notices[0]]
    assert [row.id for row in await outbox._claim(4)] == [*notices[1:], *bulk[:2]]
    assert Priority.URGENT < normal.priority < Priority.BULK


async def test_an_offer_queued_during_a_broadcast_overtakes_it_and_nothing_meets_a_429(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FakeTelegram(limits=ApiLimits().scaled(SCALE))
    villagers = await people_on_telegram(database, clock, BROADCAST + 1)
    await queue_each(database, clock, villagers[:BROADCAST], BULK, "Ярмарка в субботу")
    async with telegram_sender(fake, TelegramPacer(PacerLimits().scaled(SCALE))) as sender:
        outbox = OutboxSender(database, catalogs, {"telegram": sender}, kinds=KINDS, flows=FLOWS, clock=clock)
        sending = asyncio.create_task(outbox.send_due())
        await fake.wait_for(lambda: len(fake.messages) >= 60, within=15)
        (offer,) = await queue_each(database, clock, villagers[BROADCAST:], URGENT, "Место на курсе")
        before = len(fake.messages)
        handled = await asyncio.wait_for(sending, 30)
    assert handled == BROADCAST + 1
    assert fake.too_many == 0
    order = [message.text for message in sorted(fake.messages.values(), key=lambda m: m.message_id)]
    assert order.count("Ярмарка в субботу") == BROADCAST and order.count("Место на курсе") == 1
    # Claimed at the next refill (half a window) and behind at most a window in the pacer.
    assert order.index("Место на курсе") - before <= WINDOW + WINDOW // 2
    assert fake.texts(FIRST_CHAT + BROADCAST) == ["Место на курсе"]
    assert (await status_of(database, offer)).status == "sent"
