"""``clc-bot run`` for the benchmarks: the same service, with Telegram's pacing lifted (x100).

With Telegram's own limits (30 messages a second, 1 a second a chat) the pacer, not the bot,
would set the pace of a benchmark that wants the bot's own cost per step; the bare echo bot it
is compared with has no pacer at all. Everything else is ``bot.service.run_service``.

    python -m bench.bot_process [--webhook URL]   (settings from the CLC_* environment)
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import sys

import bot.channels.telegram as telegram
from bot.service import run_service
from bot.settings import Settings

telegram.TELEGRAM_LIMITS = telegram.TELEGRAM_LIMITS.scaled(100)


def main(argv: list[str]) -> None:
    webhook = argv[argv.index("--webhook") + 1] if "--webhook" in argv else None
    profile = os.environ.get("CLC_BENCH_PROFILE")  # a file: cProfile statistics of the whole run
    if profile is None:
        asyncio.run(run_service(Settings(), webhook_url=webhook))
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        asyncio.run(run_service(Settings(), webhook_url=webhook))
    finally:
        profiler.disable()
        profiler.dump_stats(profile)


if __name__ == "__main__":
    main(sys.argv[1:])
