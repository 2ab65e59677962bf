"""A button press's callback answer, sent beside the step's replies rather than after them.

Telegram shows a spinner on the pressed button until the bot answers the callback query. The
answer carries a notice when the step has one (a short text on the button), so it can only go
once the step is done; from then on it need not wait for the next question to be sent: both
calls go out together and the person sees the answer a round trip sooner.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import CallbackQuery
from telegram.error import TelegramError

log = logging.getLogger(__name__)

Answer = Callable[[CallbackQuery, str | None], Coroutine[Any, Any, object]]


class CallbackAnswer:
    """At most one answer to ``query`` (none without a query): ``start`` once the notices are
    known, ``finish`` when the update is done (it starts the answer if nothing did)."""

    def __init__(self, query: CallbackQuery | None, answer: Answer) -> None:
        self.query = query
        self.notices: list[str] = []
        self._answer = answer
        self._sent: asyncio.Task[object] | None = None

    def start(self) -> None:
        if self.query is not None and self._sent is None:
            notice = self.notices[0] if self.notices else None
            self._sent = asyncio.create_task(self._answer(self.query, notice))

    async def finish(self) -> None:
        self.start()
        if self._sent is None:
            return
        try:
            await self._sent
        except TelegramError:
            assert self.query is not None
            log.warning("could not answer callback query %s", self.query.id)
