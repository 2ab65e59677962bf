"""Learners have names: asked once after the language (skippable), changed from the menu,
offered from the Telegram profile, and shown to facilitators instead of a phone number."""

from __future__ import annotations

from sqlalchemy import select

from bot.clock import FakeClock
from bot.i18n import Catalogs
from storage.db import Database
from storage.models import Contact
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.bot.telegram_harness import Villager, running_bot
from tests.conftest import Chat


async def stored_names(database: Database) -> list[str | None]:
    async with database.transaction() as session:
        return list((await session.scalars(select(Contact.name).order_by(Contact.id))).all())


async def test_a_new_villager_is_asked_their_name_after_the_language_and_can_change_it(
    chat: Chat, database: Database
) -> None:
    await chat.send()
    asked = await chat.send("1")  # Қазақша
    assert asked[1].startswith("Сізді қалай атайық? Атыңызды жазыңыз немесе мәзірден таңдаңыз.")
    assert "Басты мәзір" in asked[2]
    assert await chat.send("  Әсел   Нұрланқызы ") == [
        "Рақмет, Әсел Нұрланқызы! Енді сізді осылай атаймыз.", *asked[2:]
    ]
    assert await stored_names(database) == ["Әсел Нұрланқызы"]

    changing = await chat.say("6")  # Менің атым
    assert changing.startswith("Сізді қалай атайық?")
    for not_a_name in ("12345", "😀😀", "Әсел" * 20, "мен курсқа жазылғым келеді бірақ білмеймін", "рақмет"):
        refused = await chat.say(not_a_name)
        assert refused.startswith("Атыңызды әріптермен жазыңыз (60 таңбадан аспасын).")
        assert "Сізді қалай атайық?" in refused  # asked again: they chose "My name" themselves
    assert await stored_names(database) == ["Әсел Нұрланқызы"]
    assert (await chat.say("Әсел")).startswith("Рақмет, Әсел!")
    assert await stored_names(database) == ["Әсел"]


async def test_replies_that_are_no_names_are_never_stored_as_one(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    """Thanks, greetings, consent, a sentence, a skip word, a text a day later: the question
    closes and the text is read as the menu reads it."""
    from bot.dispatcher import Dispatcher
    from tests.built import FEATURES

    replies = ["Рахмет", "Здравствуйте", "ок", "Жоқ", "Хочу на курсы", "пропустить", "/help"]
    for n, reply in enumerate(replies):
        chat = Chat(Dispatcher(database, FEATURES, clock=clock), catalogs, address=f"sim:no-name-{n}")
        await chat.send()
        await chat.send("2")
        answer = await chat.say(reply)
        assert "Спасибо," not in answer and "Главное меню" in answer
        assert "Спасибо," not in await chat.say("Ерлан")  # the question was closed by the reply
    late = Chat(Dispatcher(database, FEATURES, clock=clock), catalogs, address="sim:late")
    await late.send()
    await late.send("2")
    clock.advance(days=2)
    assert "Спасибо," not in await late.say("Ерлан")  # days later a text is not an answer to it
    assert await stored_names(database) == [None] * (len(replies) + 1)


async def test_the_name_question_is_skipped_by_choosing_from_the_menu(chat: Chat, database: Database) -> None:
    await chat.send()
    await chat.send("2")  # Русский
    opened = await chat.say("2")  # Курсы, straight from under the name question
    assert "Спасибо" not in opened and "Напишите имя" not in opened
    assert await stored_names(database) == [None]
    assert "Главное меню" in await chat.say("меню")


async def test_on_telegram_the_profile_first_name_is_one_press_away(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FakeTelegram(first_names={501: "Айгүл"})
    async with running_bot(fake, database, catalogs, clock) as channel:
        aigul = Villager(fake, channel, 501, language="ru")
        await aigul.says("/start")
        replies = await aigul.presses("Русский")
        question = replies[1]
        assert [label for label, _ in question.buttons()] == ["Айгүл"]
        thanked = await aigul.presses("Айгүл", question)
        assert thanked[0].text == "Спасибо, Айгүл! Так и будем к вам обращаться."
        # a profile name that is no name (digits, emoji) is simply not offered
        other = Villager(fake, channel, 502, language="ru")
        await other.says("/start")
        assert (await other.presses("Русский"))[1].buttons() == []
    assert await stored_names(database) == ["Айгүл", None]
