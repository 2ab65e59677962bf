"""Questionnaires and course files are read by one YAML helper: same problems, same lines."""

from __future__ import annotations

import pytest

from flows.courses.definition import load_course_file
from flows.errors import CourseFileError, Problem, QuestionnaireError
from flows.questionnaire.loader import load_questionnaire
from flows.yamlfile import YamlMapping, read_mapping

COURSE = """\
code: sewing-1
title: {kk: Тігін, ru: Шитьё}
capacity: 8
sessions:
  - {start: 2026-12-12 15:00, minutes: 120, place: {kk: Клуб, ru: Клуб}}
  - {start: 2026-12-13 15:00, minutes: 5, place: {kk: Клуб, ru: Клуб}}
"""


def test_a_location_maps_to_its_line_or_its_parents() -> None:
    document = read_mapping(COURSE, "c.yaml", expected="code")
    assert isinstance(document, YamlMapping)
    assert document.line(("capacity",)) == 3
    assert document.line(("sessions", 1, "minutes")) == 6
    assert document.line(("sessions", 1, "missing")) == 6
    assert document.line(("sessions", 7)) == 5  # the list itself, which starts at its first item


@pytest.mark.parametrize(("text", "message"), [
    ("id: [unclosed\n", "f.yaml:2: not valid YAML: expected ',' or ']', but got '<stream end>'"),
    ("- a list\n", "f.yaml:1: expected a mapping with id, title"),
    ("", "f.yaml:1: expected a mapping with id, title"),
])
def test_text_that_is_not_a_mapping_is_one_problem(text: str, message: str) -> None:
    problem = read_mapping(text, "f.yaml", expected="id, title")
    assert isinstance(problem, Problem) and str(problem) == message


def test_both_loaders_say_the_same_about_broken_yaml() -> None:
    with pytest.raises(QuestionnaireError) as questionnaire:
        load_questionnaire("id: [unclosed\n", "f.yaml")
    with pytest.raises(CourseFileError) as course:
        load_course_file("id: [unclosed\n", "f.yaml", {"crafts"})
    assert str(questionnaire.value) == str(course.value) == (
        "f.yaml:2: not valid YAML: expected ',' or ']', but got '<stream end>'"
    )
    with pytest.raises(CourseFileError, match=r"^f\.yaml:1: expected a mapping with code, title, capacity$"):
        load_course_file("- a list\n", "f.yaml", {"crafts"})


def test_a_course_file_problem_names_its_line() -> None:
    with pytest.raises(CourseFileError, match=r"^c\.yaml:6: sessions\.1\.minutes: "):
        load_course_file(COURSE, "c.yaml", {"crafts"})
