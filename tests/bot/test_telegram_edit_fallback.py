"""A message Telegram will not let the bot edit (too old, deleted) gets its update as a new
message instead, so the person still sees what their press changed and can go on."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from bot.clock import FakeClock
from bot.i18n import Catalogs
from storage.db import Database
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.bot.telegram_harness import Villager, running_bot


class NoEdits(FakeTelegram):
    async def _m_editMessageText(self, params: dict[str, Any]) -> JSONResponse:
        return self._error(400, "Bad Request: message can't be edited")


async def test_an_edit_refused_is_sent_as_a_new_message(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = NoEdits()
    async with running_bot(fake, database, catalogs, clock) as channel:
        villager = Villager(fake, channel, 602, language="ru")
        await villager.at_the_survey_after_consent()
        question = villager.keyboard_message()
        (updated,) = await villager.presses("Ищу работу", question)
        assert "Чем вы сейчас занимаетесь" in updated.text and "Ищу работу ✓" in [label for label, _ in updated.buttons()]
        after = await villager.presses("Готово", updated)
        assert after and "Вопрос 3 " in after[0].text
