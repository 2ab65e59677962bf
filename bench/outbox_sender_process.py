"""One outbox run in a process of its own, for ``bench.outbox_rate``: its memory is the sender's alone.

    python -m bench.outbox_sender_process DB_URL API_BASE_URL TOKEN CLOCK_ISO

Builds the Telegram sender of ``tests/bot/outbox_crowd.py`` (a real ExtBot paced at Telegram's
limits) on the Bot API served at ``API_BASE_URL``, runs ``OutboxSender.send_due()`` on the
database at ``DB_URL`` with the clock stopped at ``CLOCK_ISO`` (the instant the rows were queued
at, so every one is due and none goes stale; moved on only by the length of a 429's pause, which
is waited out and sending resumed), and prints one JSON line: the rows handled, the
seconds it took, the resident memory just before sending and the process's peak.

The peak is Linux's ``VmHWM`` (``/proc/self/status``), not ``ru_maxrss``: at ``exec`` Linux
carries the peak of the process that started the child into the child's ``ru_maxrss`` (measured:
a child of a 319 MiB process reported 319 MiB while 11 MiB was resident), and the benchmark's
parent holds the fake Bot API's messages. ``VmHWM`` is this program's own high-water mark.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
import time
from pathlib import Path

from bot.channels.telegram import TELEGRAM_LIMITS
from bot.channels.telegram_pacer import TelegramPacer
from bot.clock import FakeClock
from bot.i18n import Catalogs
from bot.outbox import OutboxSender
from storage.db import Database
from tests.bot.outbox_crowd import KINDS, telegram_sender_at
from tests.built import FLOWS

MAX_PAUSES = 100  # bounded: a fake that kept answering 429 would otherwise keep the run going
USAGE = "usage: python -m bench.outbox_sender_process DB_URL API_BASE_URL TOKEN CLOCK_ISO"


def memory_mib(field: str) -> float:
    """``VmRSS`` (resident now) or ``VmHWM`` (peak resident) of this process, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name == field:
            return int(value.split()[0]) / 1024  # "123456 kB"
    raise RuntimeError(f"no {field} in /proc/self/status (Linux only)")


def stopped_clock(iso: str) -> FakeClock:
    instant = dt.datetime.fromisoformat(iso)
    if instant.tzinfo is None:
        raise ValueError(f"CLOCK_ISO {iso!r} has no time zone; the rows were queued in UTC")
    return FakeClock(instant)


async def send_once(db_url: str, api_url: str, token: str, clock: FakeClock) -> dict[str, float]:
    db = Database.from_url(db_url)
    try:
        async with telegram_sender_at(api_url, token, TelegramPacer(TELEGRAM_LIMITS)) as sender:
            outbox = OutboxSender(db, Catalogs.load(), {"telegram": sender}, kinds=KINDS, flows=FLOWS,
                                  clock=clock)
            at_start = memory_mib("VmRSS")  # imported, catalogs loaded, bot connected: nothing sent
            started = time.perf_counter()
            handled = await outbox.send_due()
            # A 429 pauses the channel and ends that send_due with rows left (the service's ticker
            # calls it again): wait the pause out, in real time and on the stopped clock, and go on.
            for _ in range(MAX_PAUSES):
                until = outbox.pauses.until("telegram")
                if until is None:
                    break
                wait = max(0.0, (until - clock()).total_seconds())
                await asyncio.sleep(wait)
                clock.advance(seconds=wait)
                handled += await outbox.send_due()
            elapsed = time.perf_counter() - started
    finally:
        await db.dispose()
    return {"handled": handled, "elapsed_seconds": elapsed, "rss_at_start_mib": at_start,
            "peak_rss_mib": memory_mib("VmHWM")}


def main(argv: list[str]) -> None:
    if len(argv) != 4:
        sys.exit(USAGE)
    db_url, api_url, token, clock_iso = argv
    result = asyncio.run(send_once(db_url, api_url, token, stopped_clock(clock_iso)))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
