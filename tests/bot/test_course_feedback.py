"""The satisfaction questionnaire after a course: sent once to those who came, answered anywhere."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.features.course_feedback import send_due_feedback
from bot.i18n import Catalogs
from storage import courses as repo
from storage.db import Database
from storage.models import OutboxMessage
from storage.models.courses import Course, CourseAudit, CourseSession, Enrolment
from storage.models.surveys import Questionnaire, SurveyAnswer, SurveyInvitation, SurveyRun
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.bot.outbox_helpers import deliver
from tests.bot.sms_harness import sms_world
from tests.bot.telegram_harness import Villager, running_bot
from tests.built import FEATURES, outbox_sender
from tests.conftest import Chat
from tests.storage.courses_helpers import make_centre, make_course

AFTER_THE_LAST_SESSION = {"days": 14, "hours": 4}  # the last session ends on day 14 at 10:30 UTC


async def course_of_two(database: Database) -> int:
    async with database.transaction() as session:
        return (await make_course(session, await make_centre(session), capacity=2)).id


async def attended(database: Database, clock: FakeClock, *, present: bool = True) -> None:
    """Mark everyone enrolled (and nobody else) present or absent at every session."""
    async with database.transaction() as session:
        lessons = (await session.execute(select(CourseSession.id, CourseSession.starts_at))).all()
        enrolled = (await session.scalars(select(Enrolment.id).where(Enrolment.status == "enrolled"))).all()
        for lesson, starts_at in lessons:
            held = max(clock(), starts_at)  # marked during the session, never ahead of it
            for enrolment in enrolled:
                await repo.mark_attendance(session, lesson, enrolment, present, held, actor="cli:test")


async def enrolled_chat(database: Database, clock: FakeClock, catalogs: Catalogs, n: int, language: str) -> Chat:
    chat = Chat(Dispatcher(database, FEATURES, clock=clock), catalogs, address=f"sim:{n}")
    await chat.send()
    await chat.send("1" if language == "kk" else "2")
    await chat.send("2")  # Courses
    await chat.send("1")  # the course
    await chat.send("1")  # enrol
    return chat


async def invite_now(database: Database, clock: FakeClock) -> int:
    async with database.transaction() as session:
        return await send_due_feedback(session, clock())


async def test_attendees_are_invited_once_and_answer_by_typing(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    await course_of_two(database)
    came = await enrolled_chat(database, clock, catalogs, 1, "kk")
    await attended(database, clock)
    stayed_away = await enrolled_chat(database, clock, catalogs, 2, "ru")  # enrolled after the marking
    assert await invite_now(database, clock) == 0  # the course is not over yet
    clock.advance(**AFTER_THE_LAST_SESSION)
    assert await invite_now(database, clock) == 1
    assert await invite_now(database, clock) == 0  # once only
    async with database.transaction() as session:
        queued = (await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "feedback"))).all()
        course = await session.scalar(select(Course))
        audit = await session.scalar(select(CourseAudit).where(CourseAudit.action == "feedback"))
    assert len(queued) == 1 and queued[0].due_at == clock()
    assert course is not None and course.feedback_sent_at == clock()
    assert audit is not None and audit.details == {"invited": 1}

    # Once delivered, the idle conversation waits for the answer: a typed "1" starts the questions.
    ((to, text),) = await deliver(database, catalogs, clock)
    assert to == "sim:1" and text.startswith("«Компьютер сауаттылығы» курсы аяқталды.")
    first = await came.say("1")
    assert "Курс туралы пікіріңіз" in first and "Курс сізге пайдалы болды ма?" in first
    assert "Сабақ беру сапасын қалай бағалайсыз?" in await came.say("1")
    assert "Бұл курсты туыстарыңызға немесе көршілеріңізге ұсынар ма едіңіз?" in await came.say("2")
    assert "Енді нені үйренгіңіз келеді?" in await came.say("иә")
    assert "Тағы нені үйренгіңіз келеді?" in await came.say("1, 11")
    assert "Рақмет! Пікіріңіз орталыққа келесі курстарды жақсартуға көмектеседі." in await came.say("Бухгалтерия")
    assert "Опрос о потребностях в обучении" in await stayed_away.say("1")  # not invited: "1" is the menu's

    async with database.transaction() as session:
        invitation = await session.scalar(select(SurveyInvitation))
        run = await session.scalar(select(SurveyRun))
        answers = dict((await session.execute(select(SurveyAnswer.question_id, SurveyAnswer.value))).all())
        feedback = await session.scalar(select(Questionnaire).where(Questionnaire.slug == "course_feedback"))
    assert invitation is not None and invitation.status == "completed" and invitation.run_key == run.run_key
    assert invitation.subject == f"course:{course.id}" and invitation.about_ru == "Компьютерная грамотность"
    assert run is not None and run.status == "completed"
    assert answers == {"useful": "very", "teaching": "good", "recommend": "yes",
                       "next_topics": ["computer", "other"], "next_other": "Бухгалтерия"}
    assert feedback is not None and not feedback.active  # the menu's survey stays the needs survey
    assert "Оқу қажеттіліктері туралы сауалнама" in await came.say("1")  # back at the menu: "1" is its survey


async def test_a_declined_invitation_is_recorded_and_not_asked_again(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    await course_of_two(database)
    learner = await enrolled_chat(database, clock, catalogs, 1, "ru")
    await attended(database, clock)
    clock.advance(**AFTER_THE_LAST_SESSION)
    assert await invite_now(database, clock) == 1
    await deliver(database, catalogs, clock)
    assert "Хорошо, больше не будем спрашивать. Спасибо!" in await learner.say("нет")
    async with database.transaction() as session:
        invitation = await session.scalar(select(SurveyInvitation))
    assert invitation is not None and invitation.status == "declined"
    again = await learner.say(choice="start", context=f"invite{invitation.id}")
    assert "На этот опрос уже ответили или он закрыт." in again


async def test_absent_learners_and_cancelled_courses_get_nothing(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    course_id = await course_of_two(database)
    await enrolled_chat(database, clock, catalogs, 1, "ru")
    await attended(database, clock, present=False)
    clock.advance(**AFTER_THE_LAST_SESSION)
    assert await invite_now(database, clock) == 0
    async with database.transaction() as session:
        course = await session.get(Course, course_id)
        assert course is not None and course.feedback_sent_at == clock()  # decided: nobody came
        second = await make_course(session, await make_centre(session, "other"), status="cancelled")
        invitations = (await session.scalars(select(SurveyInvitation))).all()
    assert invitations == []
    assert await invite_now(database, clock) == 0
    async with database.transaction() as session:
        cancelled = await session.get(Course, second.id)
        assert cancelled is not None and cancelled.feedback_sent_at is None


def test_sending_feedback_is_a_periodic_job_of_the_bot() -> None:
    assert "course_feedback" in [job.name for job in FEATURES.jobs]


# What each language shows on the way through the questionnaire (button labels and texts).
SEEN = {
    "kk": {"language": "Қазақша", "courses": "Курстар", "course": "Компьютер сауаттылығы", "enrol": "Жазылу",
           "invitation": "«Компьютер сауаттылығы» курсы аяқталды. Қатысқаныңызға рақмет!", "count": "4 қысқа сұрақ",
           "start": "Сұрақтарға жауап беру", "useful": "Курс сізге пайдалы болды ма?",
           "somewhat": "Біршама пайдалы болды", "excellent": "Өте жақсы", "no": "Жоқ",
           "topics": "Енді нені үйренгіңіз келеді?", "sewing": "Тігін",
           "thanks": "Рақмет! Пікіріңіз орталыққа келесі курстарды жақсартуға көмектеседі.",
           "sms_greeting": "сәлем", "sms_courses": "курстар",
           "sms_useful": "Курс пайдалы болды ма?\n1 Өте пайдалы 2 Біршама 3 Пайдасыз", "sms_topics": "Тағы не үйренесіз?"},
    "ru": {"language": "Русский", "courses": "Курсы", "course": "Компьютерная грамотность", "enrol": "Записаться",
           "invitation": "Курс «Компьютерная грамотность» завершён. Спасибо, что учились у нас!",
           "count": "4 коротких вопроса", "start": "Ответить на вопросы", "useful": "Был ли курс вам полезен?",
           "somewhat": "Отчасти полезен", "excellent": "Отлично", "no": "Нет",
           "topics": "Чему вы хотели бы научиться дальше?", "sewing": "Шитьё",
           "thanks": "Спасибо! Ваше мнение поможет центру сделать следующие курсы лучше.",
           "sms_greeting": "привет", "sms_courses": "курсы",
           "sms_useful": "Курс был полезен?\n1 Очень 2 Отчасти 3 Нет", "sms_topics": "Что изучать дальше?"},
}


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_feedback_on_telegram_with_buttons(
    database: Database, catalogs: Catalogs, clock: FakeClock, language: str
) -> None:
    seen = SEEN[language]
    await course_of_two(database)
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock) as channel:
        villager = Villager(fake, channel, 901, language=language)
        await villager.says("/start")
        await villager.presses(seen["language"])
        listing = (await villager.presses(seen["courses"]))[0]
        detail = (await villager.presses(seen["course"], listing))[0]
        await villager.presses(seen["enrol"], detail)
        await attended(database, clock)
        clock.advance(**AFTER_THE_LAST_SESSION)
        assert await invite_now(database, clock) == 1
        assert await outbox_sender(database, catalogs, {"telegram": channel.sender}, clock=clock).send_due() == 1
        invitation = villager.last()
        assert invitation.text.startswith(seen["invitation"]) and seen["count"] in invitation.text
        useful = (await villager.presses(seen["start"], invitation))[-1]
        assert seen["useful"] in useful.text
        teaching = (await villager.presses(seen["somewhat"], useful))[-1]
        recommend = (await villager.presses(seen["excellent"], teaching))[-1]
        topics = (await villager.presses(seen["no"], recommend))[-1]
        assert seen["topics"] in topics.text
        await villager.presses(seen["sewing"], topics)
        done = await villager.presses_number(len(fake.messages[topics.message_id].buttons()),
                                             fake.messages[topics.message_id])
        assert seen["thanks"] in done[0].text
    async with database.transaction() as session:
        answers = dict((await session.execute(select(SurveyAnswer.question_id, SurveyAnswer.value))).all())
        invitation_row = await session.scalar(select(SurveyInvitation))
    assert answers == {"useful": "somewhat", "teaching": "excellent", "recommend": "no", "next_topics": ["sewing"]}
    assert invitation_row is not None and invitation_row.status == "completed"


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_feedback_over_sms(database: Database, catalogs: Catalogs, clock: FakeClock, language: str) -> None:
    seen = SEEN[language]
    await course_of_two(database)
    phone = "+77011234567"
    async with sms_world(database, catalogs, clock) as world:
        for text in (seen["sms_greeting"], "1" if language == "kk" else "2", seen["sms_courses"], "1", "1"):
            await world.say(phone, text)
        await attended(database, clock)
        clock.advance(**AFTER_THE_LAST_SESSION)
        assert await invite_now(database, clock) == 1
        assert await outbox_sender(database, catalogs, {"sms": world.sender}, clock=clock).send_due() == 1
        (invitation,) = world.new_for(phone)
        assert invitation.startswith(seen["invitation"]) and seen["count"] in invitation
        assert re.search(rf"\b1\.? {seen['start']}", invitation)  # "1 …" on one line where short (SMS)
        assert seen["sms_useful"] in "".join(await world.say(phone, "1"))  # the questionnaire's sms: wording
        await world.say(phone, "3")
        await world.say(phone, "4")
        assert seen["sms_topics"] in "".join(await world.say(phone, "иә" if language == "kk" else "да"))
        assert seen["thanks"] in "".join(await world.say(phone, "12"))
    async with database.transaction() as session:
        answers = dict((await session.execute(select(SurveyAnswer.question_id, SurveyAnswer.value))).all())
    assert answers == {"useful": "not_useful", "teaching": "poor", "recommend": "yes", "next_topics": ["nothing_now"]}


async def test_an_invitation_held_for_the_morning_does_not_capture_evening_answers(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    await course_of_two(database)
    learner = await enrolled_chat(database, clock, catalogs, 1, "ru")
    await attended(database, clock)
    clock.advance(days=14, hours=8)  # 17:00 UTC, 22:00 in Almaty: too late to message villagers
    assert await invite_now(database, clock) == 1
    assert await deliver(database, catalogs, clock) == []  # held until 10:00
    assert "Открытые курсы вашего центра:" in await learner.say("2")  # "2" still means Courses
    await learner.say("меню")
    clock.advance(hours=12)  # 05:00 UTC: 10:00 in Almaty
    ((_, text),) = await deliver(database, catalogs, clock)
    assert text.startswith("Курс «Компьютерная грамотность» завершён.")
    assert "Был ли курс вам полезен?" in await learner.say("1")
