"""A villager of a bot that serves two centres chooses theirs, over SMS, Telegram and the terminal.

Courses are per centre: after the choice the villager sees their centre's courses only, and
after changing centre from the menu, the other centre's.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.i18n import Catalogs
from storage.db import Database
from storage.models import Centre, Contact
from tests.bot.phones import world_of
from tests.storage.courses_helpers import make_centre, make_course

SEEN = {
    "kk": {"language": "Қазақша", "asked": "оқу орталығыңыз қай ауылда", "asked_sms": "Ауылыңыз қай?", "courses": "Курстар",
           "taldy": "Талдыбұлақ ауылының оқу орталығы", "aksu": "Ақсу ауылының оқу орталығы",
           "sewing": "Тігін", "computer": "Компьютер сауаттылығы", "mine": "Менің оқу орталығым", "mine_sms": "Орталық",
           "menu": "Басты мәзір"},
    "ru": {"language": "Русский", "asked": "В каком селе ваш центр обучения", "asked_sms": "Ваше село?", "courses": "Курсы",
           "taldy": "Центр обучения села Талдыбулак", "aksu": "Центр обучения села Аксу",
           "sewing": "Шитьё", "computer": "Компьютерная грамотность", "mine": "Мой центр обучения", "mine_sms": "Центр",
           "menu": "Главное меню"},
}


async def two_centres(database: Database) -> None:
    async with database.transaction() as s:
        aksu = await make_centre(s, "aksu")
        aksu.name_kk, aksu.name_ru = "Ақсу ауылының оқу орталығы", "Центр обучения села Аксу"
        taldy = await make_centre(s, "taldy")
        taldy.settlement, taldy.name_kk, taldy.name_ru = (
            "Талдыбұлақ", "Талдыбұлақ ауылының оқу орталығы", "Центр обучения села Талдыбулак")
        await make_course(s, aksu)
        sewing = await make_course(s, taldy, code="sewing-1")
        sewing.title_kk, sewing.title_ru = "Тігін", "Шитьё"


async def centre_of(database: Database) -> str | None:
    async with database.transaction() as s:
        slugs = (await s.scalars(select(Centre.slug).join(Contact, Contact.centre_id == Centre.id))).all()
        return slugs[0] if len(slugs) == 1 else None


@pytest.mark.parametrize(("channel", "language"), [("sms", "kk"), ("sms", "ru"), ("telegram", "kk"),
                                                   ("telegram", "ru"), ("simulator", "kk")])
async def test_a_villager_chooses_their_centre_and_sees_its_courses_then_changes_it(
    channel: str, language: str, database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    await two_centres(database)
    seen = SEEN[language]
    if channel == "sms":  # said briefly (bot.channels.sms_wording)
        seen = {**seen, "asked": seen["asked_sms"], "mine": seen["mine_sms"]}
    async with world_of(channel, database, catalogs, clock) as world:
        phone = world.phone(1, language)
        await phone.open()
        asked = await phone.choose(seen["language"])
        assert seen["asked"] in asked
        if channel != "telegram":  # Telegram shows them as buttons, pressed below
            assert "1 Ақсу" in asked.replace(".", "") and "2 Талдыбұлақ" in asked.replace(".", "")
        assert seen["menu"] not in asked  # no menu before the centre is known
        # Any message before choosing brings the question back, rather than a menu.
        assert seen["asked"] in await phone.say("курсы")
        if channel == "sms":  # typed on a phone without Kazakh letters
            chosen = await phone.say("талдыбулак")
        else:
            chosen = await phone.choose("Талдыбұлақ")
        assert seen["taldy"] in chosen
        assert await centre_of(database) == "taldy"

        menu = await phone.say("/menu")  # past the name question, which comes next
        assert seen["menu" if channel != "sms" else "courses"] in menu  # SMS: "Menu:" and the items
        listing = await phone.choose(seen["courses"])
        assert seen["sewing"] in listing and seen["computer"] not in listing

        await phone.say("/menu")
        again = await phone.choose(seen["mine"])
        assert seen["asked"] in again
        moved = await phone.choose("Ақсу")
        assert seen["aksu"] in moved
        assert await centre_of(database) == "aksu"
        listing = await phone.choose(seen["courses"])
        assert seen["computer"] in listing and seen["sewing"] not in listing


async def test_a_deep_link_to_one_of_two_centres_asks_nothing(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    await two_centres(database)
    async with world_of("telegram", database, catalogs, clock) as world:
        phone = world.phone(1, "ru")
        await phone.say("/start taldy")
        after = await phone.choose("Русский")
        assert SEEN["ru"]["asked"] not in after and SEEN["ru"]["menu"] in after
        assert await centre_of(database) == "taldy"
