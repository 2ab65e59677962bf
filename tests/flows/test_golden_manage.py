"""Golden transcripts of the facilitators' ``/manage``, in Kazakh and Russian, through the pure engine.

The centre's courses, a course's roster and waiting list, marking attendance, taking someone
off with a reason, moving someone on the waiting list with a reason, and the polite refusal
for someone without the facilitator role.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.i18n import Catalogs
from flows.courses.staff import (
    COURSES_KEY,
    Learner,
    Lesson,
    MarkAttendance,
    MoveLearner,
    RemoveLearner,
    StaffCourse,
)
from flows.events import Localized
from tests.flows.transcripts import Transcript, check_golden


def at(day: int, hour: int) -> dt.datetime:
    """A time in March 2026, given in UTC (Almaty is UTC+5)."""
    return dt.datetime(2026, 3, day, hour, 0, tzinfo=dt.UTC)


ASEL = Learner(1, "Әсел Нұрланқызы", "enrolled")
OLGA = Learner(2, "Ольга Петрова", "offered")
ZHANAR = Learner(9, "Жанар Оспанова", "enrolled")
BOLAT = Learner(3, "Болат Серікұлы", "waiting", 1)
DINA = Learner(4, "Дина Ахметова", "waiting", 2)
SERGEY = Learner(5, "Сергей Иванов", "waiting", 3)

# The first session was yesterday; the second is next week (nothing to mark yet).
SEWING = StaffCourse(
    7, Localized("Тігін және пішу", "Кройка и шитьё"), "open", 3,
    (ASEL, ZHANAR, OLGA, BOLAT, DINA, SERGEY),
    (Lesson(70, at(1, 5)), Lesson(71, at(10, 5))),
)
COMPUTER = StaffCourse(
    8, Localized("Компьютер сауаттылығы", "Компьютерная грамотность"), "running", 8,
    (Learner(6, "Ерлан Жақсылықов", "enrolled"), Learner(8, "Мария Ким", "enrolled")),
    (Lesson(80, at(4, 9)),),
    policy="priority:unemployed,women",
)

WORDS = {
    "kk": {"command": "/manage", "back": "артқа", "removed": "Ауылдан қалаға көшіп кетті",
           "moved": "Дәрігердің анықтамасы бар, курс оған қажет", "name": "Гүлнар Әбілқызы"},
    "ru": {"command": "/manage", "back": "назад", "removed": "Переехал в город",
           "moved": "Есть справка от врача, курс ему нужен", "name": "Ирина Соколова"},
}


def with_marks(course: StaffCourse, present: set[int], absent: set[int]) -> StaffCourse:
    first, *rest = course.lessons
    marked = dataclasses.replace(first, present=frozenset(present), absent=frozenset(absent))
    return dataclasses.replace(course, lessons=(marked, *rest))


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_manage(catalogs: Catalogs, language: str) -> None:
    words = WORDS[language]
    t = Transcript(catalogs, language)
    t.begin("A facilitator of the demo centre", {COURSES_KEY: (SEWING, COMPUTER)}, name=words["name"])
    t.say(words["command"])  # the centre's courses
    t.say("1")  # sewing: status, seats, roster, waiting list, its order
    t.say("1")  # Mark attendance: which session (only the one held so far)
    t.say("1")  # the first session's marks: those enrolled, not Ольга (only offered a seat)
    marked = t.say("1 2")  # both came
    assert marked.effects == (MarkAttendance(70, 1, True), MarkAttendance(70, 9, True))

    t.change("Both are marked present", {COURSES_KEY: (with_marks(SEWING, {1, 9}, set()), COMPUTER)})
    unmarked = t.say("1")  # Әсел, marked present by mistake, now absent
    assert unmarked.effects == (MarkAttendance(70, 1, False),)

    sewing = with_marks(SEWING, {9}, {1})
    t.change("Әсел Нұрланқызы is marked absent", {COURSES_KEY: (sewing, COMPUTER)})
    t.say("3")  # Done: the course again
    t.say("2")  # Remove a learner: whom
    t.say("9")  # out of range
    t.say("4")  # Болат: the reason
    removed = t.say(words["removed"])
    assert removed.effects == (RemoveLearner(3, words["removed"]),)

    sewing = dataclasses.replace(sewing, learners=(ASEL, ZHANAR, OLGA, dataclasses.replace(DINA, position=1),
                                                   dataclasses.replace(SERGEY, position=2)))
    t.change("Болат Серікұлы is off the waiting list", {COURSES_KEY: (sewing, COMPUTER)})
    t.say("3")  # Move on the waiting list: whom
    t.say("2")  # Сергей: to which place
    t.say("1")  # place 1: the reason
    moved = t.say(words["moved"])
    assert moved.effects == (MoveLearner(5, 1, words["moved"]),)

    sewing = dataclasses.replace(sewing, learners=(ASEL, ZHANAR, OLGA, dataclasses.replace(SERGEY, position=1),
                                                   dataclasses.replace(DINA, position=2)))
    t.change("Сергей Иванов is first on the waiting list", {COURSES_KEY: (sewing, COMPUTER)})
    t.say(words["back"])  # the centre's courses
    t.say("1")  # sewing again: the roster after the removal and the move
    t.say(words["back"])
    t.say("2")  # the computer course: running, priority order, nobody waiting
    t.say("3")  # Move: nobody is waiting
    t.say("1")  # Mark attendance: its first session is the day after tomorrow
    t.say("5")  # Finish: no session has taken place yet
    t.say(words["back"])
    done = t.say("3")  # Back from the courses: the main menu
    assert done.state["stage"] == "menu" and not done.effects

    t.begin("A villager without the facilitator role", {})
    refused = t.say(words["command"])
    assert refused.state["stage"] == "menu" and not refused.effects

    assert t.effects == [
        MarkAttendance(70, 1, True), MarkAttendance(70, 9, True), MarkAttendance(70, 1, False),
        RemoveLearner(3, words["removed"]), MoveLearner(5, 1, words["moved"]),
    ]
    check_golden(f"manage_{language}.txt", t)
