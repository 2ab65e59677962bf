"""The course a step may change is locked before its facts are read, so the step runs once.

A facilitator's transaction (or another bot process) holds the course's lock and changes its
seats while a villager presses a button. The villager's step waits for the lock, then reads
what that transaction committed: it tells the truth at the first attempt, where before it read
the seats first, was refused by its effect's re-check and ran a second time. The facts loader
counts how often it is asked. PostgreSQL only: on SQLite a step cannot start while another
transaction holds the database's write lock, so there is nothing to interleave.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import system_clock
from bot.dispatcher import Dispatcher
from bot.facts import FactsLoader
from bot.feature import FeatureSet
from bot.i18n import Catalogs
from storage import courses as repo
from storage.db import Database
from storage.models import Contact
from storage.models.courses import Enrolment
from tests.built import FEATURES
from tests.conftest import Chat
from tests.storage.courses_helpers import make_centre, make_course


def counting(loads: Counter[int]) -> FeatureSet:
    """The bot's features, with the courses facts loader counting its calls per contact."""
    features = []
    for feature in FEATURES.features:
        if feature.name == "courses":
            (loader,) = feature.facts

            async def load(session: AsyncSession, contact: Contact, now: dt.datetime,
                           inner: FactsLoader = loader) -> Any:
                loads[contact.id] += 1
                return await inner.load(session, contact, now)

            feature = replace(feature, facts=(FactsLoader(loader.group, loader.provides, load),))
        features.append(feature)
    return FeatureSet.of(features)


async def waits_for(database: Database, holder: AsyncSession) -> None:
    """Until another transaction waits for one that ``holder`` holds (bounded)."""
    xid = await holder.scalar(text("SELECT pg_current_xact_id()::text::bigint"))
    for _ in range(500):
        async with database.transaction() as session:
            waiting = await session.scalar(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' "
                "AND transactionid::text::bigint = :xid AND NOT granted"), {"xid": xid})
        if waiting:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("nobody waited for the course's lock")


async def people(database: Database, catalogs: Catalogs, bot: Dispatcher, *, capacity: int) -> tuple[int, list[Chat]]:
    async with database.transaction() as session:
        course = await make_course(session, await make_centre(session), capacity=capacity)
    chats = [Chat(bot, catalogs, address=f"sim:{n}") for n in range(2)]
    for chat in chats:
        await chat.send("русский")
    return course.id, chats


def ran_once(chat: Chat, loads: Counter[int]) -> bool:
    """The facts were read once for the press: the step was not refused and run again."""
    assert chat.last is not None and chat.last.contact_id is not None
    return loads[chat.last.contact_id] == 1


@pytest.fixture
def postgres(database: Database) -> Database:
    if database.is_sqlite:
        pytest.skip("SQLite: a step cannot start while another transaction holds the write lock")
    return database


async def test_the_last_seat_taken_while_pressing_enrol_is_read_after_the_lock(
    postgres: Database, catalogs: Catalogs
) -> None:
    loads: Counter[int] = Counter()
    bot = Dispatcher(postgres, counting(loads))
    course_id, (aigerim, bolat) = await people(postgres, catalogs, bot, capacity=1)
    await bolat.send("курсы")
    assert "осталось 1 свободное место" in await bolat.say("1")  # the course's details
    loads.clear()
    async with postgres.transaction() as facilitator:
        await repo.lock_course(facilitator, course_id)
        pressing = asyncio.create_task(bolat.say("1"))  # «Записаться», one seat shown
        await waits_for(postgres, facilitator)
        assert aigerim.last is not None and aigerim.last.contact_id is not None
        await repo.enrol(facilitator, course_id, aigerim.last.contact_id, system_clock(), actor="cli:test")
    answer = await pressing
    assert "вы записаны в лист ожидания" in answer and "Ваш номер в очереди: 1." in answer
    assert ran_once(bolat, loads)


async def test_an_offer_expiring_while_it_is_accepted_is_read_after_the_lock(
    postgres: Database, catalogs: Catalogs
) -> None:
    loads: Counter[int] = Counter()
    bot = Dispatcher(postgres, counting(loads))
    course_id, (aigerim, bolat) = await people(postgres, catalogs, bot, capacity=1)
    for chat in (aigerim, bolat):
        for said in ("курсы", "1", "1"):  # Aigerim takes the seat, Bolat waits
            await chat.send(said)
    async with postgres.transaction() as session:
        (seated,) = await repo.enrolments_with(session, course_id, ("enrolled",))
        await repo.leave(session, seated.id, system_clock(), actor="cli:test")  # the seat is offered to Bolat
        offered = await session.scalar(select(Enrolment).where(Enrolment.status == "offered"))
        assert offered is not None
    await bolat.send("мои курсы")
    assert "1. Принять место" in await bolat.say("1")  # the offer, from his enrolments
    loads.clear()
    async with postgres.transaction() as facilitator:
        await repo.lock_course(facilitator, course_id)
        pressing = asyncio.create_task(bolat.say("1"))  # «Принять место»
        await waits_for(postgres, facilitator)
        assert offered.offer_deadline is not None  # never at night, so not always 48 hours away
        later = offered.offer_deadline + dt.timedelta(minutes=1)
        assert await repo.expire_offer(facilitator, offered.id, later) is not None
    assert "Пока вы отвечали, ситуация изменилась" in await pressing
    assert ran_once(bolat, loads)
