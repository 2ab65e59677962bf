"""The needs survey through the real dispatcher on both databases: stored as it is answered."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.i18n import Catalogs
from storage.db import Database
from storage.models.surveys import QuestionnaireVersion, SurveyAnswer, SurveyRun
from tests.built import FEATURES
from tests.conftest import Chat

RU_ANSWERS = ["1", "1 3", "нет", "2", "3", "Аксу", "нет", "1 13", "вязание", "2", "1;3", "7", "2", "пропустить"]


async def answers(database: Database) -> dict[str, object]:
    async with database.transaction() as session:
        rows = await session.execute(select(SurveyAnswer.question_id, SurveyAnswer.value).order_by(SurveyAnswer.id))
        return dict(rows.all())


async def statuses(database: Database) -> list[str]:
    async with database.transaction() as session:
        return list((await session.scalars(select(SurveyRun.status).order_by(SurveyRun.id))).all())


async def open_survey(chat: Chat, language: str = "2") -> str:
    await chat.send()
    await chat.send(language)
    return await chat.say("1")


async def test_a_whole_survey_in_russian_is_stored_answer_by_answer(chat: Chat, database: Database) -> None:
    first = await open_survey(chat)
    assert "Опрос о потребностях в обучении" in first and "Вопрос 1 " in first
    for text in RU_ANSWERS[:6]:
        await chat.send(text)
    assert (await answers(database))["settlement"] == "Аксу"  # committed before the survey ends
    for text in RU_ANSWERS[6:]:
        last = await chat.say(text)
    assert "Спасибо! Ваши ответы сохранены." in last and "Главное меню" in last
    assert await answers(database) == {
        "consent": "yes", "situation": ["unemployed", "farmer"], "disability": "no", "gender": "male",
        "age_group": "age_30_44", "settlement": "Аксу", "studied_before": "no", "interests": ["computer", "other"],
        "interest_other": "вязание", "hours_per_week": "h3_5", "times": ["mornings", "evenings"],
        "barriers": ["nothing"], "contact_channel": "sms",
    }
    assert await statuses(database) == ["completed"]


async def test_taking_it_again_starts_a_new_run(chat: Chat, database: Database) -> None:
    await open_survey(chat)
    for text in RU_ANSWERS:
        await chat.send(text)
    again = await chat.say("1")
    assert "Вопрос 1 " in again
    await chat.send("да")
    assert await statuses(database) == ["completed", "in_progress"]
    async with database.transaction() as session:
        keys = (await session.scalars(select(SurveyRun.run_key).order_by(SurveyRun.id))).all()
    assert keys[0] != keys[1]


async def test_consent_no_stores_nothing(chat: Chat, database: Database) -> None:
    await open_survey(chat, "1")
    reply = await chat.say("жоқ")
    assert "Ешбір жауабыңыз сақталған жоқ." in reply
    assert await statuses(database) == [] and await answers(database) == {}


async def test_a_new_process_resumes_at_the_right_question(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    chat = Chat(Dispatcher(database, FEATURES, clock=clock), catalogs)
    await open_survey(chat, "1")
    for text in ["иә", "1", "өткізу", "1"]:
        await chat.send(text)
    clock.advance(days=3)
    restarted = Chat(Dispatcher(database, FEATURES, clock=clock), catalogs)
    shown = await restarted.say()
    assert "5-сұрақ" in shown and "Жасыңыз нешеде?" in shown
    await restarted.send("2")
    assert (await answers(database))["age_group"] == "age_18_29"


async def test_changing_language_midway_then_choosing_the_survey_continues(chat: Chat, database: Database) -> None:
    await open_survey(chat, "1")
    await chat.send("иә")
    await chat.send("1 2")
    await chat.send("тіл")
    await chat.send("2")
    back = await chat.say("1")
    assert "С возвращением! Продолжим опрос с того места, где вы остановились." in back
    assert "Вопрос 3 " in back and "Есть ли у вас инвалидность?" in back
    await chat.send("нет")
    assert await answers(database) == {"consent": "yes", "situation": ["unemployed", "employed"], "disability": "no"}
    assert await statuses(database) == ["in_progress"]


async def test_cancel_keeps_the_answers_as_an_incomplete_run(chat: Chat, database: Database) -> None:
    await open_survey(chat)
    await chat.send("да")
    left = await chat.say("отмена")
    assert "Вы вышли из опроса. Ответы, которые вы успели дать, сохранены." in left
    assert await statuses(database) == ["abandoned"] and await answers(database) == {"consent": "yes"}


async def test_back_replaces_the_stored_answer(chat: Chat, database: Database) -> None:
    await open_survey(chat)
    for text in ["да", "1", "нет", "2"]:
        await chat.send(text)
    shown = await chat.say("назад")
    assert "Вопрос 4 " in shown and "2. Мужской ✓" in shown
    await chat.send("1")
    async with database.transaction() as session:
        row = await session.scalar(select(SurveyAnswer).where(SurveyAnswer.question_id == "gender"))
    assert row is not None and row.value == "female" and row.revision == 2


async def test_the_shipped_questionnaire_is_published_once(
    dispatcher: Dispatcher, catalogs: Catalogs, database: Database
) -> None:
    for n in range(3):  # three people open the survey; the shipped file is published the first time
        person = Chat(dispatcher, catalogs, address=f"sim:{n}")
        await person.send()
        await person.send("2")
        assert "Вопрос 1 " in await person.say("1")
    async with database.transaction() as session:
        count = await session.scalar(select(func.count()).select_from(QuestionnaireVersion))
    assert count == 1


async def test_the_survey_command_in_the_survey_continues_the_same_run(chat: Chat, database: Database) -> None:
    await open_survey(chat)
    await chat.send("да")
    again = await chat.say("/survey")
    assert "Вопрос 2 " in again and "С возвращением!" in again
    await chat.send("1")
    assert await statuses(database) == ["in_progress"]
    assert await answers(database) == {"consent": "yes", "situation": ["unemployed"]}


async def test_odd_inputs_midway_are_reprompted_and_stored_text_is_clean(chat: Chat, database: Database) -> None:
    await open_survey(chat)
    for text in ["да", "1", "нет", "1", "2"]:
        await chat.send(text)
    for odd in ["🙂🙂", "", " ", "\x07\x1b", "я" * 5000]:
        reply = await chat.say(odd)
        assert "Пожалуйста, напишите ответ словами." in reply or "Слишком длинный ответ" in reply
    await chat.send("Аксу\u200b 🙂\x07")
    async with database.transaction() as session:
        row = await session.scalar(select(SurveyAnswer).where(SurveyAnswer.question_id == "settlement"))
    # control characters are dropped at the door (the dispatcher); the rest is kept as typed
    assert row is not None and row.value == "Аксу 🙂" and row.raw_text == "Аксу\u200b 🙂"
