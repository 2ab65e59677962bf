"""Features as explicit values: a bot built from a subset has exactly that subset, the set
refuses features that do not fit, and a step's facts are loaded once for one run of the step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from admin_cli import build_app
from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.effects import Applier
from bot.facts import FactsLoader
from bot.feature import Feature, FeatureSet
from bot.features.core import core_feature
from bot.features.courses_feature import COURSES
from bot.features.surveys_feature import SURVEYS
from bot.i18n import Catalogs
from flows.errors import FeatureError
from flows.events import N_, FactKey, Facts, Inbound, Localized, Reply, SetLanguage
from flows.registry import FlowSpec, FlowStep
from storage.db import Database
from storage.models import Contact
from tests.built import FEATURES
from tests.conftest import Chat

SURVEYS_ONLY = FeatureSet.of([core_feature(), SURVEYS])


async def test_a_bot_built_with_surveys_only_has_no_courses_anywhere(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    chat = Chat(Dispatcher(database, SURVEYS_ONLY, clock=clock), catalogs)
    await chat.send()
    menu = await chat.send("2")  # Русский
    assert menu[-1].splitlines()[2:6] == ["1. Опрос о потребностях", "2. Язык", "3. Помощь", "4. Моё имя"]
    await chat.send("/menu")  # past the name question, where any word would be a name
    assert "курс" not in (await chat.say("/courses")).lower()
    assert "курс" not in (await chat.say("курсы")).lower()
    assert [item for item, _ in SURVEYS_ONLY.flows.menu_items] == ["survey", "language", "help", "name"]
    assert SURVEYS_ONLY.jobs == () and SURVEYS_ONLY.demo_seeders == ()
    assert [kind.kind for kind in SURVEYS_ONLY.outbox_kinds] == ["reply"]  # the core's: replies kept until sent
    assert [name for name, _ in SURVEYS_ONLY.cli] == ["questionnaire"]
    assert [c.name for c in SURVEYS_ONLY.telegram_commands] == ["survey"]
    assert not any(effect.__module__.startswith("flows.courses") for effect in SURVEYS_ONLY.appliers)


def test_clc_admin_built_without_courses_has_no_course_commands() -> None:
    runner = CliRunner()
    assert runner.invoke(build_app(FEATURES), ["course", "--help"]).exit_code == 0
    missing = runner.invoke(build_app(SURVEYS_ONLY), ["course", "--help"])
    assert missing.exit_code != 0 and "No such command" in missing.output


def test_every_feature_of_the_full_bot_is_present() -> None:
    assert FEATURES.names() == (
        "core", "surveys", "courses", "course_feedback", "manage", "privacy", "reminders", "broadcasts",
        "announce", "results")
    assert [item for item, _ in FEATURES.flows.menu_items] == [
        "survey", "courses", "my", "language", "help", "name"]
    assert {job.name for job in FEATURES.jobs} == {
        "expire_offers", "course_feedback", "retention", "reminders", "broadcasts"}
    assert {kind.kind for kind in FEATURES.outbox_kinds} >= {
        "offer", "feedback", "cancelled", "farewell", "session_eve", "session_soon", "offer_reminder",
        "survey_nudge"}


def test_features_that_do_not_fit_are_refused_when_the_bot_is_built() -> None:
    with pytest.raises(FeatureError, match="facts loader"):
        FeatureSet.of([SURVEYS])  # without core: nobody loads the engine's session facts
    twice = Feature("again", appliers=(Applier(SetLanguage, core_feature().appliers[0].apply),))
    with pytest.raises(FeatureError, match="applier"):
        FeatureSet.of([core_feature(), twice])
    with pytest.raises(FeatureError, match="feature"):
        FeatureSet.of([core_feature(), COURSES, COURSES])
    needs_nothing_loaded = Feature("lonely", flows=(FlowSpec(ProbeFlow(), N_("Courses"), (), needs=frozenset({"x"})),))
    with pytest.raises(FeatureError, match="x"):
        FeatureSet.of([core_feature(), needs_nothing_loaded])


PROBE_FACT: FactKey[int] = FactKey("probe.loads")


class ProbeFlow:
    """A flow that counts how often the engine calls it and says what facts it saw."""

    name = "probe"

    def __init__(self) -> None:
        self.calls = 0

    def _answer(self, facts: Facts, data: dict[str, Any] | None) -> FlowStep:
        self.calls += 1
        seen = facts.get(PROBE_FACT, -1)
        return FlowStep(data, (Reply(body=(Localized(f"жүктелді {seen}", f"загружено {seen}"),)),))

    def start(self, event: Inbound, now: dt.datetime, facts: Facts) -> FlowStep:
        return self._answer(facts, {"view": "probe"})

    def resume(self, data: dict[str, Any], event: Inbound, now: dt.datetime, facts: Facts) -> FlowStep:
        return self._answer(facts, None if event.text == "end" else data)

    def reprompt(self, data: dict[str, Any], now: dt.datetime, facts: Facts) -> tuple[Reply, ...]:
        return self._answer(facts, data).replies

    def cancel(self, data: dict[str, Any], now: dt.datetime, facts: Facts) -> FlowStep:
        return FlowStep(None)


async def test_a_steps_facts_are_loaded_once_and_the_step_runs_once(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    loads: list[int] = []

    async def load(_session: AsyncSession, contact: Contact, _now: dt.datetime) -> Mapping[str, object]:
        loads.append(contact.id)
        return {PROBE_FACT: len(loads)}

    flow = ProbeFlow()
    probe = Feature(
        "probe",
        flows=(FlowSpec(flow, N_("Courses"), ("проба",), needs=frozenset({"probe"})),),
        facts=(FactsLoader("probe", (PROBE_FACT,), load),),
    )
    chat = Chat(Dispatcher(database, FeatureSet.of([core_feature(), probe]), clock=clock), catalogs)
    await chat.send()
    await chat.send("2")
    assert loads == [] and flow.calls == 0  # language and menu steps never load the probe's facts

    assert await chat.send("1") == ["загружено 1"]  # the menu item opens the flow: loaded first, once
    assert len(loads) == 1 and flow.calls == 1
    assert await chat.send("ещё") == ["загружено 2"]  # inside the flow: once per step
    assert len(loads) == 2 and flow.calls == 2
    await chat.send("end")
    await chat.send("/help")
    assert len(loads) == 3 and flow.calls == 3  # help at the menu touches no flow


def test_each_feature_applies_exactly_its_closed_set_of_effects() -> None:
    from typing import get_args

    from flows.announce_facts import CreateBroadcast
    from flows.courses.facts import CoursesEffect
    from flows.courses.staff import StaffEffect
    from flows.events import CoreEffect
    from flows.forget import ForgetMe
    from flows.questionnaire.invitations import SurveyEffect
    from flows.sms_session import SessionEffect

    closed = {
        "core": {*get_args(CoreEffect), *get_args(SessionEffect), ForgetMe},
        "surveys": set(get_args(SurveyEffect)),
        "courses": set(get_args(CoursesEffect)),
        "course_feedback": set(),
        "manage": set(get_args(StaffEffect)),
        "privacy": set(),
        "reminders": set(),
        "broadcasts": set(),
        "announce": {CreateBroadcast},
        "results": set(),
    }
    assert {f.name: {a.effect for a in f.appliers} for f in FEATURES.features} == closed


async def test_a_flow_reading_facts_it_did_not_declare_fails_loudly(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    """A flow whose ``needs`` forgot a group would silently see defaults ("no courses"); the
    step fails instead, so the mistake shows in the first test that walks the flow."""

    async def load(_session: AsyncSession, _contact: Contact, _now: dt.datetime) -> Mapping[str, object]:
        return {PROBE_FACT: 1}

    forgetful = Feature(
        "forgetful",
        flows=(FlowSpec(ProbeFlow(), N_("Courses"), ()),),  # reads probe.loads, declares nothing
        facts=(FactsLoader("probe", (PROBE_FACT,), load),),
    )
    chat = Chat(Dispatcher(database, FeatureSet.of([core_feature(), forgetful]), clock=clock), catalogs)
    await chat.send()
    await chat.send("2")
    await chat.send("1")
    assert chat.last is not None and chat.last.failed
