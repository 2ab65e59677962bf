"""Facilitators in the bot (/manage): roster, attendance, removing and moving, all audited."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.i18n import Catalogs
from storage import courses as repo
from storage.db import Database
from storage.models import Centre, ChannelIdentity, Contact, FacilitatorRole, OutboxMessage
from storage.models.courses import Attendance, Course, CourseAudit, CourseSession, Enrolment
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.bot.telegram_harness import Villager, running_bot
from tests.built import FEATURES
from tests.conftest import Chat
from tests.storage.courses_helpers import T0, make_centre, make_contacts, make_course


async def full_course(database: Database) -> tuple[int, list[int]]:
    """Two seats taken (Әсел, Болат), three waiting (Гүлнар, Дина, Ерлан) in that order."""
    async with database.transaction() as session:
        centre = await make_centre(session)
        course = await make_course(session, centre, capacity=2)
        people = await make_contacts(session, 5, centre)
        for contact_id, name in zip(people, ("Әсел", "Болат", "Гүлнар", "Дина", "Ерлан"), strict=True):
            contact = await session.get(Contact, contact_id)
            assert contact is not None
            contact.name = name
        for minute, contact_id in enumerate(people):
            await repo.enrol(session, course.id, contact_id, T0 + dt.timedelta(minutes=minute), actor="test")
        return course.id, people


async def facilitator(database: Database, clock: FakeClock, catalogs: Catalogs, language: str) -> Chat:
    chat = Chat(Dispatcher(database, FEATURES, clock=clock), catalogs, address="sim:staff")
    await chat.send()
    await chat.send("1" if language == "kk" else "2")
    async with database.transaction() as session:
        contact_id = await session.scalar(select(ChannelIdentity.contact_id).where(
            ChannelIdentity.address == "sim:staff"))
        assert contact_id is not None
        session.add(FacilitatorRole(contact_id=contact_id, centre_id=1, created_at=T0))
    return chat


async def test_a_villager_cannot_manage(database: Database, clock: FakeClock, catalogs: Catalogs) -> None:
    await full_course(database)
    chat = Chat(Dispatcher(database, FEATURES, clock=clock), catalogs, address="sim:villager")
    await chat.send()
    await chat.send("2")
    answer = await chat.say("/manage")
    assert "Этот раздел только для сотрудников центра." in answer and "Главное меню" in answer


async def test_roster_attendance_remove_and_move_in_russian(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    _, (asel, bolat, gulnar, dina, erlan) = await full_course(database)
    staff = await facilitator(database, clock, catalogs, "ru")
    listing = await staff.say("/manage")
    assert "Курсы вашего центра:" in listing and "1. Компьютерная грамотность" in listing
    course = await staff.say("1")
    assert "Статус: запись открыта. Занято мест: 2 из 2." in course
    # Only the actions are numbered on this screen: the roster has bullets.
    assert "• Әсел\n• Болат\nЛист ожидания, по порядку:\n• Гүлнар\n• Дина\n• Ерлан" in course
    assert "1. Отметить посещаемость\n2. Снять слушателя" in course
    assert "Места предлагаются в порядке записи в лист ожидания." in course

    early = await staff.say("1")  # nothing to mark a week before the first session
    assert "У этого курса ещё не было занятий. Первое занятие: 9 марта, 14:00." in early
    clock.advance(days=7)  # the first session starts; the second is a week later
    lessons = await staff.say("1")
    assert "Какое занятие?" in lessons and "1. Занятие 9 марта, 14:00\n2. Назад" in lessons
    marks = await staff.say("1")
    assert "Занятие 9 марта, 14:00. Выберите, кто пришёл (✓)" in marks
    assert "1. · Әсел" in marks and "2. · Болат" in marks and "нажмите" not in marks
    both = await staff.say("1 2")  # several names in one message
    assert "1. ✓ Әсел" in both and "2. ✓ Болат" in both
    assert "2. ✗ Болат" in await staff.say("2")  # present → absent
    assert "Статус: запись открыта" in await staff.say("3")  # done
    async with database.transaction() as session:
        marked = dict((await session.execute(
            select(Enrolment.contact_id, Attendance.present).join(Enrolment, Enrolment.id == Attendance.enrolment_id)
        )).all())
    assert marked == {asel: True, bolat: False}

    assert "Кого вы хотите снять с курса?" in await staff.say("2")
    asked = await staff.say("2")
    assert "Болат: почему снимаете с курса? Напишите причину" in asked
    assert "1. Назад" in asked and "Ответьте номером" not in asked  # write, not "answer with a number"
    assert "Болат получит сообщение о том, что снят(а) с курса; причина в нём не указывается." in asked
    assert "Напишите причину в нескольких словах." in await staff.say("   ")
    removed = await staff.say("не пришёл на два занятия")
    assert "Болат: снят(а) с курса. Освободившееся место предложат следующему в листе ожидания." in removed
    assert "1. Отметить посещаемость" in removed

    assert "Кого вы хотите переместить?" in await staff.say("3")
    places = await staff.say("2")
    assert "Ерлан: на какое место в очереди переместить?" in places and "1. Место 1\n2. Место 2\n3. Назад" in places
    assert "Ответьте числом от 1 до 3." in await staff.say("5")
    assert "Ерлан: почему меняете место в очереди?" in await staff.say("1")
    moved = await staff.say("обещали место в прошлый раз")
    assert "Ерлан: теперь номер 1 в листе ожидания" in moved

    async with database.transaction() as session:
        audit = (await session.execute(select(CourseAudit.action, CourseAudit.contact_id, CourseAudit.reason)
                                       .where(CourseAudit.actor.like("contact:%")).order_by(CourseAudit.id))).all()
        statuses = dict((await session.execute(select(Enrolment.contact_id, Enrolment.status))).all())
        told = (await session.scalars(select(OutboxMessage.contact_id).where(OutboxMessage.kind == "moved"))).all()
        taken_off = (await session.scalars(select(OutboxMessage.contact_id)
                                           .where(OutboxMessage.kind == "removed"))).all()
    assert [(a, c) for a, c, _ in audit] == [("attendance", asel), ("attendance", bolat), ("attendance", bolat),
                                             ("removed", bolat), ("move", erlan)]
    assert [r for _, _, r in audit][3:] == ["не пришёл на два занятия", "обещали место в прошлый раз"]
    assert statuses[bolat] == "removed" and statuses[gulnar] == "offered"  # the freed seat was offered
    assert list(told) == [erlan]
    assert list(taken_off) == [bolat]
    roster = await staff.say("/manage")
    assert "1. Компьютерная грамотность" in roster
    assert "• Әсел\n• Гүлнар (место предложено)\nЛист ожидания, по порядку:\n• Ерлан\n• Дина" in await staff.say("1")
    assert statuses[dina] == statuses[erlan] == "waiting"
    await staff.say("1")
    marks = await staff.say("1")  # Гүлнар has only been offered the seat: nobody to mark yet
    assert "1. ✓ Әсел\n2. Готово" in marks and "Гүлнар" not in marks
    await staff.say("2")
    assert "4. Дина" in await staff.say("2")
    await staff.say("4")
    off_the_list = await staff.say("передумала")
    assert "Дина: снят(а) с листа ожидания." in off_the_list and "место" not in off_the_list


async def test_marking_attendance_on_telegram_in_kazakh(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    _, (asel, *_) = await full_course(database)
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock) as channel:
        staff = Villager(fake, channel, 700, language="kk")
        await staff.says("/start")
        await staff.presses("Қазақша")
        async with database.transaction() as session:
            contact_id = await session.scalar(select(ChannelIdentity.contact_id).where(
                ChannelIdentity.address == "telegram:700"))
            session.add(FacilitatorRole(contact_id=contact_id, centre_id=1, created_at=T0))
        (courses,) = await staff.says("/manage")
        assert courses.text == "Орталығыңыздың курстары:"
        (course,) = await staff.presses("Компьютер сауаттылығы", courses)
        assert "Күйі: жазылу ашық. Жазылғандар: 2 / 2." in course.text
        # The course's reply marked sent first: a week on, a reply still marked "sending" would
        # look owed (its claim long lapsed) and be sent again before the next answer.
        await database.flush_deferred()
        clock.advance(days=7)  # the first session starts
        (lessons,) = await staff.presses("Қатысуды белгілеу", course)
        (marks,) = await staff.presses("9 наурыз", lessons)
        assert marks.text.startswith("9 наурыз, 14:00 сабағы. Келгендерді таңдаңыз (✓)")
        await staff.presses("· Әсел", marks)
        edited = fake.messages[marks.message_id]
        assert edited.edits == 1 and "✓ Әсел" in [label for label, _ in edited.buttons()]
    async with database.transaction() as session:
        present = (await session.scalars(select(Enrolment.contact_id).join(
            Attendance, Attendance.enrolment_id == Enrolment.id).where(Attendance.present.is_(True)))).all()
    assert list(present) == [asel]


async def test_closing_finishing_and_cancelling_from_the_bot_in_kazakh(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    course_id, (asel, bolat, *_) = await full_course(database)
    async with database.transaction() as session:
        second = await make_course(session, await session.get(Centre, 1), code="sewing-1")  # type: ignore[arg-type]
        second_id = second.id
        await repo.enrol(session, second_id, asel, T0, actor="test")
        lesson = await session.scalar(select(CourseSession.id).where(CourseSession.course_id == course_id))
        seat = await session.scalar(select(Enrolment.id).where(Enrolment.contact_id == bolat,
                                                               Enrolment.course_id == course_id))
    staff = await facilitator(database, clock, catalogs, "kk")
    await staff.say("/manage")
    course = await staff.say("1")
    assert "4. Жазылуды жабу\n5. Курсты аяқтау\n6. Курсты тоқтату\n7. Артқа" in course
    early = await staff.say("5")  # a week before the first session
    assert "«Компьютер сауаттылығы» курсының әлі бірде-бір сабағы өткен жоқ, сондықтан оны аяқтауға болмайды." in early
    assert "1. Қатысуды белгілеу" in early
    clock.advance(days=7, minutes=90)
    async with database.transaction() as session:
        await repo.mark_attendance(session, lesson, seat, True, clock(), actor="test")  # type: ignore[arg-type]
    assert "жазылуды жабасыз ба?" in await staff.say("4")
    closed = await staff.say("иә")
    assert "Орындалды: «Компьютер сауаттылығы» курсының күйі енді — жүріп жатыр." in closed
    assert "4. Жазылуды ашу" in closed  # the choices follow the new status
    assert "аяқталды деп белгілейсіз бе?" in await staff.say("5")
    finished = await staff.say("1")
    assert "Сабаққа қатысқандар курс туралы пікір сауалнамасын алады." in finished
    assert "Курсты тоқтату" not in finished  # finished is final

    await staff.say("/manage")
    await staff.say("2")  # the sewing course
    assert "неге тоқтатылады?" in await staff.say("6")
    assert "мына себеппен тоқтатасыз ба: шебер ауырып қалды?" in await staff.say("шебер ауырып қалды")
    assert "Орындалды: «Компьютер сауаттылығы» курсының күйі енді — тоқтатылды." in await staff.say("иә")

    async with database.transaction() as session:
        statuses = dict((await session.execute(select(Course.id, Course.status))).all())
        sent = (await session.execute(select(OutboxMessage.kind, OutboxMessage.contact_id)
                                      .where(OutboxMessage.kind.in_(("feedback", "cancelled"))))).all()
        reasons = (await session.scalars(select(CourseAudit.reason).where(CourseAudit.action == "status",
                                                                          CourseAudit.course_id == second_id))).all()
    assert statuses == {course_id: "finished", second_id: "cancelled"}
    assert sorted(sent) == [("cancelled", asel), ("feedback", bolat)]
    assert list(reasons) == ["шебер ауырып қалды"]
    villager = Chat(Dispatcher(database, FEATURES, clock=clock), catalogs, address="sim:asel")
    async with database.transaction() as session:
        session.add(ChannelIdentity(contact_id=asel, channel="simulator", address="sim:asel", created_at=T0))
    await villager.say("1")  # Қазақша
    mine = await villager.say("3")
    # Әсел was on both (same title); only the finished one is left, the cancelled one is gone.
    assert "Компьютер сауаттылығы: сіз жазылғансыз" in mine and "1. Компьютер сауаттылығы\n2. Артқа" in mine
