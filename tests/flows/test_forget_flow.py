"""«Деректерімді өшіру» / «удалить мои данные»: one word, one confirmation, then the erasure effect."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.engine import step
from flows.events import ContactFacts, Facts, Inbound, Msg, State, Step
from flows.forget import ForgetMe
from tests.flows.standard import DEMO, FLOWS
from tests.flows.survey_forms import Talk, needs

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
FACTS = Facts(contact=ContactFacts(1, "kk", False, centre_slug="demo", name="Айгүл"), centres=(DEMO,))
CONFIRM = ("Delete your data? Your name, phone number, your answers and everything you wrote to the bot will be "
           "deleted, and you will leave your courses and waiting lists. This cannot be undone.")


def say(state: State | None, text: str | None = None, **kwargs: object) -> Step:
    return step(state, Inbound("simulator", "sim:1", text=text, **kwargs), NOW, FACTS, FLOWS)  # type: ignore[arg-type]


def keys(result: Step) -> list[str]:
    return [part.key for r in result.replies for part in r.body if isinstance(part, Msg)]


@pytest.mark.parametrize("words", ["/forget", "Деректерімді өшіру", "удалить мои данные", "ДЕРЕКТЕРIМДI ОШIРУ"])
def test_the_words_ask_for_confirmation_and_change_nothing_yet(words: str) -> None:
    asked = say({"stage": "menu"}, words)
    assert keys(asked) == [CONFIRM]
    assert [c.id for c in asked.replies[0].choices] == ["yes", "no"]
    assert asked.effects == ()


@pytest.mark.parametrize("answer", ["1", "иә", "Да"])
def test_yes_erases_and_shows_no_menu(answer: str) -> None:
    done = say(say({"stage": "menu"}, "/forget").state, answer)
    assert done.effects == (ForgetMe(),)
    assert keys(done) == ["Your data has been deleted. If you write to the bot again, we start afresh."]
    assert not done.replies[-1].choices


@pytest.mark.parametrize("answer", ["2", "жоқ", "/cancel"])
def test_no_or_cancel_keeps_everything(answer: str) -> None:
    kept = say(say({"stage": "menu"}, "/forget").state, answer)
    assert not kept.effects
    assert kept.state["stage"] == "menu"


def test_anything_else_asks_again_and_the_yes_button_erases() -> None:
    asked = say({"stage": "menu"}, "/forget")
    again = say(asked.state, "мүмкін")
    assert keys(again) == [CONFIRM] and not again.effects
    pressed = say(asked.state, choice="yes", context="forget")
    assert pressed.effects == (ForgetMe(),)


def test_the_words_work_at_the_survey_consent_and_in_the_middle_of_the_survey() -> None:
    for answers in ((), ("1",)):  # at the consent question; at the question after it
        talk = Talk(needs(), "kk")
        talk.start()
        for answer in answers:
            talk.send(answer)
        assert talk.state is not None and talk.state["flow"] == "survey"
        asked = talk.send("деректерімді өшіру")
        assert keys(asked)[-1] == CONFIRM
        assert not [e for e in asked.effects if type(e).__name__ == "SaveAnswer"]  # not taken as an answer
        assert talk.state["flow"] == "forget"
        assert talk.send("1").effects[-1] == ForgetMe()


def test_a_confirmation_long_after_the_question_is_asked_again() -> None:
    asked = say({"stage": "menu"}, "/forget")
    later = step(asked.state, Inbound("simulator", "sim:1", text="1"), NOW + dt.timedelta(hours=20), FACTS, FLOWS)
    assert not later.effects
    assert keys(later) == [CONFIRM]
