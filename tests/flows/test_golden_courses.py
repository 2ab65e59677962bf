"""Golden transcripts of the "Courses" menu item, in Kazakh and Russian, through the pure engine.

The list with seats left and waiting lists, a course's schedule, closing date and the order of
its waiting list, a typo and its reprompt, "Back", taking a seat and joining a waiting list.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.i18n import Catalogs
from flows.courses.facts import MINE_KEY, OPEN_KEY, CourseInfo, Enrol, EnrolmentInfo, SessionInfo
from flows.events import Localized
from tests.flows.transcripts import Transcript, check_golden


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A time in March 2026, given in UTC (Almaty is UTC+5)."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=dt.UTC)


SCHOOL = Localized("Ақсу ауылы, мектеп, 12-кабинет", "село Аксу, школа, кабинет 12")
CLUB = Localized("Ақсу ауылы, мәдениет үйі", "село Аксу, дом культуры")

SEWING = CourseInfo(
    id=1,
    title=Localized("Тігін және пішу", "Кройка и шитьё"),
    description=Localized("Маусымдық киім тігуді үйренеміз. Мата мен жіп орталықтан беріледі.",
                          "Учимся шить сезонную одежду. Ткань и нитки даёт центр."),
    capacity=10, seats_left=3, waiting=0,
    sessions=(SessionInfo(at(10, 5), 120, SCHOOL), SessionInfo(at(12, 5), 120, SCHOOL),
              SessionInfo(at(17, 5), 90, CLUB)),
    enrol_closes_at=at(9, 13),
)
COMPUTER = CourseInfo(
    id=2,
    title=Localized("Компьютер сауаттылығы", "Компьютерная грамотность"),
    description=Localized("Смартфон мен компьютерде eGov, пошта және мессенджерлермен жұмыс.",
                          "eGov, почта и мессенджеры на смартфоне и компьютере."),
    capacity=8, seats_left=0, waiting=4,
    sessions=(SessionInfo(at(11, 9, 30), 90, CLUB),),
    policy="priority:unemployed,women",
    position_if_joined=3,
)
ENGLISH = CourseInfo(
    id=3,
    title=Localized("Бастаушыларға арналған ағылшын тілі", "Английский язык для начинающих"),
    description=Localized("Күнделікті сөйлесуге арналған қысқа курс.", "Короткий курс для повседневного общения."),
    capacity=12, seats_left=1, waiting=0,
)

# What the villager types that differs by language; numbers are the same on every screen.
WORDS = {
    "kk": {"menu": "мәзір", "typo": "тігн", "title": "тігін және пішу", "back": "артқа"},
    "ru": {"menu": "меню", "typo": "шитье кройка", "title": "Кройка и шитьё", "back": "назад"},
}


def facts(open_: tuple[CourseInfo, ...], mine: tuple[EnrolmentInfo, ...] = ()) -> dict[str, object]:
    return {OPEN_KEY: open_, MINE_KEY: mine}


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_courses_journey(catalogs: Catalogs, language: str) -> None:
    words = WORDS[language]
    t = Transcript(catalogs, language)
    t.begin("A villager of the demo centre browses its open courses", facts((SEWING, COMPUTER, ENGLISH)))
    t.say(words["menu"])
    t.say("2")  # Courses: the list with seats left and waiting lists
    t.say(words["typo"])  # a title mistyped: the list again
    t.say("1")  # the sewing course: schedule, closing date, order of the waiting list
    t.say(words["back"])
    t.say("2")  # the full computer course: priority order
    t.say("3")  # out of range: the course again
    joined = t.say("1")  # join its waiting list
    assert joined.effects == (Enrol(2, "waiting", 3),)
    assert joined.state["stage"] == "menu"

    waiting = EnrolmentInfo(21, COMPUTER.id, COMPUTER.title, "waiting", position=3)
    t.change("The waiting list of the computer course now has 5 people, the villager third",
             facts((SEWING, dataclasses.replace(COMPUTER, waiting=5, position_if_joined=6), ENGLISH), (waiting,)))
    t.say("2")
    t.say(words["title"])  # the course picked by its title
    seated = t.say("1")  # Enrol: a seat, with the first session
    assert seated.effects == (Enrol(1, "enrolled"),)

    enrolled = EnrolmentInfo(22, SEWING.id, SEWING.title, "enrolled", first_session=SEWING.sessions[0])
    t.change("The villager holds a seat on the sewing course; 2 seats are left",
             facts((dataclasses.replace(SEWING, seats_left=2), dataclasses.replace(COMPUTER, waiting=5), ENGLISH),
                   (waiting, enrolled)))
    t.say("2")
    t.say("1")  # already enrolled: only "Back"
    t.say("1")  # Back to the list
    t.say("2")  # the computer course shows the villager's place
    t.say("1")  # Back
    t.say("3")  # the English course: no schedule yet, 1 seat left
    t.say(words["back"])
    left = t.say("4")  # Back from the list: the main menu
    assert left.state["stage"] == "menu" and not left.effects

    assert t.effects == [Enrol(2, "waiting", 3), Enrol(1, "enrolled")]
    check_golden(f"courses_{language}.txt", t)
