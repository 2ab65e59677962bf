"""A process never holds more than a window of messages it has sent and not yet recorded: a
kill repeats exactly those. While a batch's outcomes are being recorded (slowly: SQLite's writer
is busy with villagers' steps), the sends in flight finish; they count against the window until
recorded, so no new batch is claimed on top of them (it was: up to twice the window, 90
repeats after one kill in the crash benchmark)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest

import bot.outbox.sender as sender_module
from bot.clock import FakeClock
from bot.i18n import Catalogs, Translator
from bot.outbox import OutboxSender
from flows.events import Reply
from storage.db import Database
from tests.bot.outbox_crowd import BULK, KINDS, people_on_telegram, queue_each
from tests.bot.test_outbox import RecordingSender
from tests.built import FLOWS

MESSAGES = 300


async def test_sent_and_unrecorded_never_exceed_the_window(
    database: Database, catalogs: Catalogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))
    await queue_each(database, clock, await people_on_telegram(database, clock, MESSAGES), BULK, "Жиналыс")
    delivered: set[str] = set()
    recorded: set[str] = set()
    most = [0]
    telegram = RecordingSender("telegram")
    send = telegram.send

    async def counted_send(address: str, replies: Sequence[Reply], tr: Translator, **options: Any) -> list[str]:
        for _ in range(int(address.rsplit(":", 1)[1]) % 7):  # sends take their time, unevenly
            await asyncio.sleep(0)
        parts = await send(address, replies, tr, **options)
        delivered.add(address)
        most[0] = max(most[0], len(delivered - recorded))
        return parts

    record = sender_module.store.record

    async def slow_record(db: Database, outcomes: Sequence[Any], **options: Any) -> None:
        for _ in range(50):  # the writer is busy: every send in flight finishes meanwhile
            await asyncio.sleep(0)
        await record(db, outcomes, **options)
        recorded.update(outcome.parts[1] for outcome in outcomes if outcome.parts)

    monkeypatch.setattr(telegram, "send", counted_send)
    monkeypatch.setattr(sender_module.store, "record", slow_record)
    outbox = OutboxSender(database, catalogs, {"telegram": telegram}, kinds=KINDS, flows=FLOWS, clock=clock)
    assert await outbox.send_due() == MESSAGES
    assert len(delivered) == MESSAGES and recorded == delivered
    assert most[0] <= sender_module.WINDOW, most[0]
