"""Many people with one queued message each, and the real Telegram sender against the fake."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.channels.telegram import TelegramSender
from bot.channels.telegram_pacer import TelegramPacer
from bot.clock import FakeClock
from bot.outbox import OutboxKind, Priority, enqueue
from flows.events import Localized, Reply
from flows.quiet_hours import NO_QUIET_HOURS
from storage.centres import set_quiet_hours
from storage.db import Database
from storage.models import Centre, ChannelIdentity, Contact
from tests.bot.fakes.server import serving
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.built import FEATURES

BULK, URGENT = "test-bulk", "test-urgent"
KINDS = (*FEATURES.outbox_kinds, OutboxKind(BULK, priority=Priority.BULK),
         OutboxKind(URGENT, priority=Priority.URGENT))
FIRST_CHAT = 90000


def news(text: str) -> Reply:
    return Reply(body=(Localized(text, text),))


async def centre_without_quiet_hours(database: Database, clock: FakeClock) -> int:
    """A centre whose people get bulk messages at any hour: a test or benchmark on the real
    clock would otherwise wait for the morning at night, as a broadcast must (quiet hours)."""
    async with database.transaction() as session:
        centre = Centre(slug="round-the-clock", name_kk="Ақсу", name_ru="Аксу", oblast="Алматы",
                        district="Еңбекшіқазақ", settlement="Ақсу", timezone="Asia/Almaty", created_at=clock())
        set_quiet_hours(centre, NO_QUIET_HOURS)
        session.add(centre)
        await session.flush()
        return centre.id


async def people_on_telegram(database: Database, clock: FakeClock, count: int, first: int = FIRST_CHAT,
                             centre_id: int | None = None) -> list[int]:
    """``count`` Russian speakers reachable at telegram:first, first+1, ...; their contact ids."""
    ids: list[int] = []
    async with database.transaction() as session:
        for n in range(count):
            contact = Contact(created_at=clock(), language="ru", centre_id=centre_id)
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
async def telegram_sender(fake: FakeTelegram, pacer: TelegramPacer) -> AsyncIterator[TelegramSender]:
    """The Telegram channel's outbox sender on a real ExtBot paced by ``pacer``; enough
    connections that only the pacer holds calls back."""
    async with serving(fake.app()) as url, telegram_sender_at(url, fake.token, pacer) as sender:
        yield sender


@asynccontextmanager
async def telegram_sender_at(url: str, token: str, pacer: TelegramPacer) -> AsyncIterator[TelegramSender]:
    """``telegram_sender`` on a Bot API already served at ``url`` (e.g. by another process)."""
    request = HTTPXRequest(connection_pool_size=128, pool_timeout=30)
    bot: ExtBot[Any] = ExtBot(token, base_url=f"{url}/bot", request=request, rate_limiter=pacer)
    async with bot:
        yield TelegramSender(bot)
