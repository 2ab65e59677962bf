"""Enrolment straight from a course announcement, end to end (issue 16): a broadcast for a course
(``--for-course``) with its default text reaches the villager who asked for the course's subject
through the fake Bot API or the fake Twilio API; the Telegram button, or the reply word by SMS,
gives them a seat; the broadcast's report counts them as enrolled from it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.features.broadcasting import course_news_texts, send_now
from bot.i18n import Catalogs
from flows.audience import Audience
from storage import broadcasts as repo
from storage.db import Database
from storage.models import ChannelIdentity
from storage.models.courses import Enrolment
from storage.models.surveys import Questionnaire, QuestionnaireVersion, SurveyAnswer, SurveyRun
from tests.bot.phones import world_of
from tests.storage.courses_helpers import T0, make_centre, make_course

LANGUAGE_LABEL = {"kk": "Қазақша", "ru": "Русский"}
# What the villager reads: the course, its first session (in Almaty time), how to enrol.
NEWS = {
    "kk": ("Орталығыңызда жаңа курс: «Компьютер сауаттылығы».",
           "Алғашқы сабақ: 9 наурыз, 14:00, Мектеп, 12-кабинет.", "Сабақ саны: 2, соңғысы: 16 наурыз, 14:00.",
           "Осы хабарлама арқылы бірден жазыла аласыз."),
    "ru": ("Новый курс в вашем центре: «Компьютерная грамотность».",
           "Первое занятие: 9 марта, 14:00, Школа, кабинет 12.", "Занятий: 2, последнее — 16 марта, 14:00.",
           "Записаться можно прямо из этого сообщения."),
}
SEAT = {"telegram": "Жазылдыңыз! «Компьютер сауаттылығы» курсында сізге орын бекітілді.",
        "sms": "Вы записаны на курс «Компьютерная грамотность»."}  # SMS: the short wording


async def asked_for_computers(database: Database, address: str) -> None:
    """The person's completed needs survey chose computer skills (the course's tag)."""
    async with database.transaction() as session:
        contact_id = await session.scalar(select(ChannelIdentity.contact_id).where(ChannelIdentity.address == address))
        assert contact_id is not None
        questionnaire = Questionnaire(slug="needs-test", active=True, created_at=T0)
        session.add(questionnaire)
        await session.flush()
        version = QuestionnaireVersion(questionnaire_id=questionnaire.id, version=1, definition={},
                                       content_hash="x", source="t", created_at=T0)
        session.add(version)
        await session.flush()
        run = SurveyRun(run_key="r1", contact_id=contact_id, version_id=version.id, status="completed",
                        channel="x", started_at=T0, updated_at=T0, finished_at=T0)
        session.add(run)
        await session.flush()
        session.add(SurveyAnswer(run_id=run.id, question_id="interests", value=["computer"], answered_at=T0))


@pytest.mark.parametrize(("channel", "language", "address"), [
    ("telegram", "kk", "telegram:1001"), ("sms", "ru", "tel:+77010000001")])
async def test_a_villager_enrols_straight_from_a_course_announcement(
    database: Database, clock: FakeClock, catalogs: Catalogs, channel: str, language: str, address: str
) -> None:
    async with database.transaction() as session:
        centre = await make_centre(session)
        course_id = (await make_course(session, centre, capacity=3)).id
    async with world_of(channel, database, catalogs, clock) as world:
        phone = world.phone(1, language)
        await phone.open()
        await phone.choose(LANGUAGE_LABEL[language])
        await asked_for_computers(database, address)
        async with database.transaction() as session:
            texts = await course_news_texts(session, course_id, catalogs)
            broadcast_id = await repo.create_broadcast(
                session, centre_id=centre.id, texts=texts, audience=Audience(for_course_id=course_id),
                send_at=None, actor="cli:test", now=clock())
            assert (await send_now(session, broadcast_id, clock(), actor="cli:test")).queued == 1
        assert await world.deliver() == 1
        news = phone.inbox()
        for line in NEWS[language]:
            assert line in news
        if channel == "sms":  # the reply word, as a basic phone's user writes it
            assert "1 Записаться" in news
            answer = await phone.say("записаться")
        else:
            answer = await phone.choose("Жазылу")
        assert SEAT[channel] in answer
    async with database.transaction() as session:
        enrolment = await session.scalar(select(Enrolment).where(Enrolment.course_id == course_id))
        assert enrolment is not None and enrolment.status == "enrolled"
        found = await repo.report(session, await repo.get_broadcast(session, broadcast_id, None))
    assert found.enrolled == 1 and found.states["sent"] == 1
