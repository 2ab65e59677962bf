"""The outbox at Telegram's real limits: how close to 30 messages a second it sends a broadcast.

Bounded: ``CLC_BENCH_OUTBOX_TELEGRAM`` (10,000) people each have one due message in a SQLite
file; a process of its own (``bench.outbox_sender_process``) sends them all through the real
Telegram sender and pacer (30/s overall, 1/s a chat after a burst of 3) to the fake Bot API,
served on 127.0.0.1 by this process, enforcing Telegram's limits (30/s, burst 10; 429 beyond).
Prints the rate Telegram accepted against the limit, the 429s, how long an offer this process
queued halfway waited, and the sender's own resident memory before sending and at its peak
(Linux's ``VmHWM``; tracemalloc would slow the very loop being measured). The fake keeps every
message it receives and the seeding's objects stay here, so neither counts in the sender's figure.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.table import Figure
from bot.channels.telegram import TELEGRAM_LIMITS
from bot.clock import FakeClock
from storage.db import Database
from storage.migrate import upgrade_database
from tests.bot.fakes.server import serving
from tests.bot.fakes.telegram_api import ApiLimits, FakeTelegram
from tests.bot.outbox_crowd import BULK, URGENT, centre_without_quiet_hours, people_on_telegram, queue_each

MESSAGES = int(os.environ.get("CLC_BENCH_OUTBOX_TELEGRAM", "10000"))
NEWS, OFFER = "Ярмарка ремёсел в субботу", "Место на курсе"
REPO = Path(__file__).resolve().parent.parent


async def offer_halfway(
    fake: FakeTelegram, db: Database, clock: FakeClock, contact: int, messages: int
) -> float:
    """Queue an urgent offer once half the broadcast is out; seconds until Telegram had it."""
    await fake.wait_for(lambda: len(fake.messages) >= messages // 2, within=messages)
    await queue_each(db, clock, [contact], URGENT, OFFER)
    queued = time.perf_counter()
    await fake.wait_for(lambda: any(m.text == OFFER for m in fake.messages.values()), within=600)
    return time.perf_counter() - queued


async def sender_process(db_url: str, api_url: str, token: str, clock: FakeClock,
                         within: float) -> dict[str, Any]:
    """Run ``bench.outbox_sender_process`` once; its JSON line. Killed after ``within`` seconds."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.outbox_sender_process", db_url, api_url, token, clock().isoformat(),
        cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(child.communicate(), within)
    except TimeoutError:
        raise RuntimeError(f"the outbox sender process did not finish in {within:.0f} s; killed") from None
    finally:
        if child.returncode is None:  # timed out or cancelled: no sender left behind
            child.kill()
            await child.wait()
    lines = out.decode().strip().splitlines()
    if child.returncode != 0 or not lines:
        raise RuntimeError(f"the outbox sender process failed (exit {child.returncode}):\n"
                           f"{err.decode()[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


async def measure_outbox_rate(messages: int = MESSAGES) -> list[Figure]:
    if messages <= 0:
        return []
    fake = FakeTelegram(limits=ApiLimits())
    # Not moved here; the sender moves its own only past a 429's pause: every row is due.
    clock = FakeClock(dt.datetime.now(dt.UTC))
    with tempfile.TemporaryDirectory() as folder:
        db_url = f"sqlite+aiosqlite:///{Path(folder) / 'outbox.db'}"
        db = Database.from_url(db_url)
        await upgrade_database(db.engine)
        people = await people_on_telegram(db, clock, messages + 1,
                                          centre_id=await centre_without_quiet_hours(db, clock))
        enqueuing = time.perf_counter()
        await queue_each(db, clock, people[:messages], BULK, NEWS)
        enqueued = time.perf_counter() - enqueuing
        async with serving(fake.app()) as api_url:
            offer = asyncio.create_task(offer_halfway(fake, db, clock, people[-1], messages))
            try:
                sent = await sender_process(db_url, api_url, fake.token, clock, within=messages / 20 + 300)
            except BaseException:
                offer.cancel()
                raise
            waited = await asyncio.wait_for(offer, 60)  # the sender is done: the offer was sent
        await db.dispose()
    sends = sorted(t for times in fake.sends.values() for t in times)
    rate = (len(sends) - 1) / (sends[-1] - sends[0]) if len(sends) > 1 else 0.0
    limit = TELEGRAM_LIMITS.overall_per_second
    return [Figure("Outbox: a broadcast through the fake Bot API at Telegram's limits (SQLite)",
                   f"{messages:,} messages", {
                       # What Telegram accepted: rows a 429 put back are handled twice by the sender.
                       "sent": f"{len(sends):,} in {sent['elapsed_seconds']:.0f} s",
                       "rate / allowed": f"{rate / limit:.1%}",
                       "429s": str(fake.too_many), "time to enqueue": f"{enqueued:.1f} s",
                       "urgent offer queued halfway waited": f"{waited:.1f} s",
                       "sender's peak RSS": f"{sent['peak_rss_mib']:.0f} MiB "
                                            f"(at start {sent['rss_at_start_mib']:.0f} MiB)"})]
