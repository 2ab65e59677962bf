"""The needs survey's consent states the retention period the bot is configured with
(``CLC_RETENTION_DAYS``), in the person's language, with its plural form, and the words that
erase their data at any time."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.features import standard_features
from bot.features.surveys import DEFAULT_QUESTIONNAIRE, published, read_questionnaire
from bot.i18n import Catalogs
from bot.privacy import retention_period
from storage.db import Database
from storage.models.surveys import QuestionnaireVersion
from tests.conftest import Chat


@pytest.mark.parametrize(("days", "kk", "ru"), [
    (730, "Жауаптар 2 жыл сақталады", "Ответы хранятся 2 года,"),
    (365, "Жауаптар 1 жыл сақталады", "Ответы хранятся 1 год,"),
    (1825, "Жауаптар 5 жыл сақталады", "Ответы хранятся 5 лет,"),
    # Not whole years: whole months, else days, never rounded to less than is kept.
    (540, "Жауаптар 18 ай сақталады", "Ответы хранятся 18 месяцев,"),
    (400, "Жауаптар 400 күн сақталады", "Ответы хранятся 400 дней,"),
])
async def test_the_consent_states_the_configured_period_in_each_language(
    database: Database, catalogs: Catalogs, clock: FakeClock, days: int, kk: str, ru: str
) -> None:
    dispatcher = Dispatcher(database, standard_features(retention_days=days), clock=clock)
    for language, address, expected, erase_words in (
        ("1", "sim:kk", kk, "«деректерімді өшіру» деп жазыңыз"),
        ("2", "sim:ru", ru, "напишите «удалить мои данные»"),
    ):
        chat = Chat(dispatcher, catalogs, address=address)
        await chat.send()
        await chat.send(language)
        consent = await chat.say("1")  # the menu's first item: the needs survey
        assert expected in consent and erase_words in consent, consent
        assert "{retention}" not in consent


def test_the_short_sms_wording_states_it_too() -> None:
    form = read_questionnaire(DEFAULT_QUESTIONNAIRE)
    row = QuestionnaireVersion(definition=form.model_dump(mode="json"), content_hash="test", version=1)
    short = published("needs", row, 400).form.question("consent").label.sms
    assert short is not None and not isinstance(short, str)
    assert "400 күн сақталады" in short.kk and "хранятся 400 дней." in short.ru


def test_period_words() -> None:
    assert [retention_period(days, "kk") for days in (30, 45, 3650)] == ["1 ай", "45 күн", "10 жыл"]
    assert [retention_period(days, "ru") for days in (60, 31, 21 * 365)] == ["2 месяца", "31 день", "21 год"]
