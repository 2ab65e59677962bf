"""The list of centres a step shows is cached per process (issue 18) and read again whenever a
centre is added or edited: a villager asked for their centre sees a new centre and a new name
at once, with the same dispatcher."""

from __future__ import annotations

from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.i18n import Catalogs
from storage.centres import add_centre, edit_centre
from storage.db import Database
from tests.built import FEATURES
from tests.conftest import Chat
from tests.storage.courses_helpers import T0, make_centre


async def test_a_new_centre_and_a_renamed_one_show_at_the_next_step(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    async with database.transaction() as session:
        await make_centre(session, "aksu")
        await make_centre(session, "taldy")
    chat = Chat(Dispatcher(database, FEATURES, clock=clock), catalogs, address="sim:centres")
    await chat.send()
    asked = await chat.say("2")  # Russian: then the centre, two of them
    assert asked.count("Ақсу") == 2 and "Қызылжар" not in asked and "Талдыбұлақ" not in asked
    async with database.transaction() as session:
        await edit_centre(session, "taldy", {"settlement": "Талдыбұлақ"})
    renamed = await chat.say("ещё раз")  # not a village: the list is shown again
    assert "Талдыбұлақ" in renamed and "Қызылжар" not in renamed  # the list is labelled by village
    async with database.transaction() as session:
        await add_centre(session, "kyzyl", {"name_kk": "Қызылжар", "name_ru": "Кызылжар", "oblast": "Алматы",
                                            "district": "Еңбекшіқазақ", "settlement": "Қызылжар",
                                            "timezone": "Asia/Almaty"}, T0)
    assert "Қызылжар" in await chat.say("ещё раз")
