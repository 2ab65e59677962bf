"""The first conversation, driven through the pure engine: language, menu, help, stale buttons."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from flows.engine import step
from flows.events import (
    AttachCentre,
    ContactFacts,
    Facts,
    Inbound,
    LinkPhone,
    Localized,
    Msg,
    SetLanguage,
    State,
    Step,
)
from flows.registry import FlowRegistry
from tests.flows.standard import DEMO, FLOWS

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def facts(language: str | None = None, *, is_new: bool = False, **kwargs: object) -> Facts:
    return Facts(contact=ContactFacts(1, language, is_new), **kwargs)  # type: ignore[arg-type]


def say(state: State | None, language: str | None, text: str | None = None, **kwargs: object) -> Step:
    event = Inbound("simulator", "sim:1", text=text, **kwargs)  # type: ignore[arg-type]
    return step(state, event, NOW, facts(language, is_new=state is None), FLOWS)


def at_menu() -> State:
    """A new person who chose Kazakh and skipped the name question (by /menu)."""
    chosen = say(say(None, None, None).state, None, "1").state
    return say(chosen, "kk", "/menu").state


def keys(result: Step) -> list[str]:
    return [part.key if isinstance(part, Msg) else part.kk for r in result.replies for part in r.body]


def test_new_contact_is_greeted_in_both_languages_with_the_hint_first_and_preselected() -> None:
    result = say(None, None, None, language_hint="ru")
    (prompt,) = result.replies
    assert [part.language for part in prompt.body] == ["ru", "kk"]  # type: ignore[union-attr]
    assert [c.id for c in prompt.choices] == ["kk", "ru"]
    assert [c.selected for c in prompt.choices] == [False, True]
    assert result.state["stage"] == "language" and not result.effects


def test_without_a_hint_nothing_is_preselected() -> None:
    (prompt,) = say(None, None, "/start").replies
    assert not any(c.selected for c in prompt.choices)


def test_choosing_a_language_by_number_sets_it_and_shows_the_menu() -> None:
    first = say(None, None, None)
    result = say(first.state, None, "2")
    assert result.effects == (SetLanguage("ru"),)
    assert keys(result)[-1] == "Main menu. What would you like to do?"
    assert [c.id for c in result.replies[-1].choices] == [item for item, _ in FLOWS.menu_items]
    # a new person is asked how to be addressed, with the menu right below the question
    assert keys(result)[1] == "How should the centre address you? Write your name, or choose from the menu."
    assert result.state["stage"] == "name"


def test_choosing_a_language_by_button() -> None:
    first = say(None, None, None)
    result = say(first.state, None, choice="kk", context="lang")
    assert result.effects == (SetLanguage("kk"),)


def test_a_wrong_answer_to_the_language_question_asks_again_in_both_languages() -> None:
    first = say(None, None, None)
    result = say(first.state, None, "5")
    assert keys(result) == ["Please answer 1 or 2.", "Please answer 1 or 2."]
    assert not result.effects and result.state["stage"] == "language"


def test_language_can_be_changed_by_command_word_and_by_menu() -> None:
    menu_state = at_menu()
    asked = say(menu_state, "kk", "/language")
    assert keys(asked)[0] == "Please choose your language."
    changed = say(asked.state, "kk", "Русский")
    assert changed.effects == (SetLanguage("ru",),)
    by_menu = say(changed.state, "ru", "4")
    assert by_menu.replies[0].context == "lang"
    assert say(by_menu.state, "ru", "1").effects == (SetLanguage("kk"),)


def test_a_bot_built_without_a_flow_neither_lists_nor_opens_it() -> None:
    from flows.questionnaire.runner import SURVEY

    surveys_only = FlowRegistry.of([SURVEY])
    menu_state = at_menu()
    event = Inbound("simulator", "sim:1", text="/courses")
    result = step(menu_state, event, NOW, facts("kk"), surveys_only)
    assert [c.id for c in result.replies[-1].choices] == ["survey", "language", "help", "name"]
    assert result.state["stage"] == "menu" and not result.effects
    assert keys(result)[0] == "I did not understand. Send a number from 1 to {count}, or a menu word."


def test_sharing_a_valid_phone_links_it_and_an_invalid_one_is_refused() -> None:
    menu_state = at_menu()
    shared = say(menu_state, "kk", shared_phone="8 701 123 45 67")
    assert shared.effects == (LinkPhone("+77011234567"),)
    assert keys(shared)[0] == "Thank you, your phone number is saved."
    refused = say(menu_state, "kk", shared_phone="12345")
    assert not refused.effects and keys(refused)[0] == "That phone number does not look right."


def test_phone_command_asks_with_a_share_button() -> None:
    menu_state = at_menu()
    (reply,) = say(menu_state, "kk", "/phone").replies
    assert reply.request_phone


def test_help_then_menu() -> None:
    menu_state = at_menu()
    result = say(menu_state, "kk", "көмек")
    assert keys(result)[0].startswith("This bot belongs to the Community Learning Centre in your village.")
    assert keys(result)[-1] == "Main menu. What would you like to do?"


def test_unknown_text_in_the_menu_says_what_is_expected() -> None:
    menu_state = at_menu()
    result = say(menu_state, "kk", "сәлем қалайсыз, маған курс керек еді")
    first = result.replies[0].body[0]
    assert isinstance(first, Msg) and first.params == {"count": len(FLOWS.menu_items)}


def test_a_press_on_a_button_of_an_old_message_is_not_applied() -> None:
    menu_state = at_menu()
    result = say(menu_state, "kk", choice="yes", context="survey:old-run:q1")
    assert result.replies[0].notice
    assert keys(result)[0] == "That button belongs to an earlier message."
    assert not result.effects


def test_a_returning_contact_with_nothing_said_sees_where_they_stand() -> None:
    menu_state = at_menu()
    result = say(menu_state, "kk", None)
    assert keys(result) == ["Main menu. What would you like to do?"]


def test_deep_link_attaches_a_known_centre_only() -> None:
    event = Inbound("telegram", "telegram:1", text="/start demo", start_payload="demo")
    known = step(None, event, NOW, facts(None, is_new=True, centres=(DEMO,)), FLOWS)
    assert AttachCentre("demo") in known.effects
    unknown = Inbound("telegram", "telegram:1", text="/start nowhere", start_payload="nowhere")
    assert not step(None, unknown, NOW, facts(None, centres=(DEMO,)), FLOWS).effects


def test_the_language_names_are_written_in_their_own_language() -> None:
    (prompt,) = say(None, None, None).replies
    labels = [c.label for c in prompt.choices]
    assert labels == [Localized("Қазақша", "Қазақша"), Localized("Русский", "Русский")]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=60), st.text(min_size=4000, max_size=5000)),
                max_size=8))
def test_any_sequence_of_inputs_never_raises_and_always_answers(texts: list[str | None]) -> None:
    state: State | None = None
    language: str | None = None
    for text in texts:
        result = say(state, language, text)
        assert result.replies, "every input gets an answer"
        for effect in result.effects:
            if isinstance(effect, SetLanguage):
                language = effect.language
        state = result.state


