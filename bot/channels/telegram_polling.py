"""Long polling that keeps each batch of updates before Telegram is told it arrived.

python-telegram-bot's ``Updater`` confirms a batch with the next ``getUpdates`` offset (and
once more when it stops) whether or not its updates were handled, so a process killed in
between lost them. Here a batch is recorded in the database first (``record``), then queued
for the ``Application``; only then does the next ``getUpdates`` confirm it. A batch that cannot
be recorded is not confirmed: Telegram sends it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, TelegramError

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
MAX_BACKOFF = 30.0

Record = Callable[[Sequence[Update]], Awaitable[None]]


class Poller:
    def __init__(
        self, bot: Bot, record: Record, queue: asyncio.Queue[object], *, timeout: float,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.bot, self.record, self.queue, self.timeout, self.sleep = bot, record, queue, timeout, sleep
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.bot.delete_webhook()  # getUpdates is refused while a webhook is set
        self._task = asyncio.create_task(self._run(), name="telegram-polling")

    async def stop(self) -> None:
        """Fetched batches are recorded already; nothing more is confirmed on the way out."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        offset: int | None = None
        backoff = 1.0
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=offset, timeout=dt.timedelta(seconds=self.timeout), allowed_updates=ALLOWED_UPDATES
                )
                if updates:
                    await self.record(updates)
            except InvalidToken:
                log.error("telegram: the token was revoked; polling stops")
                return
            except Conflict:
                log.error("telegram: another process polls this bot (or a webhook is set); retrying")
                await self.sleep(MAX_BACKOFF)
                continue
            except Exception as exc:  # network or database trouble: the batch is fetched again
                if not isinstance(exc, TelegramError):
                    log.exception("telegram: could not record a batch of updates; it comes again")
                else:
                    log.warning("telegram: getUpdates failed (%s); retrying in %.0f s", exc, backoff)
                await self.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            backoff = 1.0
            for update in updates:
                await self.queue.put(update)
            if updates:
                offset = updates[-1].update_id + 1
