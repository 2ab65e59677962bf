"""What a facilitator's change to a course tells its learners, each in their own language."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.clock import FakeClock
from bot.features.course_changes import change_capacity, schedule_of, tell_schedule_change
from bot.i18n import Catalogs
from storage.db import Database
from storage.models import OutboxMessage
from storage.models.courses import CourseSession, Enrolment
from tests.bot.outbox_helpers import deliver
from tests.bot.test_courses_dispatch import person, statuses
from tests.storage.courses_helpers import make_centre, make_course


async def course_of(database: Database, capacity: int) -> int:
    async with database.transaction() as session:
        return (await make_course(session, await make_centre(session), capacity=capacity)).id


async def test_a_moved_or_cancelled_session_is_told_to_seat_holders_and_offers_in_their_language(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    course_id = await course_of(database, capacity=2)
    aigerim = await person(database, clock, catalogs, 1, "kk")
    oleg = await person(database, clock, catalogs, 2, "ru")
    for chat in (aigerim, oleg):
        await chat.say("2")
        await chat.say("1")
        await chat.say("1")  # enrolled
    waiting = await person(database, clock, catalogs, 3, "ru")
    await waiting.say("2")
    await waiting.say("1")
    await waiting.say("1")  # on the waiting list: nothing changes for them yet
    assert await statuses(database) == ["enrolled", "enrolled", "waiting"]

    async with database.transaction() as session:
        before = await schedule_of(session, course_id)
        first, second = (await session.scalars(select(CourseSession).where(CourseSession.course_id == course_id)
                                               .order_by(CourseSession.starts_at))).all()
        first.place_kk, first.place_ru = "Мәдениет үйі", "Дом культуры"
        second.starts_at += dt.timedelta(days=1, hours=2)
        await session.flush()
        assert await tell_schedule_change(session, course_id, before, clock()) == 2

    sent = dict(await deliver(database, catalogs, clock))
    assert set(sent) == {"sim:1", "sim:2"}
    assert "«Компьютер сауаттылығы» курсының сабақ кестесі өзгерді:" in sent["sim:1"]
    assert "9 наурыз, 14:00 сабағы: енді Мәдениет үйі, 90 минут." in sent["sim:1"]
    assert "Сабақ ауыстырылды: 16 наурыз, 14:00 → 17 наурыз, 16:00, Мектеп, 12-кабинет." in sent["sim:1"]
    assert "Изменилось расписание курса «Компьютерная грамотность»:" in sent["sim:2"]
    assert "Занятие перенесено: 16 марта, 14:00 → 17 марта, 16:00, Школа, кабинет 12." in sent["sim:2"]

    async with database.transaction() as session:
        before = await schedule_of(session, course_id)
        assert await tell_schedule_change(session, course_id, before, clock()) == 0  # nothing changed


async def test_a_forced_lower_capacity_withdraws_an_open_offer_and_says_so(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    course_id = await course_of(database, capacity=1)
    aigerim = await person(database, clock, catalogs, 1, "kk")
    oleg = await person(database, clock, catalogs, 2, "ru")
    for chat in (aigerim, oleg):
        await chat.say("2")
        await chat.say("1")
        await chat.say("1")
    async with database.transaction() as session:
        await change_capacity(session, course_id, 2, clock(), actor="cli:test")  # oleg gets an offer
        resized = await change_capacity(session, course_id, 1, clock(), actor="cli:test", force=True)
    assert [row.contact_id for row in resized.withdrawn] == [2]
    assert await statuses(database) == ["enrolled", "waiting"]
    sent = await deliver(database, catalogs, clock)
    assert [to for to, _ in sent] == ["sim:2"]  # the offer queued before is not sent any more
    assert "Центр сократил число мест на курсе «Компьютерная грамотность»" in sent[0][1]
    assert "Ваш номер в очереди: 1." in sent[0][1]
    async with database.transaction() as session:
        kinds = list(await session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)))
        rows = list(await session.scalars(select(Enrolment.status).order_by(Enrolment.id)))
    assert kinds == ["offer", "offer_withdrawn"] and rows == ["enrolled", "waiting"]
