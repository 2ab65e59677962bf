"""Reminders reach villagers through each channel's real adapter (terminal, fake Bot API, Twilio).

A seat frees up, the offer goes out, the reminder halfway to its deadline arrives and is
answered with the offer's own choice; then the evening-before and 2-hours-before reminders of
the first session arrive at their local times, in the person's language (SMS in short form).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.features.reminders import reminders_job
from bot.i18n import Catalogs
from bot.scheduler import JobContext
from storage.db import Database
from storage.models.courses import Enrolment
from tests.bot.phones import CHANNELS, world_of
from tests.bot.sms_seen import MENU_WORD, sms_seen
from tests.bot.test_courses_every_channel import SEEN, one_seat

ALMATY = ZoneInfo("Asia/Almaty")
REMINDED = {
    "kk": {
        "offer_reminder": "Еске саламыз: «Компьютер сауаттылығы» курсындағы орын әлі де сізге сақталып тұр.",
        "eve": "Еске саламыз: «Компьютер сауаттылығы» курсының сабағы — 9 наурыз, 14:00, орны: Мектеп, 12-кабинет.",
        "soon": "«Компьютер сауаттылығы» курсының сабағы жақында басталады: 9 наурыз, 14:00",
    },
    "ru": {
        "offer_reminder": "Напоминаем: место на курсе «Компьютерная грамотность» остаётся за вами до 4 марта, 14:00.",
        "eve": "Напоминаем: занятие курса «Компьютерная грамотность» — 9 марта, 14:00, место: Школа, кабинет 12.",
        "soon": "Скоро начнётся занятие курса «Компьютерная грамотность»: 9 марта, 14:00",
    },
}
SMS_REMINDED = {
    "kk": {
        "offer_reminder": "«Компьютер сауаттылығы» курсында сізге орын сақтаулы. Жауап мерзімі — 4 наурыз, 14:00.",
        "eve": "Еске салу: «Компьютер сауаттылығы», 9 наурыз, 14:00, Мектеп, 12-кабинет.",
        "soon": "Жақында: «Компьютер сауаттылығы», 9 наурыз, 14:00",
    },
    "ru": {
        "offer_reminder": "Место на курсе «Компьютерная грамотность» за вами до 4 марта, 14:00. Займёте?",
        "eve": "Напоминание: «Компьютерная грамотность», 9 марта, 14:00, Школа, кабинет 12.",
        "soon": "Скоро: «Компьютерная грамотность», 9 марта, 14:00",
    },
}


def local(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=ALMATY).astimezone(dt.UTC)


@pytest.mark.parametrize(("channel", "language"), [(c, "ru") for c in CHANNELS] + [("sms", "kk")])
async def test_offer_and_session_reminders_arrive_on_every_channel(
    database: Database, catalogs: Catalogs, clock: FakeClock, channel: str, language: str
) -> None:
    seen = SEEN[language] | sms_seen(channel, language)
    reminded = SMS_REMINDED[language] if channel == "sms" else REMINDED[language]
    job = JobContext(database, catalogs, clock)
    await one_seat(database)
    async with world_of(channel, database, catalogs, clock) as world:
        aigerim, bolat = world.phone(1, language), world.phone(2, language)
        for phone in (aigerim, bolat):
            await phone.open()
            await phone.choose(seen["language"])
        await aigerim.choose(seen["courses"])
        await aigerim.choose(seen["course"])
        assert seen["seat"] in await aigerim.choose(seen["enrol"])
        await bolat.choose(seen["courses"])
        await bolat.choose(seen["course"])
        assert seen["waiting"] in await bolat.choose(seen["join"])
        if channel == "sms":  # SMS points to the menu after an answer
            await aigerim.say(MENU_WORD[language])
        await aigerim.choose(seen["mine"])
        await aigerim.choose(seen["course"])
        await aigerim.choose(seen["leave"])
        await aigerim.choose(seen["yes_leave"])
        assert await world.deliver() == 1
        assert seen["offer"] in bolat.inbox()

        clock.now = local(3, 14)  # halfway to the deadline (4 March, 14:00)
        assert await reminders_job(job) == 1
        assert await world.deliver() == 1
        assert reminded["offer_reminder"] in bolat.inbox()
        assert seen["confirmed"] in await bolat.choose(seen["accept"])  # answered from the reminder

        clock.now = local(8, 18)
        assert await reminders_job(job) == 1  # Bolat holds the seat now; Aigerim left
        assert await world.deliver() == 1
        assert reminded["eve"] in bolat.inbox()
        clock.now = local(9, 12)
        assert await reminders_job(job) == 1
        assert await reminders_job(job) == 0
        assert await world.deliver() == 1
        assert reminded["soon"] in bolat.inbox()
        assert aigerim.inbox() == ""
    async with database.transaction() as session:
        assert list((await session.scalars(select(Enrolment.status).order_by(Enrolment.id))).all()) == [
            "left", "enrolled"]
