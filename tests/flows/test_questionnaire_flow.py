"""The survey flow through the pure engine: questions, re-prompts, navigation, toggles, endings."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.events import Msg
from flows.keywords import COMMAND_WORDS
from flows.questionnaire.answers import DONE
from flows.questionnaire.effects import (
    AbandonRun,
    DiscardAnswer,
    FinishRun,
    ResumeRun,
    SaveAnswer,
    StartRun,
)
from flows.questionnaire.progress import Progress, progress
from flows.questionnaire.runner import FACT_RUN, FACT_RUN_COUNT
from flows.questionnaire.schema import Published, RunFacts
from tests.flows.survey_forms import Talk, every_type, keys, needs, question_reply

FORM = every_type()


def saved(talk: Talk) -> dict[str, object]:
    answers: dict[str, object] = {}
    for effect in talk.effects:
        if isinstance(effect, SaveAnswer):
            answers[effect.question_id] = effect.value
        if isinstance(effect, DiscardAnswer):
            answers.pop(effect.question_id, None)
    return answers


def test_start_shows_the_title_the_navigation_hint_and_the_first_question() -> None:
    talk = Talk(FORM)
    result = talk.start()
    texts = keys(result)
    assert texts[0] == "Все типы"
    assert texts[1].startswith('Write "back" to return to the previous question')
    assert texts[2:] == ["Question {n} of about {total}", "Вы согласны?"]  # plum_reason may be asked
    reply = question_reply(result)
    assert [c.id for c in reply.choices] == ["yes", "no"]
    assert reply.context == "survey:7-1:consent" and reply.expects == "choice"
    assert result.state["stage"] == "flow" and not result.effects


def test_a_full_run_saves_every_answer_once_and_finishes() -> None:
    talk = Talk(FORM)
    talk.start()
    for text in ["да", "3", "1 3", "42", "70,5", "сладкая", "8 701 123 45 67", "25.03.1990", "пропустить"]:
        talk.send(text)
    assert talk.state is not None and talk.state["stage"] == "menu"
    assert keys(talk.last)[0] == "Спасибо!"  # type: ignore[arg-type]
    assert isinstance(talk.effects[0], StartRun) and talk.effects[0].run_key == "7-1"
    assert isinstance(talk.effects[-1], FinishRun)
    assert saved(talk) == {
        "consent": "yes", "colour": "blue", "fruits": ["apple", "plum"], "age": 42, "weight": 70.5,
        "plum_reason": "сладкая", "phone": "+77011234567", "birthday": "1990-03-25",
    }
    raw = {e.question_id: e.raw_text for e in talk.effects if isinstance(e, SaveAnswer)}
    assert raw["weight"] == "70,5" and raw["phone"] == "8 701 123 45 67"


def test_a_note_is_shown_with_the_next_question_and_needs_no_answer() -> None:
    talk = Talk(FORM)
    talk.start()
    result = talk.send("1")
    assert keys(result)[:2] == ["Начинаем", "Question {n} of about {total}"]
    assert talk.at == "colour"


def test_a_wrong_answer_reprompts_with_what_is_expected_and_keeps_progress() -> None:
    talk = Talk(FORM)
    talk.start()
    talk.send("1")
    before = talk.data
    result = talk.send("7")
    first = result.replies[0].body[0]
    assert isinstance(first, Msg) and first.key == "Send a number from 1 to {count}." and first.params == {"count": 3}
    assert [c.id for c in result.replies[0].choices] == ["red", "green", "blue"]
    assert talk.data == before and not result.effects


def test_consent_no_stores_nothing_and_ends_politely() -> None:
    talk = Talk(FORM)
    talk.start()
    result = talk.send("жоқ")
    assert keys(result)[0] == "Понятно" and result.state["stage"] == "menu"
    assert result.effects == ()


def test_an_end_condition_ends_early_as_completed() -> None:
    talk = Talk(FORM)
    talk.start()
    for text in ["1", "1", "1"]:
        talk.send(text)
    result = talk.send("95")
    assert keys(result)[0] == "Всего доброго"
    assert saved(talk)["age"] == 95 and isinstance(result.effects[-1], FinishRun)


def test_a_constraint_reprompts_with_its_own_message() -> None:
    talk = Talk(FORM)
    talk.start()
    for text in ["1", "1", "1", "30"]:
        talk.send(text)
    result = talk.send("100")
    assert keys(result)[0] == "Только не 100" and talk.at == "weight"


def test_relevance_skips_a_question_and_progress_counts_it_out() -> None:
    talk = Talk(FORM)
    talk.start()
    talk.send("1")
    talk.send("2")  # green: plum_reason will not be asked
    first = question_reply(talk.last)  # type: ignore[arg-type]
    # green settles plum_reason's "colour in ('red', 'blue')": not asked, and the total is exact
    assert first.body[0] == Msg("Question {n} of {total}", {"n": 3, "total": 8})
    for text in ["1", "30", "70"]:
        talk.send(text)
    assert talk.at == "phone"
    assert progress(FORM, talk.data["answers"], "phone") == Progress(6, 8, exact=True)  # type: ignore[arg-type]


def test_back_returns_to_the_previous_question_and_a_new_answer_replaces_the_old() -> None:
    talk = Talk(FORM)
    talk.start()
    for text in ["1", "3", "слива"]:
        talk.send(text)
    result = talk.send("артқа")
    assert talk.at == "fruits"
    assert [c.selected for c in question_reply(result).choices] == [False, False, True, False, False]
    talk.send("назад")
    assert talk.at == "colour"
    assert [c.selected for c in question_reply(talk.last).choices] == [False, False, True]  # type: ignore[arg-type]
    talk.send("1")  # red now
    talk.send("1")  # apple only
    assert saved(talk)["colour"] == "red" and saved(talk)["fruits"] == ["apple"]
    result = talk.send("back")
    assert talk.at == "fruits"
    talk.send("1")
    talk.send("back")
    assert "Your earlier answer: {answer}" not in keys(talk.last)  # type: ignore[arg-type]
    talk.send("2")  # pear
    result = talk.send("back")
    assert talk.at == "fruits"


def test_back_then_a_changed_answer_discards_answers_that_no_longer_apply() -> None:
    talk = Talk(FORM)
    talk.start()
    for text in ["1", "1", "3", "30", "70", "потому что"]:
        talk.send(text)
    assert saved(talk)["plum_reason"] == "потому что"
    for _ in range(4):
        talk.send("назад")
    assert talk.at == "fruits"
    result = talk.send("1")  # no plum any more
    assert talk.at == "age"
    talk.send("30")
    result = talk.send("70")
    assert DiscardAnswer("7-1", "plum_reason") in result.effects
    assert "plum_reason" not in saved(talk) and talk.at == "phone"


def test_back_on_the_first_question_says_so() -> None:
    talk = Talk(FORM)
    talk.start()
    result = talk.send("артқа")
    assert keys(result)[0] == "This is the first question." and talk.at == "consent"


def test_back_shows_the_earlier_typed_answer() -> None:
    talk = Talk(FORM)
    talk.start()
    for text in ["1", "1", "1", "30"]:
        talk.send(text)
    result = talk.send("назад")
    body = question_reply(result).body
    assert Msg("Your earlier answer: {answer}", {"answer": "30"}) in body


def test_skip_only_where_optional() -> None:
    talk = Talk(FORM)
    talk.start()
    result = talk.send("skip")
    assert keys(result)[0] == "This question cannot be skipped." and talk.at == "consent"
    for text in ["1", "1", "1", "30", "70"]:
        talk.send(text)
    assert talk.at == "phone"
    assert 'You may skip this question: write "skip".' in keys(talk.last)  # type: ignore[arg-type]
    talk.send("өткізу")
    assert talk.at == "birthday" and "phone" not in saved(talk)
    talk.send("назад")
    assert talk.at == "phone"


def test_skipping_after_back_discards_the_earlier_answer() -> None:
    talk = Talk(FORM)
    talk.start()
    for text in ["1", "1", "1", "30", "70", "87011234567"]:
        talk.send(text)
    talk.send("назад")
    result = talk.send("пропустить")
    assert DiscardAnswer("7-1", "phone") in result.effects


def test_cancel_keeps_answers_and_abandons_the_run() -> None:
    talk = Talk(FORM)
    talk.start()
    talk.send("1")
    result = talk.send("болдырмау")
    assert keys(result)[0] == "You left the survey. The answers you gave so far are kept."
    assert result.effects == (AbandonRun("7-1"),) and result.state["stage"] == "menu"


def test_cancel_before_any_answer_leaves_no_trace() -> None:
    talk = Talk(FORM)
    talk.start()
    result = talk.send("отмена")
    assert keys(result)[0] == "You left the survey." and result.effects == ()


def test_menu_word_leaves_like_cancel() -> None:
    talk = Talk(FORM)
    talk.start()
    talk.send("1")
    assert talk.send("меню").effects == (AbandonRun("7-1"),)


def test_multiple_choice_toggles_by_buttons_then_done() -> None:
    talk = Talk(FORM)
    talk.start()
    talk.send("1")
    talk.send("1")
    ctx = "survey:7-1:fruits"
    result = talk.send(choice="plum", context=ctx)
    reply = result.replies[0]
    assert reply.edit and [c.selected for c in reply.choices] == [False, False, True, False, False]
    assert reply.choices[-1].id == DONE and not result.effects
    talk.send(choice="apple", context=ctx)
    talk.send(choice="plum", context=ctx)  # untoggled
    talk.send(choice="pear", context=ctx)
    result = talk.send(choice=DONE, context=ctx)
    assert saved(talk)["fruits"] == ["apple", "pear"] and talk.at == "age"


def test_toggles_outside_the_limits_reprompt_on_done_and_typed_done_works() -> None:
    talk = Talk(FORM)
    talk.start()
    talk.send("1")
    talk.send("1")
    ctx = "survey:7-1:fruits"
    result = talk.send(choice=DONE, context=ctx)
    assert keys(result)[0] == "Choose at least one option." and talk.at == "fruits"  # no numbers to send
    result = talk.send("5")  # the number shown for "done", typed
    assert keys(result)[0] == "Choose at least one option: send their numbers, for example: 1 3."
    for choice in ("apple", "pear", "plum"):
        talk.send(choice=choice, context=ctx)
    result = talk.send(choice=DONE, context=ctx)
    reason = question_reply(result).body[0]
    assert reason == Msg("Choose at most {count} option.", plural="Choose at most {count} options.", count=2)
    assert talk.at == "fruits"
    result = talk.send("5")  # typed: said in numbers
    assert keys(result)[0].startswith("Choose from {low} to {high}") and talk.at == "fruits"
    talk.send(choice="plum", context=ctx)
    talk.send("5")
    assert saved(talk)["fruits"] == ["apple", "pear"] and talk.at == "age"


def test_done_pressed_with_too_few_toggles_asks_for_the_minimum() -> None:
    form = every_type().model_copy(deep=True)
    fruits = form.question("fruits").model_copy(update={"min": 2.0})
    form = form.model_copy(update={"questions": tuple(fruits if q.id == "fruits" else q for q in form.questions)})
    talk = Talk(form)
    talk.start()
    talk.send("1")
    talk.send("1")
    talk.send(choice="apple", context="survey:7-1:fruits")
    result = talk.send(choice=DONE, context="survey:7-1:fruits")
    reason = question_reply(result).body[0]
    assert reason == Msg("Choose at least {count} option.", plural="Choose at least {count} options.", count=2)
    talk.send(choice="pear", context="survey:7-1:fruits")
    talk.send("готово")  # the word works as well as the number
    assert saved(talk)["fruits"] == ["apple", "pear"]


def test_buttons_for_single_and_yes_no_and_stale_buttons() -> None:
    talk = Talk(FORM)
    talk.start()
    talk.send(choice="yes", context="survey:7-1:consent")
    assert talk.at == "colour"
    stale = talk.send(choice="no", context="survey:7-1:consent")
    assert stale.replies[0].notice and talk.at == "colour" and not stale.effects
    talk.send(choice="green", context="survey:7-1:colour")
    assert saved(talk)["colour"] == "green"
    talk.send("1")
    # age expects a number: the fruits question's buttons are still the last "ctx" of the engine
    stale = talk.send(choice="pear", context="survey:7-1:fruits")
    assert keys(stale)[0] == "That button belongs to an earlier message." and talk.at == "age"
    wrong = talk.send(choice="ghost", context="survey:7-1:age")
    assert talk.at == "age" and not wrong.effects


def test_a_shared_phone_answers_a_phone_question() -> None:
    talk = Talk(FORM)
    talk.start()
    for text in ["1", "1", "1", "30", "70"]:
        talk.send(text)
    assert question_reply(talk.last).request_phone  # type: ignore[arg-type]
    talk.send(shared_phone="+7 701 123 4567")
    assert saved(talk)["phone"] == "+77011234567"


def test_a_run_left_halfway_resumes_at_the_right_question() -> None:
    published = Published(FORM, 1)
    unfinished = RunFacts("7-1", published, {"consent": "yes", "colour": "red", "fruits": ["apple"]})
    talk = Talk(FORM, **{FACT_RUN: unfinished, FACT_RUN_COUNT: 1})
    result = talk.start()
    assert keys(result)[0] == "Welcome back! Let us continue the survey where you stopped."
    assert question_reply(result).body[0] == Msg("Question {n} of {total}", {"n": 4, "total": 8})
    assert result.effects == (ResumeRun("7-1"),) and talk.at == "age"
    talk.send("назад")
    assert talk.at == "fruits"


def test_a_run_on_an_older_version_continues_on_that_version() -> None:
    old = Published(FORM, 1)
    talk = Talk(needs(), version=2, **{FACT_RUN: RunFacts("7-1", old, {"consent": "yes"})})
    talk.start()
    assert talk.at == "colour" and talk.data["v"] == 1
    talk.send("2")
    assert saved(talk)["colour"] == "green"
    assert all(e.version == 1 for e in talk.effects if isinstance(e, SaveAnswer))


def test_a_new_run_gets_a_new_key_and_a_returning_session_sees_the_question() -> None:
    talk = Talk(FORM, **{FACT_RUN_COUNT: 3})
    talk.start()
    assert talk.data["run"] == "7-4"
    again = talk.send(None)
    assert question_reply(again).context == "survey:7-4:consent"


def test_without_a_questionnaire_the_menu_item_says_so() -> None:
    talk = Talk(FORM)
    talk.facts = type(talk.facts)(contact=talk.facts.contact)
    result = talk.start()
    assert keys(result)[0] == "The survey is not available right now." and result.state["stage"] == "menu"


def test_help_and_language_keep_the_survey() -> None:
    talk = Talk(FORM)
    talk.start()
    talk.send("1")
    helped = talk.send("помощь")
    assert question_reply(helped).context == "survey:7-1:colour"
    assert talk.at == "colour"


NEEDS = needs()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.text(max_size=30),
            st.sampled_from(["1", "2", "1 3", "назад", "артқа", "skip", "пропустить", "да", "жоқ", "🙂", "",
                             "\x00\x1b[2J", "3)", " 2. ", "готово", "1;2;3"]),
            st.text(min_size=4500, max_size=5000),
            st.text(alphabet=st.characters(categories=["Cc", "Cf", "So", "Zs"]), max_size=20),
        ),
        max_size=25,
    ),
    st.sampled_from(["kk", "ru"]),
    st.sampled_from(["every", "needs"]),
)
def test_any_inputs_never_raise_and_always_ask_reprompt_or_end(texts: list[str], language: str, which: str) -> None:
    talk = Talk(FORM if which == "every" else NEEDS, language)
    talk.start()
    for text in texts:
        if talk.state is None or talk.state["stage"] != "flow":
            talk.start()
        result = talk.send(text)
        assert result.replies, "every input gets an answer"
        if result.state["stage"] == "flow":
            data = result.state["data"]
            context = f"survey:{data['run']}:{data['at']}"
            assert any(reply.context == context for reply in result.replies), "the question or a re-prompt"
        else:
            assert result.replies[-1].context == "menu", "the end, back at the menu"


@pytest.mark.parametrize("word", COMMAND_WORDS["back"])
def test_every_back_word(word: str) -> None:
    talk = Talk(FORM)
    talk.start()
    talk.send("1")
    talk.send(word)
    assert talk.at == "consent"


@pytest.mark.parametrize("word", COMMAND_WORDS["skip"])
def test_every_skip_word(word: str) -> None:
    talk = Talk(FORM)
    talk.start()
    for text in ["1", "1", "1", "30", "70"]:
        talk.send(text)
    talk.send(word.upper())
    assert talk.at == "birthday"


@pytest.mark.parametrize("word", [*COMMAND_WORDS["cancel"], "/cancel", "menu"])
def test_every_cancel_word(word: str) -> None:
    talk = Talk(FORM)
    talk.start()
    talk.send("1")
    result = talk.send(word)
    assert result.effects == (AbandonRun("7-1"),) and result.state["stage"] == "menu"


@pytest.mark.parametrize("word", ["/start", "сәлем", "Привет", "hello"])
def test_a_greeting_resumes_the_survey_instead_of_leaving_it(word: str) -> None:
    talk = Talk(FORM)
    talk.start()
    talk.send("1")
    at = talk.at
    result = talk.send(word)
    assert not result.effects and result.state["stage"] == "flow" and talk.at == at
