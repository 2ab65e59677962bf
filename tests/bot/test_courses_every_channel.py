"""Every villager-facing step of courses, in Kazakh and Russian, over the simulator, Telegram and SMS.

One journey, written once (``tests.bot.phones``) and run through each channel's real adapter:
listing and details, a seat, the waiting list with positions, My enrolments, leaving, an offer
declined, an offer let expire (and the notice), an offer accepted, then the satisfaction
questionnaire after the course. A second journey covers what a facilitator's actions tell
villagers: the priority rule, a move on the list, a removal and a cancellation.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.features.courses import change_status, expire_due_offers, move_on_list, remove_from_course
from bot.i18n import Catalogs
from storage.db import Database
from storage.models.courses import Enrolment
from storage.models.surveys import SurveyAnswer
from tests.bot.phones import CHANNELS, world_of
from tests.bot.sms_seen import MENU_WORD, sms_seen
from tests.bot.test_course_feedback import AFTER_THE_LAST_SESSION, attended, invite_now
from tests.storage.courses_helpers import make_centre, make_course

SEEN = {
    "kk": {
        "language": "Қазақша", "menu": "Басты мәзір", "courses": "Курстар",
        "mine": "Менің жазылуларым", "listing": "Орталығыңыздағы ашық курстар:",
        "one_seat": "Компьютер сауаттылығы: 1 бос орын", "course": "Компьютер сауаттылығы",
        "schedule": "Сабақ кестесі:", "first_date": "9 наурыз", "place": "Мектеп, 12-кабинет",
        "rule": "Орындар күту тізіміне жазылу ретімен ұсынылады.", "enrol": "Жазылу",
        "seat": "Жазылдыңыз! «Компьютер сауаттылығы» курсында сізге орын бекітілді.",
        "join": "Күту тізіміне жазылу",
        "waiting": "Курста бос орын қалмады, сондықтан сіз күту тізіміне енгізілдіңіз.",
        "first": "Күту тізімінде сіздің кезегіңіз — 1.", "second": "Күту тізімінде сіздің кезегіңіз — 2.",
        "mine_waiting": "Компьютер сауаттылығы: күту тізімі, кезегіңіз — 1",
        "mine_enrolled": "Компьютер сауаттылығы: сіз жазылғансыз", "leave": "Курстан шығу",
        "sure": "«Компьютер сауаттылығы» курсынан шынымен шыққыңыз келе ме?", "yes_leave": "Иә, шығамын",
        "left": "Сіз «Компьютер сауаттылығы» курсынан шықтыңыз.",
        "offer": "Қуанышты хабар: «Компьютер сауаттылығы» курсында сізге орын босады!",
        "accept": "Орынды қабылдау", "decline": "Бас тарту",
        "declined": "Сіз «Компьютер сауаттылығы» курсындағы орыннан бас тарттыңыз",
        "expired": "«Компьютер сауаттылығы» курсындағы орын ұсынысына жауап беру мерзімі өтіп кетті",
        "confirmed": "«Компьютер сауаттылығы» курсындағы орныңыз бекітілді.",
        "invitation": "«Компьютер сауаттылығы» курсы аяқталды.", "start": "Сұрақтарға жауап беру",
        "useful": "Курс сізге пайдалы болды ма?", "somewhat": "Біршама пайдалы болды",
        "excellent": "Өте жақсы", "no": "Жоқ", "topics": "Енді нені үйренгіңіз келеді?",
        "sewing": "Тігін", "languages": "Шет тілдері",
        "thanks": "Рақмет! Пікіріңіз орталыққа келесі курстарды жақсартуға көмектеседі.",
        "priority": "Басымдық жұмыссыздарға, одан кейін әйелдерге беріледі; бір топтың ішінде — жазылу ретімен.",
        "moved": "Орталық «Компьютер сауаттылығы» курсының күту тізіміндегі орныңызды өзгертті: енді кезегіңіз — 1.",
        "removed": "Орталық сізді «Компьютер сауаттылығы» курсының тізімінен шығарды.",
        "cancelled": "Кешіріңіз, «Компьютер сауаттылығы» курсы тоқтатылды.",
    },
    "ru": {
        "language": "Русский", "menu": "Главное меню", "courses": "Курсы",
        "mine": "Мои записи", "listing": "Открытые курсы вашего центра:",
        "one_seat": "Компьютерная грамотность: осталось 1 свободное место", "course": "Компьютерная грамотность",
        "schedule": "Расписание:", "first_date": "9 марта", "place": "Школа, кабинет 12",
        "rule": "Места предлагаются в порядке записи в лист ожидания.", "enrol": "Записаться",
        "seat": "Готово! У вас есть место на курсе «Компьютерная грамотность».",
        "join": "Встать в очередь",
        "waiting": "Мест на курсе нет, поэтому вы записаны в лист ожидания.",
        "first": "Ваш номер в очереди: 1.", "second": "Ваш номер в очереди: 2.",
        "mine_waiting": "Компьютерная грамотность: вы в очереди, номер 1",
        "mine_enrolled": "Компьютерная грамотность: вы записаны", "leave": "Уйти с курса",
        "sure": "Вы действительно хотите уйти с курса «Компьютерная грамотность»?", "yes_leave": "Да, уйти",
        "left": "Вы ушли с курса «Компьютерная грамотность».",
        "offer": "Хорошая новость: на курсе «Компьютерная грамотность» для вас освободилось место!",
        "accept": "Принять место", "decline": "Отказаться",
        "declined": "Вы отказались от места на курсе «Компьютерная грамотность»",
        "expired": "Срок ответа на предложение места на курсе «Компьютерная грамотность» истёк",
        "confirmed": "Ваше место на курсе «Компьютерная грамотность» подтверждено.",
        "invitation": "Курс «Компьютерная грамотность» завершён.", "start": "Ответить на вопросы",
        "useful": "Был ли курс вам полезен?", "somewhat": "Отчасти полезен", "excellent": "Отлично",
        "no": "Нет", "topics": "Чему вы хотели бы научиться дальше?", "sewing": "Шитьё", "languages": "Иностранные языки",
        "thanks": "Спасибо! Ваше мнение поможет центру сделать следующие курсы лучше.",
        "priority": "Приоритет отдаётся безработным, затем женщинам; внутри группы — в порядке записи.",
        "moved": "Центр изменил ваше место в очереди на курс «Компьютерная грамотность». Ваш номер в очереди: 1.",
        "removed": "Центр исключил вас из списка курса «Компьютерная грамотность».",
        "cancelled": "К сожалению, курс «Компьютерная грамотность» отменён.",
    },
}


async def one_seat(database: Database, policy: str = "fcfs") -> None:
    async with database.transaction() as session:
        await make_course(session, await make_centre(session), capacity=1, offer_hours=48, policy=policy)


async def statuses(database: Database) -> list[str]:
    async with database.transaction() as session:
        return list((await session.scalars(select(Enrolment.status).order_by(Enrolment.id))).all())


@pytest.mark.parametrize("language", ["kk", "ru"])
@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_course_from_enrolment_to_feedback(
    database: Database, catalogs: Catalogs, clock: FakeClock, channel: str, language: str
) -> None:
    seen = SEEN[language] | sms_seen(channel, language)
    await one_seat(database)
    async with world_of(channel, database, catalogs, clock) as world:
        aigerim, bolat, dana, erlan = (world.phone(n, language) for n in range(1, 5))
        for phone in (aigerim, bolat, dana, erlan):
            await phone.open()
            assert seen["menu"] in await phone.choose(seen["language"])

        listing = await aigerim.choose(seen["courses"])
        assert seen["listing"] in listing and seen["one_seat"] in listing
        detail = await aigerim.choose(seen["course"])
        assert seen["schedule"] in detail and seen["first_date"] in detail and seen["place"] in detail
        assert seen["rule"] in detail
        assert seen["seat"] in await aigerim.choose(seen["enrol"])

        for phone, place in ((bolat, "first"), (dana, "second"), (erlan, None)):
            await phone.choose(seen["courses"])
            await phone.choose(seen["course"])
            joined = await phone.choose(seen["join"])
            assert seen["waiting"] in joined
            if place is not None:
                assert seen[place] in joined
        if channel == "sms":  # SMS points to the menu after an answer: the whole menu would cost a segment
            for phone in (bolat, aigerim):
                await phone.say(MENU_WORD[language])
        assert seen["mine_waiting"] in await bolat.choose(seen["mine"])

        assert seen["mine_enrolled"] in await aigerim.choose(seen["mine"])
        assert seen["mine_enrolled"] in await aigerim.choose(seen["course"])
        assert seen["sure"] in await aigerim.choose(seen["leave"])
        assert seen["left"] in await aigerim.choose(seen["yes_leave"])

        assert await world.deliver() == 1
        assert seen["offer"] in bolat.inbox()
        assert seen["declined"] in await bolat.choose(seen["decline"])

        assert await world.deliver() == 1
        assert seen["offer"] in dana.inbox()
        clock.advance(hours=49)
        async with database.transaction() as session:
            assert await expire_due_offers(session, clock()) == 1
        assert await world.deliver() == 2
        assert seen["expired"] in dana.inbox()
        assert seen["offer"] in erlan.inbox()
        assert seen["confirmed"] in await erlan.choose(seen["accept"])
        assert await statuses(database) == ["left", "declined", "expired", "enrolled"]
        assert seen["mine_enrolled"] in await erlan.choose(seen["mine"])

        await attended(database, clock)
        clock.advance(**AFTER_THE_LAST_SESSION)
        assert await invite_now(database, clock) == 1
        assert await world.deliver() == 1
        assert seen["invitation"] in erlan.inbox()
        assert seen["useful"] in await erlan.choose(seen["start"])
        await erlan.choose(seen["somewhat"])
        await erlan.choose(seen["excellent"])
        assert seen["topics"] in await erlan.choose(seen["no"])
        assert seen["thanks"] in await erlan.choose(seen["sewing"], seen["languages"])
    async with database.transaction() as session:
        answers = dict((await session.execute(select(SurveyAnswer.question_id, SurveyAnswer.value))).all())
    assert answers == {"useful": "somewhat", "teaching": "excellent", "recommend": "no",
                       "next_topics": ["foreign_languages", "sewing"]}


async def rows(database: Database) -> list[int]:
    async with database.transaction() as session:
        return list((await session.scalars(select(Enrolment.id).order_by(Enrolment.id))).all())


@pytest.mark.parametrize("language", ["kk", "ru"])
@pytest.mark.parametrize("channel", CHANNELS)
async def test_what_a_facilitators_actions_tell_villagers(
    database: Database, catalogs: Catalogs, clock: FakeClock, channel: str, language: str
) -> None:
    seen = SEEN[language] | sms_seen(channel, language)
    await one_seat(database, policy="priority:unemployed,women")
    async with world_of(channel, database, catalogs, clock) as world:
        learner, first, second = (world.phone(n, language) for n in range(1, 4))
        for phone, action in ((learner, "enrol"), (first, "join"), (second, "join")):
            await phone.open()
            await phone.choose(seen["language"])
            await phone.choose(seen["courses"])
            detail = await phone.choose(seen["course"])
            assert seen["priority"] in detail
            await phone.choose(seen[action])
        seat, _, moved = await rows(database)

        async with database.transaction() as session:
            await move_on_list(session, moved, 1, clock(), actor="cli:test", reason="обещали в прошлый раз")
        assert await world.deliver() == 1
        assert seen["moved"] in second.inbox()

        async with database.transaction() as session:
            await remove_from_course(session, seat, clock(), actor="cli:test", reason="не пришёл два раза")
        assert await world.deliver() == 2
        removed = learner.inbox()
        assert seen["removed"] in removed and "не пришёл" not in removed  # the reason stays in the log
        assert seen["offer"] in second.inbox()

        async with database.transaction() as session:
            course_id = (await session.scalars(select(Enrolment.course_id))).first()
            assert course_id is not None
            await change_status(session, course_id, "cancelled", clock(), actor="cli:test", reason="нет учителя")
        assert await world.deliver() == 2
        assert seen["cancelled"] in first.inbox() and seen["cancelled"] in second.inbox()
        assert learner.inbox() == ""
