"""A 429 with ``retry_after`` from the Bot API silences the whole Telegram channel of the
process: no queued message reaches Telegram before it ends, none is lost or sent twice, and
the rows follow at the pacer's even pace (the fake, enforcing Telegram's limits, sees no burst:
no second 429). When the pacer's retries are spent, the row goes back to the outbox, which
keeps it and the channel's other due rows until the pause ends by the injected clock."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Hashable

from bot.channels.telegram_pacer import PacerLimits, TelegramPacer
from bot.clock import FakeClock
from bot.i18n import Catalogs
from bot.outbox import OutboxSender
from storage.db import Database
from tests.bot.fakes.telegram_api import ApiLimits, FakeTelegram
from tests.bot.outbox_crowd import FIRST_CHAT, KINDS, people_on_telegram, queue_each, telegram_sender
from tests.bot.test_outbox import status_of
from tests.built import FLOWS

VILLAGERS = 30
SCALE = 4
RETRY_AFTER = 1  # Telegram's smallest; the pacer waits it out in real time


def throttled_once() -> FakeTelegram:
    fake = FakeTelegram(limits=ApiLimits().scaled(SCALE))
    fake.fail_next["sendMessage"] = (429, f"Too Many Requests: retry after {RETRY_AFTER}", RETRY_AFTER)
    return fake


class Watched(TelegramPacer):
    """The real pacer, noting (loop time) when each call was let go and when silences began."""

    def __init__(self, limits: PacerLimits) -> None:
        super().__init__(limits)
        self.let_go: list[float] = []
        self.silenced: list[float] = []

    def _stamp(self, chat: Hashable, now: float) -> None:
        self.let_go.append(now)
        super()._stamp(chat, now)

    def _pause(self, seconds: float, endpoint: str) -> None:
        self.silenced.append(asyncio.get_running_loop().time())
        super()._pause(seconds, endpoint)

    def silent_for_retry_after(self) -> bool:
        """Nobody was let go within ``RETRY_AFTER`` after the 429 (calls already on their way
        when it came may still have arrived: nothing can call them back)."""
        (start,) = self.silenced
        return not [t for t in self.let_go if start <= t < start + RETRY_AFTER * 0.999]


async def test_a_429_silences_every_chat_then_all_follow_once_without_a_burst(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = throttled_once()
    villagers = await people_on_telegram(database, clock, VILLAGERS)
    rows = await queue_each(database, clock, villagers, "test-bulk", "Собрание в пятницу")
    pacer = Watched(PacerLimits().scaled(SCALE))
    async with telegram_sender(fake, pacer) as sender:
        outbox = OutboxSender(database, catalogs, {"telegram": sender}, kinds=KINDS, flows=FLOWS, clock=clock)
        assert await outbox.send_due() == VILLAGERS
        # The throttled one went back to the outbox (the pacer does not retry queued traffic,
        # whose claim is limited in time): it follows once the pause is over.
        clock.advance(seconds=RETRY_AFTER)
        assert await outbox.send_due() == 1
    assert fake.too_many == 1  # the one we made, no other: nothing rushed in after the pause
    assert pacer.silent_for_retry_after()
    assert all(fake.texts(FIRST_CHAT + n) == ["Собрание в пятницу"] for n in range(VILLAGERS))
    assert {(await status_of(database, row)).status for row in rows} == {"sent"}


async def test_a_429_past_the_pacers_retries_keeps_the_row_and_the_channel_until_it_ends(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = throttled_once()
    villagers = await people_on_telegram(database, clock, 5)
    rows = await queue_each(database, clock, villagers, "test-bulk", "Собрание в пятницу")
    pacer = Watched(PacerLimits(max_retries=0).scaled(SCALE))
    async with telegram_sender(fake, pacer) as sender:
        outbox = OutboxSender(database, catalogs, {"telegram": sender}, kinds=KINDS, flows=FLOWS, clock=clock)
        assert await outbox.send_due() == 5
        refused = [row for row in rows if (await status_of(database, row)).status == "pending"]
        assert len(refused) == 1
        kept = await status_of(database, refused[0])
        assert kept.due_at == clock() + dt.timedelta(seconds=RETRY_AFTER) and "Retry in 1" in (kept.last_error or "")
        (later,) = await queue_each(database, clock, villagers[:1], "test-bulk", "Ещё одно")
        assert await outbox.send_due() == 0  # the channel is paused: nothing is even claimed
        clock.advance(seconds=RETRY_AFTER)
        assert await outbox.send_due() == 2
    assert fake.too_many == 1
    assert pacer.silent_for_retry_after()
    assert sorted(len(fake.texts(FIRST_CHAT + n)) for n in range(5)) == [1, 1, 1, 1, 2]
    assert {(await status_of(database, row)).status for row in [*rows, later]} == {"sent"}
