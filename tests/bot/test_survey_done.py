"""The "done" line of a multiple-choice question: the number the terminal shows for it works, and
"done" with nothing chosen asks for at least one option instead of quoting the wrong numbers."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.clock import FakeClock
from bot.i18n import Catalogs
from storage.db import Database
from storage.models.surveys import SurveyAnswer
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.bot.telegram_harness import Villager, running_bot
from tests.conftest import Chat


async def at_situation(chat: Chat, language: str) -> str:
    """The needs survey opened in the terminal, consent given: the multiple-choice question."""
    await chat.send()
    await chat.send("1" if language == "kk" else "2")
    await chat.send("1")  # the survey, from the menu below the name question
    return await chat.say("1")  # yes


def done_number(question: str) -> str:
    """The number the terminal shows for the "done" line (after the choices)."""
    found = re.search(r"^(\d+)\. (?:Дайын|Готово)", question, re.MULTILINE)
    assert found, question
    return found.group(1)


async def situation_answer(database: Database) -> object:
    async with database.transaction() as session:
        return await session.scalar(select(SurveyAnswer.value).where(SurveyAnswer.question_id == "situation"))


async def test_the_done_number_alone_with_nothing_chosen_asks_for_an_option_not_other_numbers(
    chat: Chat, database: Database
) -> None:
    """The defect: «9. Дайын: таңдауымды сақтау» was shown, and «9» got «send the numbers 1-8»
    (the numbers depend on how many choices the shipped survey has)."""
    question = await at_situation(chat, "kk")
    done = done_number(question)
    assert f"{done}. Дайын: таңдауымды сақтау" in question
    answer = await chat.say(done)
    assert "Кемінде бір жауапты таңдаңыз: нөмірлерін жіберіңіз, мысалы: 1 3." in answer
    assert f"1–{int(done) - 1})" not in answer and "Қазір немен айналысасыз?" in answer  # the same question again
    assert await situation_answer(database) is None


async def test_the_done_number_in_russian(chat: Chat) -> None:
    done = done_number(await at_situation(chat, "ru"))
    answer = await chat.say(done)
    assert "Выберите хотя бы один вариант: отправьте номера, например: 1 3." in answer
    assert f"от 1 до {int(done) - 1}" not in answer


async def test_the_done_number_with_other_numbers_saves_those_numbers(chat: Chat, database: Database) -> None:
    """«1 3 9»: the numbers are the answer, and 9 ("done") only says that is all."""
    done = done_number(await at_situation(chat, "kk"))
    answer = await chat.say(f"1 3 {done}")
    assert "3-сұрақ" in answer
    assert await situation_answer(database) == ["unemployed", "farmer"]


async def test_the_done_number_alone_keeps_the_earlier_choice_after_going_back(
    chat: Chat, database: Database
) -> None:
    done = done_number(await at_situation(chat, "kk"))
    await chat.send("2 5")
    back = await chat.say("артқа")
    assert "2. Жалдамалы жұмыс істеймін ✓" in back and f"{done}. Дайын: таңдауымды сақтау" in back
    answer = await chat.say(done)
    assert "3-сұрақ" in answer
    assert await situation_answer(database) == ["employed", "pensioner"]


async def test_done_pressed_with_nothing_ticked_on_telegram_asks_to_choose_an_option(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock) as channel:
        villager = Villager(fake, channel, 611, language="ru")
        await villager.at_the_survey_after_consent()
        question = villager.keyboard_message()
        replies = await villager.presses("Готово", question)
        text = "\n".join(message.text for message in replies)
        assert "Выберите хотя бы один вариант." in text
        assert "номера" not in text  # nothing to type: the buttons are there to tick
        assert "Чем вы сейчас занимаетесь?" in villager.keyboard_message().text
        await villager.presses("На пенсии", villager.keyboard_message())
        after = await villager.presses("Готово", villager.keyboard_message())
        assert after and "Вопрос 3" in after[0].text
    assert await situation_answer(database) == ["pensioner"]
