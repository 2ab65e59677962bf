"""Forged button data with ids that are not plain ASCII numbers: answered, never a crash."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from bot.i18n import Catalogs
from storage.db import Database
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.bot.telegram_harness import Villager, running_bot

APOLOGY = "Извините, у нас произошла ошибка"


@pytest.mark.parametrize("data", ["offer²|accept", "offer٣|accept", "offer３|decline", "invite²|yes",
                                  "offer99999999999|accept", "invite1234567890123|yes"])
async def test_a_forged_id_in_button_data_gets_an_answer_not_an_error(
    database: Database, catalogs: Catalogs, clock: FakeClock, data: str
) -> None:
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock) as channel:
        user = Villager(fake, channel, 701)
        await user.in_russian()
        answer = await user.press_data(data, user.keyboard_message())
        assert answer and not any(APOLOGY in m.text for m in answer)
