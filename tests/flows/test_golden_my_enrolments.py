"""Golden transcripts of "My enrolments" and seat offers, in Kazakh and Russian, through the pure engine.

The list, one enrolment, leaving with a confirmation (answered no, then yes), an offer
accepted from the list, an offer delivered by the bot and answered with a typed "иә"/"да",
and an offer declined with its button while another question was open.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.i18n import Catalogs
from flows.courses.facts import MINE_KEY, AcceptOffer, DeclineOffer, EnrolmentInfo, LeaveCourse, SessionInfo
from flows.courses.mine import offer_context, offer_data, offer_reply
from flows.events import Localized
from tests.flows.transcripts import NOW, Transcript, check_golden

DEADLINE = NOW + dt.timedelta(hours=48)  # 4 March, 14:00 in Almaty
FIRST = SessionInfo(dt.datetime(2026, 3, 10, 5, 0, tzinfo=dt.UTC), 120,
                    Localized("Ақсу ауылы, мектеп, 12-кабинет", "село Аксу, школа, кабинет 12"))

SEWING = EnrolmentInfo(11, 1, Localized("Тігін және пішу", "Кройка и шитьё"), "enrolled", first_session=FIRST)
COMPUTER = EnrolmentInfo(12, 2, Localized("Компьютер сауаттылығы", "Компьютерная грамотность"), "waiting", position=2)
ENGLISH = EnrolmentInfo(13, 3, Localized("Бастаушыларға арналған ағылшын тілі", "Английский язык для начинающих"),
                        "offered", offer_deadline=DEADLINE)
BOOKKEEPING = EnrolmentInfo(14, 4, Localized("Бухгалтерия және 1С", "Бухгалтерия и 1С"), "waiting", position=1)
FELTING = EnrolmentInfo(15, 5, Localized("Киіз басу", "Валяние войлока"), "waiting", position=1)

WORDS = {
    "kk": {"menu": "мәзір", "back": "артқа", "yes": "иә", "name": "Айгүл Серікқызы"},
    "ru": {"menu": "меню", "back": "назад", "yes": "да", "name": "Наталья Ковальчук"},
}


def offered(enrolment: EnrolmentInfo) -> EnrolmentInfo:
    return dataclasses.replace(enrolment, status="offered", position=None, offer_deadline=DEADLINE)


def enrolled(enrolment: EnrolmentInfo) -> EnrolmentInfo:
    return dataclasses.replace(enrolment, status="enrolled", offer_deadline=None)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_my_enrolments_and_offers(catalogs: Catalogs, language: str) -> None:
    words = WORDS[language]
    t = Transcript(catalogs, language)
    t.begin("A villager with a seat, two places on waiting lists and a seat offered",
            {MINE_KEY: (SEWING, COMPUTER, ENGLISH, BOOKKEEPING, FELTING)}, name=words["name"])
    t.say(words["menu"])
    t.say("3")  # My enrolments
    t.say("9")  # out of range
    t.say("1")  # the sewing seat
    t.say("1")  # Leave the course: asks first
    stayed = t.say("2")  # No, stay
    assert not stayed.effects and stayed.state["data"] == {"view": "list"}
    t.say("2")  # the computer waiting list
    t.say(words["back"])
    t.say("2")
    t.say("1")  # Leave the waiting list
    left = t.say("1")  # Yes, leave
    assert left.effects == (LeaveCourse(12),)

    t.change("The villager is off the computer course's waiting list",
             {MINE_KEY: (SEWING, ENGLISH, BOOKKEEPING, FELTING)})
    t.say("3")
    t.say("2")  # the English seat offered: the offer's question
    accepted = t.say("1")  # Accept the seat
    assert accepted.effects == (AcceptOffer(13),)

    t.change("The English seat is confirmed; a bookkeeping seat frees up and is offered",
             {MINE_KEY: (SEWING, enrolled(ENGLISH), offered(BOOKKEEPING), FELTING)})
    t.delivered("The bot sends the offer on its own while the villager is at the menu",
                offer_reply(offered(BOOKKEEPING)), "my", offer_data(BOOKKEEPING.id))
    typed = t.say(words["yes"])  # a typed yes answers the offer just delivered
    assert typed.effects == (AcceptOffer(14),)

    t.change("A felting seat frees up and is offered",
             {MINE_KEY: (SEWING, enrolled(ENGLISH), enrolled(BOOKKEEPING), offered(FELTING))})
    t.say("3")
    t.say("1")  # the sewing seat
    asking = t.say("1")  # Leave the course: the confirmation waits for an answer
    t.delivered("The bot sends the offer on its own while the villager is asked to confirm leaving",
                offer_reply(offered(FELTING)), "my", offer_data(FELTING.id))
    assert t.state == asking.state  # a confirmation is never taken over; the offer's button still works
    declined = t.press("decline", offer_context(FELTING.id))
    assert declined.effects == (DeclineOffer(15),) and declined.state["stage"] == "menu"

    assert t.effects == [LeaveCourse(12), AcceptOffer(13), AcceptOffer(14), DeclineOffer(15)]
    check_golden(f"my_enrolments_{language}.txt", t)
