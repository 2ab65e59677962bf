"""XLSForm's XPath subset translated into the engine's expressions, and printed back as XPath."""

from __future__ import annotations

import pytest

from flows.errors import ExpressionError
from flows.questionnaire.expr import evaluate, parse_expression
from flows.questionnaire.xpath import Choices, from_xpath, to_source, to_xpath

CHOICES = {"grades", "rating"}


def source(xpath: str) -> str:
    return to_source(from_xpath(xpath, texts=CHOICES))


@pytest.mark.parametrize(("xpath", "engine"), [
    (". >= 1", ". >= 1"),
    (".<=15", ". <= 15"),
    ("${age} > 17", "age > 17"),
    ("${age} < 60", "age < 60"),
    ("${gender} = 'f'", "gender = 'f'"),
    ('${gender} != "m"', "gender != 'm'"),
    ("${a} = 1 and ${b} = 2 or ${c} = 3", "(a = 1 and b = 2) or c = 3"),
    ("${a} = 1 and (${b} = 2 or ${c} = 3)", "a = 1 and (b = 2 or c = 3)"),
    ("not(${a} = 'x')", "not (a = 'x')"),
    ("selected(${grades}, 'senior')", "grades contains 'senior'"),
    ("count-selected(${grades}) <= ${n}", "count-selected(grades) <= n"),
    ("string-length(.) <= 200", "string-length(.) <= 200"),
    ("regex(., '^[0-9]{10}$')", "regex(., '^[0-9]{10}$')"),
    ("${rating} = 5", "rating = '5'"),  # a choice named 5 is the text '5', as ODK compares it
    ("selected(${grades}, 1)", "grades contains '1'"),
    ("${comment} = ''", "string-length(comment) = 0"),
    ("${comment} != ''", "string-length(comment) > 0"),
    ("${consent}", "string-length(consent) > 0"),
    (". > -1.5", ". > -1.5"),
    ("true()", "true"),
])
def test_the_subset_becomes_the_engines_own_text(xpath: str, engine: str) -> None:
    assert source(xpath) == engine
    assert parse_expression(engine) == from_xpath(xpath, texts=CHOICES)  # the engine reads the same tree


@pytest.mark.parametrize(("xpath", "answers", "current", "expected"), [
    ("${comment} != ''", {}, None, False),  # unanswered is '' in XPath: not "not empty"
    ("${comment} != ''", {"comment": "ok"}, None, True),
    ("${consent}", {"consent": "no"}, None, True),  # XPath: any answer is true, even "no"
    ("count-selected(${grades}) <= ${n}", {"grades": ["a", "b"], "n": 2}, None, True),
    ("count-selected(${grades}) <= ${n}", {"grades": ["a", "b", "c"], "n": 2}, None, False),
    ("regex(., '^[0-9]{10}$')", {}, "7011234567", True),
    ("regex(., '^[0-9]{10}$')", {}, "701123456", False),
    ("regex(., '^[0-9]{10}$')", {}, 7011234567, True),  # a number is matched as its digits
    ("string-length(.) <= 3", {}, "абв", True),
    ("string-length(.) <= 3", {}, "абвг", False),
    ("not(selected(${grades}, 'a'))", {"grades": ["b"]}, None, True),
    ("${rating} = 5", {"rating": "5"}, None, True),
])
def test_translated_expressions_mean_what_they_meant(
    xpath: str, answers: dict[str, object], current: object, expected: bool
) -> None:
    assert evaluate(parse_expression(source(xpath)), answers, current) is expected


