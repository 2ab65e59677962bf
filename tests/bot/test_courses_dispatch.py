"""Courses as villagers use them, through the dispatcher: enrol, wait, leave, offers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.features.courses import change_status, expire_due_offers
from bot.i18n import Catalogs, Translator
from flows.events import Reply
from storage.db import Database
from storage.models import OutboxMessage
from storage.models.courses import Enrolment
from tests.bot.outbox_helpers import deliver
from tests.bot.test_outbox import RecordingSender
from tests.built import FEATURES, outbox_sender
from tests.conftest import Chat
from tests.storage.courses_helpers import make_centre, make_course


async def one_seat_course(database: Database, clock: FakeClock) -> int:
    async with database.transaction() as session:
        centre = await make_centre(session)
        course = await make_course(session, centre, capacity=1, offer_hours=48)
        return course.id


async def person(database: Database, clock: FakeClock, catalogs: Catalogs, n: int, language: str) -> Chat:
    chat = Chat(Dispatcher(database, FEATURES, clock=clock), catalogs, address=f"sim:{n}")
    await chat.send()
    await chat.send("1" if language == "kk" else "2")
    return chat


async def statuses(database: Database) -> list[str]:
    async with database.transaction() as session:
        return list((await session.scalars(select(Enrolment.status).order_by(Enrolment.id))).all())


async def test_enrol_then_wait_then_leave_and_the_offer_is_accepted_by_a_typed_answer(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    await one_seat_course(database, clock)
    aigerim = await person(database, clock, catalogs, 1, "kk")
    listing = await aigerim.say("2")
    assert "Орталығыңыздағы ашық курстар:" in listing and "Компьютер сауаттылығы: 1 бос орын" in listing
    detail = await aigerim.say("1")
    assert "Сабақ кестесі:" in detail and "Мектеп, 12-кабинет" in detail and "1. Жазылу" in detail
    enrolled = await aigerim.say("1")
    assert "Жазылдыңыз! «Компьютер сауаттылығы» курсында сізге орын бекітілді." in enrolled
    assert "Алғашқы сабақ: 9 наурыз, 14:00, Мектеп, 12-кабинет." in enrolled

    oleg = await person(database, clock, catalogs, 2, "ru")
    assert "Компьютерная грамотность: мест нет — можно встать в очередь" in await oleg.say("курсы")
    assert "1. Встать в очередь" in await oleg.say("1")
    waiting = await oleg.say("1")
    assert "Мест на курсе нет, поэтому вы записаны в лист ожидания." in waiting
    assert "Ваш номер в очереди: 1." in waiting
    assert await statuses(database) == ["enrolled", "waiting"]

    mine = await aigerim.say("3")
    assert "Сіздің жазылуларыңыз:" in mine and "сіз жазылғансыз" in mine
    item = await aigerim.say("1")
    assert "Курстан шығу" in item
    assert "шынымен шыққыңыз келе ме" in await aigerim.say("1")
    assert "Сіз «Компьютер сауаттылығы» курсынан шықтыңыз." in await aigerim.say("иә")
    assert await statuses(database) == ["left", "offered"]

    async with database.transaction() as session:
        offer = await session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "offer"))
    assert offer is not None and offer.due_at == clock()
    ((to, text),) = await deliver(database, catalogs, clock)
    assert to == "sim:2" and "«Компьютерная грамотность»" in text and "1. Принять место" in text
    accepted = await oleg.say("1")  # answers the offer just delivered: the conversation waits for it
    assert "Ваше место на курсе «Компьютерная грамотность» подтверждено." in accepted
    assert await statuses(database) == ["left", "enrolled"]


async def test_a_declined_and_an_expired_offer_move_the_list_on(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    await one_seat_course(database, clock)
    first = await person(database, clock, catalogs, 1, "ru")
    others = [await person(database, clock, catalogs, n, "ru") for n in (2, 3, 4)]
    for chat in (first, *others):
        await chat.send("2")
        await chat.send("1")
        await chat.send("1")
    assert await statuses(database) == ["enrolled", "waiting", "waiting", "waiting"]
    await first.send("3")
    await first.send("1")
    await first.send("1")
    await first.send("да")
    assert await statuses(database) == ["left", "offered", "waiting", "waiting"]
    await deliver(database, catalogs, clock)
    declined = await others[0].say("2")
    assert "Вы отказались от места" in declined
    assert await statuses(database) == ["left", "declined", "offered", "waiting"]
    await deliver(database, catalogs, clock)
    clock.advance(hours=49)
    async with database.transaction() as session:
        assert await expire_due_offers(session, clock()) == 1
    assert await statuses(database) == ["left", "declined", "expired", "offered"]
    told = dict(await deliver(database, catalogs, clock))
    assert told["sim:3"].startswith("Срок ответа на предложение места на курсе «Компьютерная грамотность» истёк")
    assert "выберите «Курсы» в меню и запишитесь снова" in told["sim:3"]
    assert "Хорошая новость" in told["sim:4"]
    late = await others[1].say("1")
    assert "Пока вы отвечали, ситуация изменилась" in late or "срок этого предложения истёк" in late
    assert await statuses(database) == ["left", "declined", "expired", "offered"]
    async with database.transaction() as session:
        offers = (await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "offer"))).all()
    assert len(offers) == 3


async def test_the_last_seat_taken_meanwhile_gives_the_true_answer(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    await one_seat_course(database, clock)
    slow = await person(database, clock, catalogs, 1, "ru")
    fast = await person(database, clock, catalogs, 2, "ru")
    await slow.send("2")
    assert "1. Записаться" in await slow.say("1")  # a seat is free when shown
    await fast.send("2")
    await fast.send("1")
    assert "Готово!" in await fast.say("1")  # …and taken a moment later
    answer = await slow.say("1")
    assert "вы записаны в лист ожидания" in answer and "Ваш номер в очереди: 1." in answer
    assert await statuses(database) == ["enrolled", "waiting"]  # the fast one's row came first


def test_offer_expiry_is_a_periodic_job_of_the_bot() -> None:
    jobs = {job.name: job.seconds for job in FEATURES.jobs}
    assert jobs["expire_offers"] == 60


async def seated_and_waiting(database: Database, clock: FakeClock, catalogs: Catalogs) -> tuple[Chat, Chat]:
    """Aigerim takes the one seat, Bolat waits first in line (both in Russian)."""
    aigerim = await person(database, clock, catalogs, 1, "ru")
    bolat = await person(database, clock, catalogs, 2, "ru")
    for chat in (aigerim, bolat):
        for text in ("2", "1", "1"):  # Courses, the course, enrol
            await chat.send(text)
    return aigerim, bolat


class TypesWhileSending(RecordingSender):
    """The person types while their offer is on its way, so they read that answer, not the offer."""

    def __init__(self, chat: Chat, text: str) -> None:
        super().__init__("simulator")
        self.chat, self.text = chat, text

    async def send(self, address: str, replies: Sequence[Reply], tr: Translator, **options: Any) -> list[str]:
        await self.chat.send(self.text)
        return await super().send(address, replies, tr, **options)


async def test_an_offer_crossing_a_typed_answer_does_not_take_over_the_screen_shown_since(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    await one_seat_course(database, clock)
    aigerim, bolat = await seated_and_waiting(database, clock, catalogs)
    await bolat.send("2")
    assert "Расписание:" in await bolat.say("1")  # Bolat reads the course's details
    for text in ("3", "1", "1", "да"):
        await aigerim.send(text)  # Aigerim leaves: the seat is offered to Bolat
    crossing = TypesWhileSending(bolat, "1")  # "Back" to the list, typed while the offer travels
    await outbox_sender(database, catalogs, {"simulator": crossing}, clock=clock).send_due()
    assert "Хорошая новость" in crossing.sent[0][1]
    assert "Главное меню" in await bolat.say("2")  # "Back" on the list he was shown, not "Decline"
    assert await statuses(database) == ["left", "offered"]  # not declined by accident
    assert "Ваше место на курсе «Компьютерная грамотность» подтверждено." in await bolat.say(
        choice="accept", context="offer2")


async def test_an_offer_withdrawn_before_it_could_be_sent_is_not_sent(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    course_id = await one_seat_course(database, clock)
    aigerim, _ = await seated_and_waiting(database, clock, catalogs)
    for text in ("3", "1", "1", "да"):  # Aigerim leaves: the seat is offered to Bolat
        await aigerim.send(text)
    async with database.transaction() as session:
        await change_status(session, course_id, "cancelled", clock(), actor="cli:test", reason="нет учителя")
    ((to, text),) = await deliver(database, catalogs, clock)
    assert to == "sim:2" and text.startswith("К сожалению, курс «Компьютерная грамотность» отменён.")
    async with database.transaction() as session:
        offer = await session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "offer"))
    assert offer is not None and (offer.status, offer.last_error) == ("skipped", "no longer relevant")
    clock.advance(hours=49)
    async with database.transaction() as session:
        assert await expire_due_offers(session, clock()) == 1
    assert await deliver(database, catalogs, clock) == []  # no "your offer expired" after "cancelled"
