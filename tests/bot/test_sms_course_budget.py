"""What the course journey and the course notices cost over SMS, in Kazakh and Russian.

Every message at most 2 segments (UCS-2: 134 characters), with what a villager needs kept: the
course title, the seat or the place in the queue, the deadline, the numbered answers and how to
send them. A course's details are the exception: its description and schedule are data (this
two-session course takes 4 segments); the journey's other messages stay within 2.
The journey goes over the real SMS adapter (signed webhooks in, the fake Twilio out); the notices
the outbox sends are rendered by the SMS renderer the outbox's SMS sender uses.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.channels.sms_render import render_sms
from bot.channels.sms_segments import count_segments
from bot.clock import FakeClock
from bot.i18n import Catalogs
from flows.courses.facts import SessionInfo
from flows.courses.mine import cancelled_reply, expired_reply, moved_reply, removed_reply
from flows.courses.notices import schedule_reply, withdrawn_reply
from flows.events import Localized, Reply
from storage.db import Database
from tests.bot.phones import options, world_of
from tests.storage.courses_helpers import T0, make_centre, make_course

BUDGET = 2
DETAIL_BUDGET = 4  # the description and two sessions of the test course are data
TITLE = Localized(kk="Компьютер сауаттылығы", ru="Компьютерная грамотность")
PLACE = Localized(kk="Мектеп, 12-кабинет", ru="Школа, кабинет 12")
STEPS = {
    "kk": {"language": "Қазақша", "courses": "Курстар", "course": "Компьютер", "enrol": "Жазылу",
           "join": "Күту тізіміне", "mine": "Жазылуларым", "leave": "Курстан шығу", "sure": "Иә",
           "accept": "Қабылдау", "menu": "мәзір", "pointer": "Мәзір: «мәзір» деп жазыңыз.",
           "name": "Сізді қалай атайық? Атыңызды жазыңыз.", "number": "Нөмірін жіберіңіз.",
           "first": "9 наурыз, 14:00, Мектеп, 12-кабинет", "position": "Кезектегі нөміріңіз: 1.",
           "deadline": "Жауап беру мерзімі — 4 наурыз, 14:00."},
    "ru": {"language": "Русский", "courses": "Курсы", "course": "Компьютер", "enrol": "Записаться",
           "join": "очередь", "mine": "Мои записи", "leave": "Уйти с курса", "sure": "Да",
           "accept": "Принять", "menu": "меню", "pointer": "Меню: напишите «меню».",
           "name": "Как к вам обращаться? Напишите имя.", "number": "Ответьте номером.",
           "first": "9 марта, 14:00, Школа, кабинет 12", "position": "Ваш номер в очереди: 1.",
           "deadline": "Ответьте до 4 марта, 14:00."},
}
MENU = {"kk": ["Сауалнама", "Курстар", "Жазылуларым", "Тіл", "Көмек", "Атым"],
        "ru": ["Опрос", "Курсы", "Мои записи", "Язык", "Помощь", "Имя"]}


def segments(text: str) -> int:
    count = count_segments(text)
    assert count.encoding == "UCS-2", text  # Cyrillic, not transliterated
    return count.segments


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_choosing_the_language_answers_with_the_name_question_and_the_menu_in_two_segments(
    database: Database, catalogs: Catalogs, clock: FakeClock, language: str
) -> None:
    step = STEPS[language]
    async with world_of("sms", database, catalogs, clock) as world:
        phone = world.phone(1, language)
        await phone.open()
        answer = await phone.choose(step["language"])
    assert segments(answer) <= BUDGET, answer
    assert step["name"] in answer
    assert options(answer) == list(enumerate(MENU[language], 1)), answer


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_the_course_messages_fit_two_segments(
    database: Database, catalogs: Catalogs, clock: FakeClock, language: str
) -> None:
    step, title = STEPS[language], TITLE.get(language)
    async with database.transaction() as session:
        await make_course(session, await make_centre(session), capacity=1, offer_hours=48)
    sent: dict[str, str] = {}
    async with world_of("sms", database, catalogs, clock) as world:
        seated, waiting = world.phone(1, language), world.phone(2, language)
        for phone, action in ((seated, "enrol"), (waiting, "join")):
            await phone.open()
            await phone.choose(step["language"])
            await phone.say(step["menu"])  # past the name question
            sent[f"list before {action}"] = await phone.choose(step["courses"])
            sent[f"detail before {action}"] = await phone.choose(step["course"])
            sent[action] = await phone.choose(step[action])
        sent["menu"] = await seated.say(step["menu"])
        sent["mine"] = await seated.choose(step["mine"])
        sent["item"] = await seated.choose(step["course"])
        sent["leave?"] = await seated.choose(step["leave"])
        sent["left"] = await seated.choose(step["sure"])
        assert await world.deliver() == 1
        sent["offer"] = waiting.inbox()
        sent["accept"] = await waiting.choose(step["accept"])
    costs = {name: segments(text) for name, text in sent.items()}
    allowed = {name: DETAIL_BUDGET if name.startswith("detail") else BUDGET for name in sent}
    over = {name: cost for name, cost in costs.items() if cost > allowed[name]}
    assert over == {}, "\n---\n".join(f"[{costs[name]}] {sent[name]}" for name in over)
    # what the villager needs is still there
    assert title in sent["list before enrol"] and title in sent["detail before join"]
    assert title in sent["enrol"] and step["first"] in sent["enrol"]
    assert step["position"] in sent["join"]
    assert step["pointer"] in sent["enrol"]  # the whole menu would cost a third segment
    assert [label for _, label in options(sent["menu"])] == MENU[language]
    assert title in sent["offer"] and step["deadline"] in sent["offer"]
    assert [number for number, _ in options(sent["offer"])] == [1, 2] and step["number"] in sent["offer"]
    assert title in sent["accept"] and title in sent["left"]


def notices(now: dt.datetime) -> dict[str, Reply]:
    """Each notice the outbox sends about a course, for the test course."""
    before = [SessionInfo(now + dt.timedelta(days=7 * week), 90, PLACE) for week in (1, 2)]
    moved = [before[0], SessionInfo(before[1].starts_at + dt.timedelta(days=1, hours=2), 90, PLACE)]
    schedule = schedule_reply(TITLE, before, moved, now)
    assert schedule is not None
    return {
        "expired": expired_reply(TITLE), "moved": moved_reply(TITLE, 3), "removed": removed_reply(TITLE),
        "cancelled": cancelled_reply(TITLE), "withdrawn": withdrawn_reply(TITLE, 1), "schedule": schedule,
        "session cancelled": schedule_reply(TITLE, before, before[:1], now) or schedule,
    }


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_course_notices_fit_two_segments_and_name_the_course(catalogs: Catalogs, language: str) -> None:
    tr = catalogs.translator(language)
    for name, reply in notices(T0).items():
        [body] = render_sms([reply], tr)
        assert segments(body.body) <= BUDGET, f"{name}: {body.body}"
        assert TITLE.get(language) in body.body, f"{name}: {body.body}"
    withdrawn = render_sms([notices(T0)["withdrawn"]], tr)[0].body
    moved = render_sms([notices(T0)["moved"]], tr)[0].body
    assert "1." in withdrawn and "3." in moved  # the place in the queue
