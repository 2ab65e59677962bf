"""Many people with one queued message each, and the real Telegram sender against the fake."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from bot.channels.telegram import TelegramChannel, TelegramSender
from bot.channels.telegram_pacer import PacerLimits
from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.i18n import Catalogs
from bot.outbox import OutboxKind, Priority, enqueue
from flows.events import Localized, Reply
from storage.db import Database
from storage.models import ChannelIdentity, Contact
from tests.bot.fakes.server import serving
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.built import FEATURES

BULK, URGENT = "test-bulk", "test-urgent"
KINDS = (*FEATURES.outbox_kinds, OutboxKind(BULK, priority=Priority.BULK),
         OutboxKind(URGENT, priority=Priority.URGENT))
FIRST_CHAT = 90000


def news(text: str) -> Reply:
    return Reply(body=(Localized(text, text),))


async def people_on_telegram(database: Database, clock: FakeClock, count: int, first: int = FIRST_CHAT) -> list[int]:
    """``count`` Russian speakers reachable at telegram:first, first+1, ...; their contact ids."""
    ids: list[int] = []
    async with database.transaction() as session:
        for n in range(count):
            contact = Contact(created_at=clock(), language="ru")
            session.add(contact)
            await session.flush()
            session.add(ChannelIdentity(contact_id=contact.id, channel="telegram", address=f"telegram:{first + n}",
                                        created_at=clock()))
            ids.append(contact.id)
    return ids


async def queue_each(database: Database, clock: FakeClock, contact_ids: Sequence[int], kind: str,
                     text: str) -> list[int]:
    async with database.transaction() as session:
        return [(await enqueue(session, contact_id=contact_id, replies=[news(text)], kind=kind, now=clock())).id
                for contact_id in contact_ids]


@asynccontextmanager
async def telegram_sender(fake: FakeTelegram, database: Database, catalogs: Catalogs, clock: FakeClock,
                          limits: PacerLimits) -> AsyncIterator[TelegramSender]:
    """The real channel's sender (its pacer included), not polling: only the outbox sends."""
    async with serving(fake.app()) as api_url:
        channel = TelegramChannel(token=fake.token, dispatcher=Dispatcher(database, FEATURES, clock=clock),
                                  catalogs=catalogs, db=database, api_url=api_url, clock=clock, pacer_limits=limits)
        await channel.app.initialize()
        try:
            yield channel.sender
        finally:
            await channel.app.shutdown()
