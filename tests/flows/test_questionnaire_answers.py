"""Answers as villagers type them: numbers, labels in either language, look-alikes, lists, words."""

from __future__ import annotations

import pytest

from flows.events import Msg
from flows.questionnaire.answers import Accepted, Rejected, check_selection, parse_answer
from tests.flows.survey_forms import every_type, needs

FORM = every_type()
NEEDS = needs()


def parse(question_id: str, text: str, form=FORM):  # type: ignore[no-untyped-def]
    return parse_answer(form, form.question(question_id), text)


def value(question_id: str, text: str, form=FORM) -> object:  # type: ignore[no-untyped-def]
    outcome = parse(question_id, text, form)
    assert isinstance(outcome, Accepted), f"{text!r} was rejected: {outcome}"
    return outcome.value


def reason(question_id: str, text: str, form=FORM) -> Msg:  # type: ignore[no-untyped-def]
    outcome = parse(question_id, text, form)
    assert isinstance(outcome, Rejected), f"{text!r} was accepted as {outcome}"
    assert isinstance(outcome.reason, Msg)
    return outcome.reason


@pytest.mark.parametrize("text", ["2", "2.", "2)", " 2 ", "２", "Зелёный", "зеленый", "ЗЕЛЁНЫЙ", "Жасыл",
                                  "жасыл", "  жасыл  ", "Жасыл!", "жасыл."])
def test_single_choice_by_number_or_label_in_either_language(text: str) -> None:
    assert value("colour", text) == "green"


def test_single_choice_with_latin_look_alikes_and_plain_keyboard_letters() -> None:
    assert value("colour", "Kрасный") == "red"  # Latin K
    assert value("colour", "КЫЗЫЛ") == "red"  # Қ typed as К
    assert value("colour", "кок") == "blue"  # Көк without ө
    assert value("interests", "комп", NEEDS) == ["computer"]  # an alias


@pytest.mark.parametrize("text", ["0", "4", "22", "2 3", "красный или синий", "", "   ", "🙂", "x" * 5000])
def test_single_choice_rejects_with_what_is_expected(text: str) -> None:
    msg = reason("colour", text)
    assert msg.key == "Send a number from 1 to {count}." and msg.params == {"count": 3}


@pytest.mark.parametrize("text", ["1,3", "1 3", "1;3", "1, 3", " 1 ;3 ", "3 1", "1,1,3", "яблоко, слива",
                                  "алма; өрік"])
def test_multiple_choice_lists(text: str) -> None:
    assert value("fruits", text) == ["apple", "plum"]


def test_multiple_choice_single_label_and_alias() -> None:
    assert value("fruits", "груша") == ["pear"]
    assert value("fruits", "груша-дюшес") == ["pear"]


def test_multiple_choice_min_max_and_range() -> None:
    assert reason("fruits", "1 2 3").key.startswith("Choose from {low} to {high}")
    assert reason("fruits", "1 9").key.startswith("Choose from {low} to {high}")
    assert reason("fruits", "яблоко, банан").params == {"low": 1, "high": 2}
    needs_times = NEEDS.question("times")
    assert reason("times", "0", NEEDS).key == "Send the numbers of your answers from 1 to {count}, for example: 1 3."
    assert value("times", "1 2 3 4", NEEDS) == ["mornings", "afternoons", "evenings", "weekends"]
    assert needs_times.min == 1


def test_the_done_line_number_is_ignored_in_a_typed_list() -> None:
    assert value("fruits", "1 5") == ["apple"]  # 5 is "Done" after the 4 choices


def test_an_exclusive_choice_cannot_be_combined() -> None:
    msg = reason("fruits", "1 4")
    assert msg.key == "“{choice}” cannot be chosen together with other answers."
    assert value("fruits", "4") == ["none"]
    outcome = check_selection(FORM, FORM.question("fruits"), ["pear", "apple", "ghost"])
    assert outcome == Accepted(["apple", "pear"])


@pytest.mark.parametrize("text", ["иә", "Иә", "ия", "ие", "ИЕ", "да", "Да!", "yes", "YES", "1", "1.", " 1) "])
def test_yes(text: str) -> None:
    assert value("consent", text) == "yes"


@pytest.mark.parametrize("text", ["жоқ", "жок", "Жоқ.", "нет", "НЕТ", "no", "No", "2", "2)"])
def test_no(text: str) -> None:
    assert value("consent", text) == "no"


@pytest.mark.parametrize("text", ["3", "мүмкін", "возможно", "", "да нет", "🙂"])
def test_yes_no_rejects(text: str) -> None:
    assert reason("consent", text).key == "Answer 1 (yes) or 2 (no)."


@pytest.mark.parametrize(("text", "expected"), [("42", 42), (" 42 ", 42), ("42.", 42), ("+42", 42), ("16", 16),
                                                ("99", 99)])
def test_integer(text: str, expected: int) -> None:
    assert value("age", text) == expected


@pytest.mark.parametrize("text", ["15", "100", "4.5", "сорок", "", "4 2 1", "1" * 40])
def test_integer_out_of_range_or_not_a_number(text: str) -> None:
    msg = reason("age", text)
    assert msg.key == "Send a whole number from {low} to {high}." and msg.params == {"low": 16, "high": 99}


@pytest.mark.parametrize(("text", "expected"), [("70", 70.0), ("70.5", 70.5), ("70,5", 70.5), (" 0.5 ", 0.5)])
def test_decimal(text: str, expected: float) -> None:
    assert value("weight", text) == expected


@pytest.mark.parametrize("text", ["0.4", "301", "seventy", "7O", "1e3", ""])
def test_decimal_rejects(text: str) -> None:
    assert reason("weight", text).key == "Send a number from {low} to {high}, for example 2.5."


@pytest.mark.parametrize("text", ["8 701 123 45 67", "87011234567", "7011234567", "+7 701 123 4567",
                                  "+7 (701) 123-45-67"])
def test_phone(text: str) -> None:
    assert value("phone", text) == "+77011234567"


@pytest.mark.parametrize("text", ["12", "телефон", "8 000 000 00 00", ""])
def test_phone_rejects(text: str) -> None:
    assert reason("phone", text).key == "Send a phone number, for example 8 701 123 45 67."


@pytest.mark.parametrize("text", ["25.03.1990", "25/03/1990", "25-03-1990", "5.3.1990", "05.03.90", "1990-03-05",
                                  "25.03.1990."])
def test_dates(text: str) -> None:
    assert value("birthday", text) in ("1990-03-25", "1990-03-05")


def test_two_digit_years() -> None:
    assert value("birthday", "01.02.24") == "2024-02-01"
    assert value("birthday", "01.02.85") == "1985-02-01"


@pytest.mark.parametrize("text", ["31.02.1990", "1990", "вчера", "25.13.1990", ""])
def test_date_rejects(text: str) -> None:
    assert reason("birthday", text).key == "Send a date as day.month.year, for example 25.03.1990."


def test_text_is_cleaned_and_limited() -> None:
    assert value("plum_reason", "  Дәмді\x00 \x07өрік  ") == "Дәмді өрік"
    assert value("plum_reason", "сладкая\nслива") == "сладкая слива"
    too_long = reason("plum_reason", "а" * 21)
    assert too_long.key == "That is too long: please keep it under {max} characters." and too_long.params == {"max": 20}
    assert reason("plum_reason", "   ").key == "Please write your answer in words."
    assert reason("plum_reason", "\x00\x01").key == "Please write your answer in words."
    assert reason("plum_reason", "!!!").key == "Please write your answer in words."
