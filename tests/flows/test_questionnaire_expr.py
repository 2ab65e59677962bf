"""The condition language: every operator, unanswered questions, odd values, and no eval."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.questionnaire.expr import ExpressionError, evaluate, parse_expression, references

ANSWERS = {
    "consent": "yes", "colour": "red", "fruits": ["apple", "plum"], "age": 42, "weight": 70.5,
    "birthday": "1990-03-25", "none_given": None,
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("colour = 'red'", True),
        ("colour == 'red'", True),
        ("${colour} = 'red'", True),
        ("colour = 'blue'", False),
        ("colour != 'blue'", True),
        ("colour != 'red'", False),
        ("colour in ('red', 'green')", True),
        ("colour in ['blue', 'green']", False),
        ("colour not in ('blue', 'green')", True),
        ("fruits contains 'plum'", True),
        ("fruits contains 'pear'", False),
        ("selected(${fruits}, 'apple')", True),
        ("age > 40", True),
        ("age >= 42", True),
        ("age < 42", False),
        ("age <= 42", True),
        ("weight > 70", True),
        ("weight < 70.5", False),
        ("birthday < '2000-01-01'", True),
        ("age > 40 and colour = 'red'", True),
        ("age > 50 and colour = 'red'", False),
        ("age > 50 or colour = 'red'", True),
        ("not (age > 50)", True),
        ("not age > 50 and not colour = 'blue'", True),
        ("(age > 50 or colour = 'red') and fruits contains 'apple'", True),
        ("consent", True),
        ("AGE > 40 AND Colour = 'red'".lower(), True),
        ("true", True),
        ("false or consent = 'yes'", True),
    ],
)
def test_operators(source: str, expected: bool) -> None:
    assert evaluate(parse_expression(source), ANSWERS) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("missing = 'x'", False),
        ("missing != 'x'", True),  # XLSForm: empty is not 'x'
        ("missing > 3", False),
        ("missing < 3", False),
        ("missing in ('x')", False),
        ("missing not in ('x')", True),
        ("missing contains 'x'", False),
        ("missing", False),
        ("not missing", True),
    ],
)
def test_an_unanswered_question_is_empty(source: str, expected: bool) -> None:
    assert evaluate(parse_expression(source), ANSWERS) is expected


def test_odd_types_compare_false_instead_of_raising() -> None:
    assert evaluate(parse_expression("colour > 3"), ANSWERS) is False
    assert evaluate(parse_expression("age = '42'"), ANSWERS) is False
    assert evaluate(parse_expression("fruits > 1"), ANSWERS) is False
    assert evaluate(parse_expression("age = 42.0"), ANSWERS) is True


def test_the_dot_is_the_answer_being_checked() -> None:
    tree = parse_expression(". >= 16 and . <= 99")
    assert evaluate(tree, {}, 42) and not evaluate(tree, {}, 12)
    assert references(tree) == {"."}


def test_references_lists_every_question_read() -> None:
    tree = parse_expression("${a} = 1 and (b contains 'x' or not c in (1, 2)) and selected(d, 'y')")
    assert references(tree) == {"a", "b", "c", "d"}


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "empty"),
        ("age >", "ends too early"),
        ("age > 3 3", "unexpected '3'"),
        ("colour in 'red'", "expected a list"),
        ("colour in (other)", "only texts and numbers"),
        ("__import__('os')", "unexpected '\\('"),
        ("age ; 1", "unexpected character ';'"),
        ("(age > 1", "expected '\\)'"),
    ],
)
def test_syntax_errors_say_what_and_where(source: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        parse_expression(source)


def test_python_is_never_evaluated() -> None:
    # A Python expression is not our language: it fails to parse instead of running.
    for source in ("open('x').read()", "1 + 1", "age.__class__", "lambda: 1"):
        with pytest.raises(ExpressionError):
            parse_expression(source)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_either_parses_or_gives_an_expression_error(source: str) -> None:
    try:
        tree = parse_expression(source)
    except ExpressionError:
        return
    assert evaluate(tree, ANSWERS, 1) in (True, False)
