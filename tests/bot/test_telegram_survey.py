"""The whole needs survey on Telegram: buttons, toggles edited in place, typed answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.i18n import Catalogs
from storage.db import Database
from storage.models import ChannelIdentity, Contact
from storage.models.surveys import SurveyAnswer, SurveyRun
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.bot.telegram_harness import Villager, running_bot
from tests.built import FEATURES

GOLDEN = Path(__file__).parent / "golden"
THANKS = {
    "ru": "Спасибо! Ваши ответы сохранены.",
    "kk": "Рақмет!",
}


def typed_inputs(language: str) -> list[str]:
    lines = (GOLDEN / f"needs_{language}.txt").read_text(encoding="utf-8").splitlines()
    return [line[2:] for line in lines if line.startswith("> ")]


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_full_needs_survey_with_buttons_and_typed_answers(
    language: str, database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock) as channel:
        villager = Villager(fake, channel, 600, language=language)
        await villager.says("/start")
        await villager.answers_like_a_transcript(typed_inputs(language))
    texts = fake.texts(600)
    assert any(THANKS[language] in text for text in texts)
    assert texts[-1] in ("Басты мәзір. Не істегіңіз келеді?", "Главное меню. Что вы хотите сделать?")
    presses = [p for m, p in fake.calls if m == "answerCallbackQuery"]
    edits = [p for m, p in fake.calls if m == "editMessageText"]
    assert len(presses) > 5, "answers were given with buttons"
    assert edits, "multiple choice toggles edit the question in place"
    async with database.transaction() as session:
        run = await session.scalar(select(SurveyRun))
        assert run is not None and run.status == "completed"
        answers = await session.scalar(select(func.count()).select_from(SurveyAnswer))
    assert answers and answers >= 10


async def test_multiple_choice_toggles_show_marks_and_done_saves(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock) as channel:
        villager = Villager(fake, channel, 601, language="ru")
        await villager.at_the_survey_after_consent()
        question = villager.keyboard_message()
        assert "Можно выбрать несколько" in question.text
        assert await villager.presses("Ищу работу", question) == []  # edited, no new message
        assert await villager.presses("На пенсии", question) == []
        edited = fake.messages[question.message_id]
        labels = [label for label, _ in edited.buttons()]
        assert "Ищу работу ✓" in labels and "На пенсии ✓" in labels and edited.edits == 2
        assert await villager.presses("Ищу работу", edited) == []  # toggled off again
        after = await villager.presses("Готово", fake.messages[question.message_id])
        assert after and "Вопрос 3 " in after[0].text
    async with database.transaction() as session:
        value = await session.scalar(select(SurveyAnswer.value).where(SurveyAnswer.question_id == "situation"))
    assert value == ["pensioner"]


async def test_a_stale_button_gets_a_notice_and_changes_nothing(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock) as channel:
        villager = Villager(fake, channel, 602, language="ru")
        consent = await villager.at_the_survey_after_consent()
        current = villager.keyboard_message()
        (shown_again,) = await villager.presses("Нет", consent)  # "no" on the old consent question
        assert fake.callback_answers[-1].get("text") == "Эта кнопка относится к прежнему сообщению."
        assert shown_again.text == current.text  # the question the person is really on
    async with database.transaction() as session:
        run = await session.scalar(select(SurveyRun))
        assert run is not None and run.status == "in_progress"
        consent_value = await session.scalar(select(SurveyAnswer.value).where(SurveyAnswer.question_id == "consent"))
    assert consent_value == "yes"


async def test_sharing_the_phone_merges_with_an_existing_sms_contact(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    from bot.dispatcher import Dispatcher
    from tests.conftest import Chat

    sms = Chat(Dispatcher(database, FEATURES, clock=clock), catalogs, channel="sms", address="tel:+77011234567")
    await sms.send()
    await sms.send("1")  # Kazakh, chosen by SMS earlier
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock) as channel:
        villager = Villager(fake, channel, 603, language="ru")
        await villager.in_russian()
        (request,) = await villager.says("/phone")
        assert request.reply_markup is not None and request.reply_markup["keyboard"][0][0]["request_contact"]
        replies = await villager.shares_contact("8 701 123 45 67")
        assert replies[0].text == "Спасибо, ваш номер телефона сохранён."
    async with database.transaction() as session:
        identities = (await session.execute(
            select(ChannelIdentity.address, ChannelIdentity.contact_id).order_by(ChannelIdentity.address)
        )).all()
        merged = await session.scalar(select(Contact).where(Contact.merged_into_id.is_not(None)))
    assert [a for a, _ in identities] == ["tel:+77011234567", "telegram:603"]
    assert identities[0][1] == identities[1][1], "one person, two ways to reach them"
    assert merged is not None and merged.merged_into_id == identities[1][1]
    again = await sms.say("меню")  # the SMS side now talks to the merged contact
    assert "Главное меню" in again


async def test_two_fast_presses_are_both_applied_in_order(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock) as channel:
        villager = Villager(fake, channel, 604, language="ru")
        await villager.at_the_survey_after_consent()
        question = villager.keyboard_message()
        done = channel.finished
        for label in ("Ищу работу", "Веду своё дело", "На пенсии"):  # pressed before any answer comes
            fake.user_presses(604, question, question.button(label))
        await channel.wait_finished(done + 3)
        labels = [label for label, _ in fake.messages[question.message_id].buttons()]
        assert [label for label in labels if label.endswith("✓")] == [
            "Ищу работу ✓", "Веду своё дело ✓", "На пенсии ✓"
        ]
        await villager.presses("Готово", fake.messages[question.message_id])
    async with database.transaction() as session:
        value = await session.scalar(select(SurveyAnswer.value).where(SurveyAnswer.question_id == "situation"))
    assert sorted(value) == ["entrepreneur", "pensioner", "unemployed"]
