"""The active questionnaire's version is cached per database (issue 18) and read again when a
new version is published or another questionnaire is activated: the next survey a villager
starts, with the same dispatcher, is the new one."""

from __future__ import annotations

from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.features.surveys import definition_of, shipped_default
from bot.i18n import Catalogs
from storage import surveys
from storage.db import Database
from tests.built import FEATURES
from tests.conftest import Chat
from tests.storage.courses_helpers import make_centre


async def test_a_new_version_and_a_new_active_questionnaire_are_seen_at_once(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    async with database.transaction() as session:
        await make_centre(session)
    dispatcher = Dispatcher(database, FEATURES, clock=clock)

    async def survey_title(address: str) -> str:
        chat = Chat(dispatcher, catalogs, address=address)
        await chat.send()
        await chat.send("2")
        return await chat.say("1")  # the survey, from the menu

    assert "Опрос о потребностях в обучении" in await survey_title("sim:first")  # the shipped one
    shipped = definition_of(shipped_default())
    renamed = {**shipped, "title": {**shipped["title"], "ru": "Опрос села, версия 2"}}
    async with database.transaction() as session:
        await surveys.publish(session, shipped["id"], renamed, source="t", now=clock())
    assert "Опрос села, версия 2" in await survey_title("sim:second")  # a new version of the active one
    other = {**shipped, "id": "school", "title": {**shipped["title"], "ru": "Опрос о школе"}}
    async with database.transaction() as session:
        await surveys.publish(session, "school", other, source="t", now=clock(), activate=True)
    assert "Опрос о школе" in await survey_title("sim:third")  # another questionnaire made active
