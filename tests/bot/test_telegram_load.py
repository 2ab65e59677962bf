"""100 villagers at once through the real Telegram channel, the fake Bot API enforcing
Telegram's flood limits and the channel pacing itself (issue 13, part 3).

Before the pacer, this load lost 7.8% of the answers, sent 519 apologies and met thousands of
429s. The limits are Telegram's own, unscaled: the bot offers 40-60 messages a second here, so
only below that do the limits bind at all (at twice Telegram's values they would not, and the
test would prove nothing). That makes it ~30 s, on SQLite only: the pacer is per process and
knows nothing of the database. `make bench` measures the rates; here only counts are asserted.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.channels.telegram_pacer import PacerLimits
from bot.channels.telegram_render import message_text
from bot.clock import FakeClock
from bot.dispatcher import Dispatcher, apology
from bot.i18n import Catalogs
from storage.db import Database
from tests.bot.fakes.server import serving
from tests.bot.fakes.telegram_api import ApiLimits, FakeTelegram
from tests.bot.telegram_harness import ObservedChannel
from tests.built import FEATURES

VILLAGERS = 100  # the benchmark (bench/telegram_load.py) runs 200
GREETINGS = {"ru": "Здравствуйте! Выберите язык.", "kk": "Сәлеметсіз бе! Тілді таңдаңыз."}
IN_RUSSIAN = [
    "Хорошо, теперь я буду писать вам по-русски.",
    "Как к вам обращаться? Напишите ваше имя или выберите пункт меню.",
    "Главное меню. Что вы хотите сделать?",
]


async def villager(fake: FakeTelegram, user_id: int, language: str) -> None:
    """Says /start, presses «Русский» on the greeting, waits for the three answers (bounded)."""
    fake.user_sends(user_id, "/start", language=language)
    greeting, *_ = await fake.wait_messages(user_id, 1, within=90)
    fake.user_presses(user_id, greeting, greeting.button("Русский"), language=language)
    await fake.wait_messages(user_id, 1 + len(IN_RUSSIAN), within=90)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_100_villagers_at_once_all_answered_no_apology_no_429(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FakeTelegram(limits=ApiLimits())  # 30/s overall, 1/s a chat after a burst of 4
    people = {5000 + n: ("kk" if n % 2 else "ru") for n in range(VILLAGERS)}
    async with serving(fake.app()) as api_url:
        channel = ObservedChannel(
            token=fake.token, dispatcher=Dispatcher(database, FEATURES, clock=clock), catalogs=catalogs,
            db=database, api_url=api_url, poll_timeout=1, clock=clock,
            pacer_limits=PacerLimits(),  # 30/s overall, 1/s a chat after a burst of 3
        )
        await channel.start()
        try:
            outcomes = await asyncio.gather(*(villager(fake, uid, lang) for uid, lang in people.items()),
                                            return_exceptions=True)
        finally:
            await channel.stop()

    unanswered = [uid for uid, outcome in zip(people, outcomes, strict=True) if outcome is not None]
    assert unanswered == []
    for uid, language in people.items():
        texts = fake.texts(uid)
        assert texts[0].startswith(GREETINGS[language]), (uid, texts)
        assert texts[1:] == IN_RUSSIAN, (uid, texts)
    sorry = {message_text(apology(), catalogs.translator(language)) for language in ("kk", "ru")}
    assert not [m for m in fake.messages.values() if m.text in sorry]
    assert len(fake.callback_answers) == VILLAGERS  # every button press answered too
    assert fake.too_many == 0
