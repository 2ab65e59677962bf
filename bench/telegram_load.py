"""Telegram under load: villagers all at once, Telegram's real flood limits on both sides.

Bounded: ``CLC_BENCH_TELEGRAM_VILLAGERS`` (200) villagers each say /start and press «Русский»
(four messages and one button answer each) through the real channel. The fake Bot API enforces
30 messages/s overall and 1/s a chat after a burst of 4, answering 429 beyond; the channel's
pacer keeps 30/s and 1/s after a burst of 3. Prints what the villagers saw (answered,
apologies), what Telegram saw (sends per second overall and per chat, 429s) and how long the
answers waited. SQLite only: the pacer is per process and knows nothing of the database.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bot.channels.telegram_pacer import PacerLimits
from bot.channels.telegram_render import message_text
from bot.dispatcher import Dispatcher, apology
from bot.i18n import Catalogs
from storage.db import Database
from storage.migrate import upgrade_database
from tests.bot.fakes.server import serving
from tests.bot.fakes.telegram_api import ApiLimits, FakeTelegram
from tests.bot.telegram_harness import ObservedChannel
from tests.built import FEATURES

VILLAGERS = int(os.environ.get("CLC_BENCH_TELEGRAM_VILLAGERS", "200"))
ANSWERS = 3  # after pressing «Русский»: the confirmation, the name question, the menu
WITHIN = 300.0  # seconds a villager waits for an answer before counting as unanswered


async def villager(fake: FakeTelegram, user_id: int, language: str, waits: list[float]) -> None:
    started = time.perf_counter()
    fake.user_sends(user_id, "/start", language=language)
    greeting, *_ = await fake.wait_messages(user_id, 1, within=WITHIN)
    pressed = time.perf_counter()
    waits.append(pressed - started)
    fake.user_presses(user_id, greeting, greeting.button("Русский"), language=language)
    await fake.wait_messages(user_id, 1 + ANSWERS, within=WITHIN)
    waits.append(time.perf_counter() - pressed)


def most_in_a_second(times: Sequence[float]) -> int:
    ordered, most, first = sorted(times), 0, 0
    for last, now in enumerate(ordered):
        while now - ordered[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


async def measure_telegram_load() -> None:
    if VILLAGERS <= 0:
        return
    catalogs = Catalogs.load()
    fake = FakeTelegram(limits=ApiLimits())
    people = {9000 + n: ("kk" if n % 2 else "ru") for n in range(VILLAGERS)}
    waits: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        db = Database.from_url(f"sqlite+aiosqlite:///{Path(folder) / 'telegram.db'}")
        await upgrade_database(db.engine)
        async with serving(fake.app()) as api_url:
            channel = ObservedChannel(
                token=fake.token, dispatcher=Dispatcher(db, FEATURES), catalogs=catalogs, db=db,
                api_url=api_url, poll_timeout=1, pacer_limits=PacerLimits(),
            )
            await channel.start()
            started = time.perf_counter()
            try:
                outcomes = await asyncio.gather(
                    *(villager(fake, uid, lang, waits) for uid, lang in people.items()),
                    return_exceptions=True,
                )
            finally:
                elapsed = time.perf_counter() - started
                await channel.stop()
        await db.dispose()
    sorry = {message_text(apology(), catalogs.translator(language)) for language in ("kk", "ru")}
    sends = [t for times in fake.sends.values() for t in times]
    q = statistics.quantiles(waits, n=100) if len(waits) > 1 else [0.0] * 99
    print(f"telegram   {VILLAGERS} villagers: {sum(o is None for o in outcomes)} answered, "
          f"{sum(m.text in sorry for m in fake.messages.values())} apologies, {len(fake.messages)} messages "
          f"in {elapsed:.1f} s ({len(fake.messages) / elapsed:.1f}/s, at most {most_in_a_second(sends)} "
          f"in a second), {fake.too_many} x 429, per chat at most "
          f"{max((most_in_a_second(t) for t in fake.sends.values()), default=0)} in a second; "
          f"an answer waited p50 {q[49]:.1f} s, p95 {q[94]:.1f} s, max {max(waits, default=0):.1f} s")
