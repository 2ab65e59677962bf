"""The real Telegram channel (python-telegram-bot Application) running against the fake API."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.channels.telegram import TELEGRAM_LIMITS, TelegramChannel
from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.i18n import Catalogs
from storage.db import Database
from tests.bot.fakes.server import serving
from tests.bot.fakes.telegram_api import FakeTelegram, SentMessage
from tests.built import FEATURES

# Through the real pacer, 100 times Telegram's pace: a conversation test is not a load test
# (``test_telegram_load`` runs Telegram's own limits against the fake's).
FUNCTIONAL_PACE = TELEGRAM_LIMITS.scaled(100)


class ObservedChannel(TelegramChannel):
    """The real channel, counting updates it has finished (replies sent), so tests can wait."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.finished = 0
        self.changed = asyncio.Condition()

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await super()._on_update(update, context)
        finally:
            async with self.changed:
                self.finished += 1
                self.changed.notify_all()

    async def wait_finished(self, count: int, within: float = 15) -> None:
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(lambda: self.finished >= count), within)


@asynccontextmanager
async def running_bot(
    fake: FakeTelegram, database: Database, catalogs: Catalogs, clock: FakeClock,
    *, webhook_url: str | None = None,
) -> AsyncIterator[ObservedChannel]:
    async with serving(fake.app()) as api_url:
        channel = ObservedChannel(
            token=fake.token, dispatcher=Dispatcher(database, FEATURES, clock=clock), catalogs=catalogs,
            db=database, api_url=api_url, webhook_url=webhook_url, poll_timeout=1, clock=clock,
            pacer_limits=FUNCTIONAL_PACE,
        )
        await channel.start()
        try:
            yield channel
        finally:
            await channel.stop()


class Villager:
    """One Telegram user: ``await v.says("2")`` returns the messages the bot sent in answer."""

    def __init__(self, fake: FakeTelegram, channel: ObservedChannel, user_id: int,
                 language: str | None = "ru") -> None:
        self.fake, self.channel, self.user_id, self.language = fake, channel, user_id, language

    async def _act(self, push: Any) -> list[SentMessage]:
        before, done = len(self.fake.chat(self.user_id)), self.channel.finished
        push()
        await self.channel.wait_finished(done + 1)
        return self.fake.chat(self.user_id)[before:]

    async def says(self, text: str) -> list[SentMessage]:
        return await self._act(lambda: self.fake.user_sends(self.user_id, text, language=self.language))

    async def shares_contact(self, phone: str, owner: int | None = None) -> list[SentMessage]:
        return await self._act(lambda: self.fake.user_shares_contact(
            self.user_id, phone, owner=owner, language=self.language))

    async def presses(self, label_part: str, message: SentMessage | None = None) -> list[SentMessage]:
        target = message or self.keyboard_message()
        return await self.press_data(target.button(label_part), target)

    async def presses_number(self, number: int, message: SentMessage | None = None) -> list[SentMessage]:
        target = message or self.keyboard_message()
        return await self.press_data(target.buttons()[number - 1][1], target)

    async def press_data(self, data: str, message: SentMessage) -> list[SentMessage]:
        return await self._act(lambda: self.fake.user_presses(self.user_id, message, data,
                                                              language=self.language))

    def keyboard_message(self) -> SentMessage:
        with_buttons = [m for m in self.fake.chat(self.user_id) if m.buttons()]
        assert with_buttons, "no message with buttons yet"
        return with_buttons[-1]

    def last(self) -> SentMessage:
        return self.fake.last(self.user_id)

    async def in_russian(self) -> None:
        """Russian chosen and the name question left unanswered (the menu is below it)."""
        await self.says("/start")
        await self.presses("Русский")
        await self.says("/menu")

    async def at_the_survey_after_consent(self) -> SentMessage:
        """Russian, the needs survey started, consent given: returns the consent question."""
        await self.in_russian()
        await self.presses("Опрос")
        consent = self.keyboard_message()
        await self.presses("Да", consent)
        return consent

    async def answers_like_a_transcript(self, typed: list[str]) -> None:
        """Replay a simulator transcript's inputs with buttons where Telegram shows them.

        A number (or numbers, for multiple choice) on a message with buttons becomes presses
        (toggles, then the last button, "done"); anything else, wrong numbers too, is typed.
        """
        for text in typed:
            numbers = re.fullmatch(r"\s*\d+(?:[\s,;]+\d+)*\s*", text)
            latest = self.last()
            picked = [int(n) for n in re.findall(r"\d+", text)] if numbers else []
            if picked and latest.buttons() and max(picked) <= len(latest.buttons()):
                done_label = latest.buttons()[-1][0]
                is_multi = any(word in done_label for word in ("Готово", "Дайын", "Болды", "Сақтау"))
                for number in picked:
                    await self.presses_number(number, latest)
                    latest = self.fake.messages[latest.message_id]
                if is_multi:
                    await self.presses_number(len(latest.buttons()), latest)
            else:
                await self.says(text)
