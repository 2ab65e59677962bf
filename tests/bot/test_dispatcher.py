"""The dispatcher end to end on both databases: language persists, redeliveries do nothing."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.i18n import Catalogs
from flows.events import Effect
from storage.db import Database
from storage.models import Contact, Conversation, InboundMessage
from tests.built import FEATURES
from tests.conftest import Chat


async def test_a_new_contact_chooses_kazakh_and_sees_the_menu_in_kazakh(chat: Chat) -> None:
    greeting = await chat.say()
    assert "Сәлеметсіз бе! Тілді таңдаңыз." in greeting and "Здравствуйте! Выберите язык." in greeting
    menu = await chat.say("1")
    assert "Басты мәзір. Не істегіңіз келеді?" in menu
    assert "1. Оқу қажеттіліктері сауалнамасы" in menu and "Жауабыңыздың нөмірін жіберіңіз." in menu


async def test_language_choice_persists_for_a_new_dispatcher(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    first = Chat(Dispatcher(database, FEATURES, clock=clock), catalogs)
    await first.send()
    await first.send("2")
    assert "Главное меню" in await first.say("меню")
    restarted = Chat(Dispatcher(database, FEATURES, clock=clock), catalogs)
    assert "Главное меню. Что вы хотите сделать?" in await restarted.say()
    switched = await restarted.say("тіл")
    assert "Выберите язык." in switched
    assert "Басты мәзір" in await restarted.say("Қазақша")
    async with database.transaction() as session:
        assert await session.scalar(select(Contact.language)) == "kk"


async def test_the_same_update_twice_has_no_second_effect(chat: Chat, database: Database) -> None:
    await chat.send()
    await chat.send("2", provider_id="update-7")
    again = await chat.send("1", provider_id="update-7")
    assert again == [] and chat.last is not None and chat.last.duplicate
    async with database.transaction() as session:
        assert await session.scalar(select(Contact.language)) == "ru"
        count = await session.scalar(select(func.count()).select_from(InboundMessage))
    assert count == 2


async def test_a_failing_step_apologises_keeps_the_message_and_the_state(
    chat: Chat, database: Database
) -> None:
    await chat.send()
    await chat.send("2")
    await chat.send("/menu")  # no name given: straight to the menu

    class Broken(Effect):
        pass

    import flows.engine as engine

    real_step = engine.step

    def broken_step(*args: object, **kwargs: object) -> object:
        result = real_step(*args, **kwargs)  # type: ignore[arg-type]
        return type(result)(result.state, result.replies, (Broken(),))

    engine.step = broken_step  # type: ignore[assignment]
    try:
        answer = await chat.say("тіл")
    finally:
        engine.step = real_step
    assert Broken not in FEATURES.appliers
    assert answer == "Извините, у нас произошла ошибка. Попробуйте ещё раз."
    async with database.transaction() as session:
        state = await session.scalar(select(Conversation.state))
        kept = await session.scalar(select(InboundMessage).where(InboundMessage.text == "тіл"))
    assert state is not None and state["stage"] == "menu"  # the failed step changed nothing
    assert kept is not None and kept.payload is not None and kept.payload["failed"] is True


async def test_many_people_at_once_each_get_their_own_answers(
    dispatcher: Dispatcher, catalogs: Catalogs, database: Database
) -> None:
    chats = [Chat(dispatcher, catalogs, address=f"sim:{n}") for n in range(12)]
    await asyncio.gather(*(c.send() for c in chats))
    await asyncio.gather(*(c.send("1" if n % 2 else "2") for n, c in enumerate(chats)))
    async with database.transaction() as session:
        languages = (await session.scalars(select(Contact.language).order_by(Contact.id))).all()
    assert sorted(languages) == ["kk"] * 6 + ["ru"] * 6


async def test_one_persons_fast_messages_are_handled_in_order(chat: Chat, database: Database) -> None:
    await chat.send()
    await chat.send("1")
    answers = await asyncio.gather(chat.say("тіл"), chat.say("2"), chat.say("тіл"), chat.say("1"))
    assert "Тілді таңдаңыз." in answers[0]
    assert "по-русски" in answers[1]
    assert "Выберите язык." in answers[2]
    assert "қазақша" in answers[3]
    async with database.transaction() as session:
        assert await session.scalar(select(Contact.language)) == "kk"


async def test_control_characters_are_dropped_and_nul_never_breaks_a_step(
    chat: Chat, database: Database
) -> None:
    await chat.send()
    assert "Главное меню" in await chat.say("2\x00")
    assert "Главное меню" in await chat.say("\x00\x01меню\r\n")
    async with database.transaction() as session:
        texts = (await session.scalars(select(InboundMessage.text).order_by(InboundMessage.id))).all()
    assert texts[-2:] == ["2", "меню\n"]


async def test_a_greeting_in_the_middle_of_the_survey_resumes_it(chat: Chat) -> None:
    await chat.send()
    await chat.send("2")
    started = await chat.say("1")
    assert "Вопрос 1 " in started
    await chat.send("да")
    for greeting in ("Привет", "/start", "сәлем"):
        again = await chat.say(greeting)
        assert "Вопрос 2 " in again and "Главное меню" not in again


async def test_a_button_carrying_the_digest_of_the_current_context_is_current(chat: Chat) -> None:
    """Telegram sends a digest when a context is too long for callback data; the dispatcher
    turns it back, so the engine only ever compares whole contexts."""
    from bot.codec import context_digest

    await chat.send()
    await chat.send("1")
    await chat.send("1")  # the needs survey: its first question has buttons
    assert chat.last is not None
    question = next(reply for reply in chat.last.replies if reply.choices)
    assert question.context is not None
    await chat.send(choice=question.choices[0].id, context=context_digest(question.context))
    assert chat.last is not None and not chat.last.replies[0].notice
    await chat.send(choice=question.choices[0].id, context=context_digest(question.context))
    assert chat.last.replies[0].notice  # the same digest once the question moved on: stale


async def test_a_stored_state_no_release_can_read_starts_again_at_the_menu(chat: Chat, database: Database) -> None:
    """Damaged, or written by a newer release: the person is not locked out behind an apology."""
    await chat.send()
    await chat.send("2")
    async with database.transaction() as session:
        conversation = await session.scalar(select(Conversation))
        assert conversation is not None
        conversation.state = {"v": 99, "seq": "many", "stage": "somewhere"}
    answer = await chat.say("меню")
    assert "Главное меню" in answer and "ошибка" not in answer
    async with database.transaction() as session:
        state = await session.scalar(select(Conversation.state))
    assert state is not None and state["v"] == 1 and state["stage"] == "menu"
