"""The outbox at Telegram's real limits: how close to 30 messages a second it sends a broadcast.

Bounded: ``CLC_BENCH_OUTBOX_TELEGRAM`` (10,000) people each have one due message; one process
(SQLite) sends them all through the real Telegram sender and pacer (30/s overall, 1/s a chat
after a burst of 3) to the fake Bot API on 127.0.0.1 enforcing Telegram's limits (30/s, burst
10; 429 beyond). Prints the rate Telegram accepted against the limit, the 429s, how long an
offer queued halfway waited, and the process's peak memory (``ru_maxrss``; tracemalloc would
slow the very loop being measured).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import resource
import tempfile
import time
from pathlib import Path

from bench.table import Figure
from bot.channels.telegram import TELEGRAM_LIMITS
from bot.channels.telegram_pacer import TelegramPacer
from bot.clock import FakeClock
from bot.i18n import Catalogs
from bot.outbox import OutboxSender
from storage.db import Database
from storage.migrate import upgrade_database
from tests.bot.fakes.telegram_api import ApiLimits, FakeTelegram
from tests.bot.outbox_crowd import BULK, KINDS, URGENT, people_on_telegram, queue_each, telegram_sender
from tests.built import FLOWS

MESSAGES = int(os.environ.get("CLC_BENCH_OUTBOX_TELEGRAM", "10000"))
NEWS, OFFER = "Ярмарка ремёсел в субботу", "Место на курсе"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


async def offer_halfway(
    fake: FakeTelegram, db: Database, clock: FakeClock, contact: int, messages: int
) -> float:
    """Queue an urgent offer once half the broadcast is out; seconds until Telegram had it."""
    await fake.wait_for(lambda: len(fake.messages) >= messages // 2, within=messages)
    await queue_each(db, clock, [contact], URGENT, OFFER)
    queued = time.perf_counter()
    await fake.wait_for(lambda: any(m.text == OFFER for m in fake.messages.values()), within=600)
    return time.perf_counter() - queued


async def measure_outbox_rate(messages: int = MESSAGES) -> list[Figure]:
    if messages <= 0:
        return []
    fake = FakeTelegram(limits=ApiLimits())
    clock = FakeClock(dt.datetime.now(dt.UTC))  # not moved: every row is due, none goes stale
    before = peak_mib()
    with tempfile.TemporaryDirectory() as folder:
        db = Database.from_url(f"sqlite+aiosqlite:///{Path(folder) / 'outbox.db'}")
        await upgrade_database(db.engine)
        people = await people_on_telegram(db, clock, messages + 1)
        enqueuing = time.perf_counter()
        await queue_each(db, clock, people[:messages], BULK, NEWS)
        enqueued = time.perf_counter() - enqueuing
        async with telegram_sender(fake, TelegramPacer(TELEGRAM_LIMITS)) as sender:
            outbox = OutboxSender(db, Catalogs.load(), {"telegram": sender}, kinds=KINDS, flows=FLOWS,
                                  clock=clock)
            started = time.perf_counter()
            offer = asyncio.create_task(offer_halfway(fake, db, clock, people[-1], messages))
            handled = await outbox.send_due()
            elapsed = time.perf_counter() - started
            waited = await offer
        await db.dispose()
    sends = sorted(t for times in fake.sends.values() for t in times)
    rate = (len(sends) - 1) / (sends[-1] - sends[0]) if len(sends) > 1 else 0.0
    limit = TELEGRAM_LIMITS.overall_per_second
    return [Figure("Outbox: a broadcast through the fake Bot API at Telegram's limits (SQLite)",
                   f"{messages:,} messages", {
                       "sent": f"{handled:,} in {elapsed:.0f} s", "rate / allowed": f"{rate / limit:.1%}",
                       "429s": str(fake.too_many), "time to enqueue": f"{enqueued:.1f} s",
                       "urgent offer queued halfway waited": f"{waited:.1f} s",
                       "peak RSS (with the fake's messages)":
                           f"{peak_mib():.0f} MiB ({peak_mib() - before:+.0f})"})]
