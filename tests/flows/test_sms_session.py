"""SMS opt-out and idle resume, decided purely by the engine."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.engine import step
from flows.events import Capability, ContactFacts, Facts, Inbound
from flows.sms_session import FACT_LAST_ACTIVITY, FACT_OPTED_OUT, FACT_RESUME_AFTER, OptIn, OptOut
from tests.flows.standard import FLOWS

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
MENU_STATE = {"seq": 3, "ctx": "menu", "stage": "menu", "flow": None, "data": None}


def facts(**extra: object) -> Facts:
    return Facts(contact=ContactFacts(contact_id=1, language="ru", is_new=False), extra=extra)


def sms(text: str, channel: str = "sms") -> Inbound:
    """As the SMS adapter builds it: with the opt-out and idle-resume capabilities."""
    capabilities: frozenset[Capability] = frozenset({"stop_words", "idle_resume"}) if channel == "sms" else frozenset()
    return Inbound(channel, "tel:+77011234567", text=text, capabilities=capabilities)


@pytest.mark.parametrize("word", ["STOP", "stop", "Стоп", "СТОП", "тоқта", "ТОҚТА", "Токта", "unsubscribe"])
def test_stop_opts_out_once_with_a_confirmation(word: str) -> None:
    result = step(MENU_STATE, sms(word), NOW, facts(), FLOWS)
    assert result.effects == (OptOut(),)
    assert [r.body[0].key for r in result.replies] == [  # type: ignore[union-attr]
        "You will get no more messages from us. To start again, send START."
    ]
    again = step(result.state, sms(word), NOW, facts(**{FACT_OPTED_OUT: True}), FLOWS)
    assert again.replies == () and again.effects == ()


@pytest.mark.parametrize("text", ["1", "help", "ПОМОЩЬ", "menu", "опрос", "hello?"])
def test_an_opted_out_number_gets_nothing(text: str) -> None:
    result = step(MENU_STATE, sms(text), NOW, facts(**{FACT_OPTED_OUT: True}), FLOWS)
    assert result.replies == () and result.effects == ()
    assert result.state["stage"] == "menu"


@pytest.mark.parametrize("word", ["START", "старт", "Бастау", "БАСТАУ"])
def test_start_opts_in_and_shows_the_menu(word: str) -> None:
    result = step(MENU_STATE, sms(word), NOW, facts(**{FACT_OPTED_OUT: True}), FLOWS)
    assert result.effects == (OptIn(),)
    keys = [r.body[0].key for r in result.replies]  # type: ignore[union-attr]
    assert keys == ["Welcome back! You will get our messages again.", "Main menu. What would you like to do?"]


def test_stop_on_telegram_is_not_an_opt_out() -> None:
    result = step(MENU_STATE, sms("stop", channel="telegram"), NOW, facts(), FLOWS)
    assert OptOut() not in result.effects


def test_idle_resume_needs_a_flow_and_a_long_silence() -> None:
    state = {"seq": 9, "ctx": "x", "stage": "flow", "flow": "survey", "data": {"at": None}}
    fresh = facts(**{FACT_LAST_ACTIVITY: NOW - dt.timedelta(days=2)})
    idle = facts(**{FACT_LAST_ACTIVITY: NOW - dt.timedelta(days=3, seconds=1)})
    short = facts(**{FACT_LAST_ACTIVITY: NOW - dt.timedelta(hours=2), FACT_RESUME_AFTER: dt.timedelta(hours=1)})
    welcome = "Welcome back! This is where you stopped. Answer to continue, or send MENU to start over."

    def first_key(result_facts: Facts, text: str = "да", where: dict[str, object] = state) -> str:
        result = step(where, sms(text), NOW, result_facts, FLOWS)
        return result.replies[0].body[0].key  # type: ignore[union-attr]

    assert first_key(idle) == welcome and first_key(short) == welcome
    assert first_key(fresh) != welcome
    assert first_key(idle, "меню") == "You left the survey."  # then the menu: starting over
    assert first_key(idle, where=MENU_STATE) != welcome  # in the menu there is nothing to resume
