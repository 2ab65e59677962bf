"""A button press's callback answer: beside the step's replies, or in the webhook's response.

Telegram shows a spinner on the pressed button until the bot answers the callback query. The
answer carries a notice when the step has one (a short text on the button), so it can only go
once the step is done. From then on:

* by polling, it need not wait for the next question to be sent: both calls go out together
  and the person sees the answer a round trip sooner;
* by webhook, it rides in the HTTP response to Telegram's request ("making requests when
  getting updates" in the Bot API's documentation): the update is answered once handled anyway,
  and the bot saves one of the two calls a press costs. Telegram reports nothing back for it;
  a failed answer was only ever logged. The spinner then stops once the step's replies are
  sent, not sooner; a request Telegram gives up on (it waits about a minute) loses the answer,
  and the update comes again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any

from telegram import CallbackQuery
from telegram.error import TelegramError

log = logging.getLogger(__name__)

Answer = Callable[[CallbackQuery, str | None], Coroutine[Any, Any, object]]
# Set by the webhook for the update it is handling: where the answer waits for the response.
IN_RESPONSE: ContextVar[list[CallbackAnswer] | None] = ContextVar("IN_RESPONSE", default=None)


class CallbackAnswer:
    """At most one answer to ``query`` (none without a query): ``start`` once the notices are
    known, ``finish`` when the update is done (it starts the answer if nothing did). Under a
    webhook (``IN_RESPONSE``) neither sends: ``response`` gives the webhook's answer."""

    def __init__(self, query: CallbackQuery | None, answer: Answer) -> None:
        self.query = query
        self.notices: list[str] = []
        self._answer = answer
        self._sent: asyncio.Task[object] | None = None
        self._in_response = IN_RESPONSE.get()
        if query is not None and self._in_response is not None:
            self._in_response.append(self)

    def start(self) -> None:
        if self.query is not None and self._sent is None and self._in_response is None:
            self._sent = asyncio.create_task(self._answer(self.query, self.notice))

    @property
    def notice(self) -> str | None:
        return self.notices[0] if self.notices else None

    async def finish(self) -> None:
        self.start()
        if self._sent is None:
            return
        try:
            await self._sent
        except TelegramError:
            assert self.query is not None
            log.warning("could not answer callback query %s", self.query.id)

    def response(self) -> dict[str, Any] | None:
        """The Bot API call for the webhook's HTTP response."""
        if self.query is None or self._in_response is None:
            return None
        call: dict[str, Any] = {"method": "answerCallbackQuery", "callback_query_id": self.query.id}
        if self.notice is not None:
            call["text"] = self.notice
        return call
