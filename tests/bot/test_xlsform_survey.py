"""An imported XLSForm run end to end: in the terminal simulator in Kazakh and over SMS in Russian,
with its groups' conditions, constraints and their messages, required messages and hints."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.clock import FakeClock
from bot.features.surveys import publish_form
from bot.i18n import Catalogs
from bot.xlsform.files import read_xlsform
from storage.db import Database
from storage.models.surveys import SurveyAnswer, SurveyRun
from tests.bot.phones import Phone, world_of
from tests.bot.xlsform_forms import school_form


async def published_school(database: Database, clock: FakeClock, folder: Path) -> None:
    form = read_xlsform(school_form(folder / "school.xlsx")).form
    async with database.transaction() as session:
        await publish_form(session, form, source="school.xlsx", now=clock(), activate=True)


async def answers(database: Database) -> tuple[list[str], dict[str, object]]:
    async with database.transaction() as session:
        runs = list((await session.scalars(select(SurveyRun.status))).all())
        rows = await session.execute(select(SurveyAnswer.question_id, SurveyAnswer.value))
        return runs, dict(rows.all())


async def talk(phone: Phone, said: list[tuple[str, str]]) -> None:
    """Each (text sent, what the reply must contain)."""
    for text, expected in said:
        reply = await phone.say(text)
        assert expected in reply, (text, reply)


async def test_the_school_form_in_the_simulator_in_kazakh(
    database: Database, catalogs: Catalogs, clock: FakeClock, tmp_path: Path
) -> None:
    await published_school(database, clock, tmp_path)
    async with world_of("simulator", database, catalogs, clock) as world:
        phone = world.phone(1, "kk")
        await phone.open()
        await phone.choose("Қазақша")
        await talk(phone, [
            ("1", "Мектеп туралы бірнеше сұрақ."),  # the menu's survey: the note, then the acknowledge
            ("1", "Балаңыз бар ма?"),
            ("өткізу", "Иә немесе жоқ деп жауап беріңіз."),  # its required_message
            ("1", "Санмен жазыңыз."),  # the group's relevant holds; the hint in Kazakh
            ("0", "1-ден 15-ке дейін жазыңыз."),  # constraint . >= 1 and . <= 15
            ("2", "Қай сыныптарда?"),  # the nested group
            ("1 2 3", "Балалардан көп таңдамаңыз."),  # count-selected(.) <= ${children_count}
            ("1 2", "Мектепке қалай барады?"),  # selected(${grades}, 'middle')
            ("1", "Мектепке дейін неше шақырым?"),
            ("3,5", "Туған күніңіз?"),
            ("01.01.2020", "Күнді тексеріңіз."),
            ("01.01.1980", "Телефон нөміріңіз?"),
            ("123", "10 цифр жазыңыз."),  # regex()
            ("7011234567", "Мектепті бағалаңыз"),  # a phone given: no comment asked
            ("2", "Рақмет! Жауаптарыңыз сақталды."),  # rating 2: why_low not asked
        ])
    assert await answers(database) == (["completed"], {
        "agree": "ok", "has_children": "yes", "children_count": 2, "grades": ["primary", "middle"],
        "transport": "walk", "distance": 3.5, "birth": "1980-01-01", "phone_number": "7011234567",
        "rating": "2",
    })


async def test_the_school_form_over_sms_in_russian(
    database: Database, catalogs: Catalogs, clock: FakeClock, tmp_path: Path
) -> None:
    await published_school(database, clock, tmp_path)
    async with world_of("sms", database, catalogs, clock) as world:
        phone = world.phone(1, "ru")
        await phone.open()
        await phone.choose("Русский")
        await talk(phone, [
            ("1", "Несколько вопросов о школе."),
            ("1", "Есть ли у вас дети?"),
            ("пропустить", "Ответьте да или нет."),
            ("да", "Напишите числом."),
            ("20", "Напишите от 1 до 15."),
            ("1", "В каких классах?"),
            ("1 2", "Не больше, чем детей."),
            ("1", "Сколько км до школы?"),  # primary only: transport is not asked
            ("12", "Дата рождения?"),
            ("пропустить", "Ваш телефон?"),
            ("пропустить", "Ваш отзыв?"),  # ${phone_number} = '': asked
            ("Хорошая школа", "Оцените школу"),  # 12 >= 10 and the date unknown
            ("1", "Почему низко?"),  # ${rating} = 1, the choice named 1
            ("Далеко", "Спасибо! Ваши ответы сохранены."),
        ])
    assert await answers(database) == (["completed"], {
        "agree": "ok", "has_children": "yes", "children_count": 1, "grades": ["primary"], "distance": 12,
        "comment": "Хорошая школа", "rating": "1", "why_low": "Далеко",
    })
