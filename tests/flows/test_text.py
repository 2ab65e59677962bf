from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.keywords import parse_command
from flows.text import fold, match_option, parse_option_number

OPTIONS = [("kk", ("Қазақша", "kazakh")), ("ru", ("Русский",))]


@pytest.mark.parametrize("typed", ["2", "2.", "2)", " 2 ", "２"])
def test_option_numbers_in_the_forms_people_type(typed: str) -> None:
    assert parse_option_number(typed) == 2


@pytest.mark.parametrize("typed", ["", "2 3", "two", "-2", "2..", "12345"])
def test_not_an_option_number(typed: str) -> None:
    assert parse_option_number(typed) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1", "kk"),
        ("2", "ru"),
        ("3", None),
        ("0", None),
        ("қазақша", "kk"),
        ("  КАЗАКША ", "kk"),  # no Kazakh keyboard: қ typed as к
        ("русский!", "ru"),
        ("Pусский", "ru"),  # Latin P typed for Cyrillic Р
        ("Kazakh", "kk"),
        ("english", None),
        ("", None),
        ("🙂", None),
    ],
)
def test_match_option(typed: str, expected: str | None) -> None:
    assert match_option(typed, OPTIONS) == expected


def test_fold_treats_kazakh_letters_and_lookalikes_alike() -> None:
    assert fold("Көмек") == fold("комек") == fold("KОМЕК".replace("K", "К"))
    assert fold("тіл") == fold("тiл")  # Latin i typed for Kazakh і


@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("/language", "language"),
        ("/language@clc_bot", "language"),
        ("Тіл", "language"),
        ("язык", "language"),
        ("МӘЗІР", "menu"),
        ("меню", "menu"),
        ("помощь", "help"),
        ("көмек", "help"),
        ("Help", "help"),
        ("отмена", "cancel"),
        ("/start demo", "start"),
        ("СТОП", "stop"),
        ("тоқта", "stop"),
        ("hello there my friend", None),
        ("/unknown", None),
        ("", None),
        ("!!!", None),
    ],
)
def test_command_words_in_three_languages(typed: str, command: str | None) -> None:
    assert parse_command(typed) == command


@given(st.text(max_size=300))
def test_matching_never_raises(text: str) -> None:
    match_option(text, OPTIONS)
    parse_command(text)
    fold(text)
