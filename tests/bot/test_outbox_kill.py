"""``clc-bot run`` killed with SIGKILL while it sends a broadcast, then started again: everyone
gets the message, and only messages in flight at the kill can arrive twice (README, Outbox:
at most ``WINDOW + FLUSH_AT`` per process)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from pathlib import Path

from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.outbox.sender import FLUSH_AT, WINDOW
from storage.db import Database
from storage.models import OutboxMessage
from tests.bot.fakes.server import serving
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.bot.outbox_crowd import FIRST_CHAT, centre_without_quiet_hours, people_on_telegram, queue_each
from tests.bot.test_kill_process import Bot

VILLAGERS = 120
NEWS = "Ярмарка ремёсел в субботу"


async def test_killed_mid_broadcast_and_restarted_everyone_is_served_duplicates_bounded(
    sqlite_url: str, tmp_path: Path
) -> None:
    db = Database.from_url(sqlite_url)
    try:
        clock = FakeClock(dt.datetime.now(dt.UTC))  # the service runs on the real clock
        centre = await centre_without_quiet_hours(db, clock)
        people = await people_on_telegram(db, clock, VILLAGERS, centre_id=centre)
        await queue_each(db, clock, people, "test-bulk", NEWS)
    finally:
        await db.dispose()
    fake = FakeTelegram()
    chats = [FIRST_CHAT + n for n in range(VILLAGERS)]
    async with serving(fake.app()) as api_url:
        env = {**os.environ, "CLC_DATABASE_URL": sqlite_url, "CLC_TELEGRAM_TOKEN": fake.token,
               "CLC_TELEGRAM_API_URL": api_url, "CLC_OUTBOX_INTERVAL_SECONDS": "0.2", "CLC_LOG_LEVEL": "INFO"}
        bot = Bot(env, tmp_path, ())
        await bot.start()
        try:
            # Telegram's pace, 30 a second: a quarter of the broadcast is out, the rest on its way.
            await fake.wait_for(lambda: len(fake.messages) >= VILLAGERS // 4, within=30)
            await bot.kill()
            await bot.start()
            await fake.wait_for(lambda: all(fake.chat(chat) for chat in chats), within=30)
            assert bot.process is not None
            bot.process.terminate()  # stopped as a service is: what it sent is recorded first
            assert await asyncio.wait_for(bot.process.wait(), 30) == 0
        finally:
            await bot.stop()
    assert {text for chat in chats for text in fake.texts(chat)} == {NEWS}
    repeated = sum(len(fake.chat(chat)) - 1 for chat in chats)
    assert repeated <= WINDOW + FLUSH_AT, repeated
    db = Database.from_url(sqlite_url)
    try:
        async with db.transaction() as session:
            statuses = dict((await session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))).all())
    finally:
        await db.dispose()
    assert statuses == {"sent": VILLAGERS}