@pytest.mark.parametrize(("xpath", "said"), [
    ("today() > ${d}", "the function today() at position 1 is not supported"),
    ("${a} + 1 > 2", "arithmetic '+' at position 6 is not supported"),
    ("${a} - 1 > 2", "arithmetic '-' at position 6 is not supported"),
    ("${a} div 2 > 2", "arithmetic 'div' at position 6 is not supported"),
    ("/data/a = 1", "arithmetic '/' at position 1 is not supported"),
    ("a = 1", "'a' at position 1 is not supported; refer to a question as ${name}"),
    ("${a} = 1 = 2", "chained comparison at position 10 is not supported"),
    ("regex(., '^(?=x)')", "look-arounds"),
    ("regex(., '(a)\\1')", "back-references are not supported"),
    ("regex(., 'a{2000}')", "not a valid pattern (invalid repetition size"),
    ("regex(., ${p})", "the pattern of regex() must be a text in quotes"),
    ("selected(${a})", "selected() at position 1 has the wrong number of arguments"),
    ("'yes'", "the text 'yes' cannot be true or false"),
    ("", "the expression is empty"),
    ("(${a} = 1", "the expression ends too early"),
])
def test_expressions_outside_the_subset_are_refused_saying_why(xpath: str, said: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        from_xpath(xpath)
    assert said in str(caught.value)


@pytest.mark.parametrize("engine", [
    "consent = 'no'",
    "interests contains 'other'",
    "age >= 18 and (gender = 'f' or not (region = 'north'))",
    "count-selected(grades) <= n",
    "regex(., '^[0-9]{10}$') and string-length(.) > 0",
    "x > -2.5",
    "flag = true",
    "x > 0.00001",
    "x < 1000000.25",
])
def test_engine_expressions_go_out_as_xpath_and_come_back_unchanged(engine: str) -> None:
    xpath = to_xpath(parse_expression(engine))
    assert "${" in xpath or "." in xpath
    assert to_source(from_xpath(xpath)) == engine


def test_engine_only_forms_go_out_with_their_meaning() -> None:
    """``in`` and a bare answer have no XPath of their own: what goes out means the same."""
    for engine, answers in [
        ("work in ('farm', 'shop')", [{"work": "farm"}, {"work": "home"}, {}]),
        ("work not in ('farm', 'shop')", [{"work": "farm"}, {"work": "home"}, {}]),
        ("consent", [{"consent": "yes"}, {"consent": "no"}, {}]),
        ("not consent", [{"consent": "yes"}, {"consent": "no"}, {}]),
    ]:
        back = parse_expression(to_source(from_xpath(to_xpath(parse_expression(engine)))))
        for given in answers:
            assert evaluate(back, given) == evaluate(parse_expression(engine), given), (engine, given)


# Each of these backtracks in Python's re for seconds to hours on the answer given here (the
# longer the answer, the longer); matched in linear time they take microseconds, so the bot's
# conversations never wait on one villager's answer.
@pytest.mark.parametrize(("pattern", "answer", "matches"), [
    ("[0-9]{0,99}" * 4 + "x", "1" * 500, False),
    ("\\\\*\\\\*\\\\*\\\\*x", "\\" * 300, False),
    ("(a|a)" * 24 + "x", "a" * 40, False),
    ("\\d*\\d*x", "1" * 4000, False),
    ("(a+)+$", "a" * 5000 + "!", False),
    ("\\d*\\d*x", "1" * 4000 + "x", True),
])
def test_a_pattern_that_backtracks_runs_in_linear_time_on_a_long_answer(
    pattern: str, answer: str, matches: bool
) -> None:
    node = parse_expression(f"regex(., '{pattern}')")
    for _ in range(20):
        assert evaluate(node, {}, answer) is matches


def test_the_engine_checks_its_functions_arguments() -> None:
    with pytest.raises(ExpressionError, match="takes 1 argument"):
        parse_expression("string-length(a, b)")
    with pytest.raises(ExpressionError, match="must be a text in quotes"):
        parse_expression("regex(., 5)")


GRADES = Choices(texts={"edu", "town", "grades"}, names={"edu": [str(n) for n in range(1, 13)],
                                                         "town": ["1", "north", "3"]})


def test_an_ordered_comparison_with_numbered_choices_lists_the_choices_it_keeps() -> None:
    """As texts, '10' < '3': ``${edu} >= 3`` must keep 10, 11 and 12."""
    at_least_3 = to_source(from_xpath("${edu} >= 3", choices=GRADES))
    assert at_least_3 == "edu in ('3', '4', '5', '6', '7', '8', '9', '10', '11', '12')"
    for answer, expected in (("10", True), ("12", True), ("3", True), ("2", False), (None, False)):
        assert evaluate(parse_expression(at_least_3), {"edu": answer}) is expected
    assert to_source(from_xpath("3 > ${edu}", choices=GRADES)) == "edu in ('1', '2')"
    assert to_source(from_xpath("${edu} < '2.5'", choices=GRADES)) == "edu in ('1', '2')"
    assert to_source(from_xpath("${edu} > 12", choices=GRADES)) == "false"
    assert to_source(from_xpath("${edu} = 3", choices=GRADES)) == "edu = '3'"


@pytest.mark.parametrize("xpath", ["${town} > 1", "${grades} >= 2", "${edu} > 'x'"])
def test_an_ordered_comparison_with_choices_not_all_numbers_is_refused(xpath: str) -> None:
    with pytest.raises(ExpressionError, match="compare choice codes with = or selected()"):
        from_xpath(xpath, choices=GRADES)


def test_odks_ok_of_an_acknowledge_question_is_the_bots_ok() -> None:
    choices = Choices(acknowledged={"agree"})
    assert to_source(from_xpath("${agree} = 'OK'", choices=choices)) == "agree = 'ok'"
    assert to_source(from_xpath("${other} = 'OK'", choices=choices)) == "other = 'OK'"
