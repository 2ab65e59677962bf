"""Courses through the real channel adapters: buttons on Telegram, numbered answers over SMS."""

from __future__ import annotations

from sqlalchemy import select

from bot.clock import FakeClock
from bot.i18n import Catalogs
from storage.db import Database
from storage.models.courses import Enrolment
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.bot.sms_harness import sms_world
from tests.bot.telegram_harness import Villager, running_bot
from tests.storage.courses_helpers import make_centre, make_course


async def one_seat(database: Database) -> None:
    async with database.transaction() as session:
        await make_course(session, await make_centre(session), capacity=1)


async def test_enrol_with_buttons_on_telegram(database: Database, catalogs: Catalogs, clock: FakeClock) -> None:
    await one_seat(database)
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock) as channel:
        villager = Villager(fake, channel, 900, language="kk")
        await villager.says("/start")
        await villager.presses("Қазақша")
        (listing,) = await villager.presses("Курстар")
        assert "Компьютер сауаттылығы: 1 бос орын" in listing.text
        (detail,) = await villager.presses("Компьютер сауаттылығы", listing)
        assert "Сабақ кестесі:" in detail.text
        done = await villager.presses("Жазылу", detail)
        assert done[0].text.startswith("Жазылдыңыз! «Компьютер сауаттылығы» курсында сізге орын бекітілді.")
    async with database.transaction() as session:
        assert (await session.scalars(select(Enrolment.status))).all() == ["enrolled"]


async def test_waiting_list_over_sms_in_russian(database: Database, catalogs: Catalogs, clock: FakeClock) -> None:
    await one_seat(database)
    async with sms_world(database, catalogs, clock) as world:
        first, second = "+77011234567", "+77021234567"
        for phone in (first, second):
            await world.say(phone, "привет")
            await world.say(phone, "2")  # Русский
            await world.say(phone, "курсы")
            await world.say(phone, "1")
        assert "Вы записаны на курс «Компьютерная грамотность»." in (await world.say(first, "1"))[0]  # SMS wording
        waiting = (await world.say(second, "1"))[0]
        assert "Вы записаны в очередь." in waiting
        assert "Ваш номер в очереди: 1." in waiting
        mine = (await world.say(second, "мои записи"))[0]
        assert "Компьютерная грамотность: вы в очереди, номер 1" in mine
