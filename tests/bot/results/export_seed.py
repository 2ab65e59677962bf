"""A small database for the export tests: two versions of a questionnaire, two centres, runs,
contacts with names and phones, a course with a seat holder and a waiting list.

Version 2 adds a question (``wish``, free text; ``born``, a date), removes one (``other_phone``)
and adds an option to the multiple choice (``situation``: ``student``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from storage.db import Database
from storage.models import Centre, ChannelIdentity, Contact, FacilitatorRole
from storage.models.courses import Attendance, Course, CourseSession, Enrolment
from storage.models.surveys import Questionnaire, QuestionnaireVersion, SurveyAnswer, SurveyRun

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # 14:00 in Almaty and Oral
STAFF_PHONE = "+77019990000"


def _text(kk: str, ru: str) -> dict[str, str]:
    return {"kk": kk, "ru": ru}


SITUATION_V1 = [
    {"id": "unemployed", "label": _text("Жұмыс іздеймін", "Ищу работу")},
    {"id": "employed", "label": _text("Жұмыс істеймін", "Работаю")},
    {"id": "pensioner", "label": _text("Зейнеткермін", "На пенсии")},
]
STUDENT = {"id": "student", "label": _text("Оқимын", "Учусь")}
GENDER = {"id": "gender", "type": "single", "label": _text("Жынысыңыз?", "Ваш пол?"),
          "choices": [{"id": "female", "label": _text("Әйел", "Женский")},
                      {"id": "male", "label": _text("Ер", "Мужской")}]}
CONSENT = {"id": "consent", "type": "yes_no", "label": _text("Келісесіз бе?", "Согласны?")}
AGE = {"id": "age", "type": "integer", "label": _text("Жасыңыз?", "Ваш возраст?")}
NOTE = {"id": "intro", "type": "note", "label": _text("Сәлем", "Здравствуйте")}


def _form(questions: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": "needs", "title": _text("Сауалнама", "Опрос"), "thanks": _text("Рақмет", "Спасибо"),
            "questions": questions}


V1 = _form([NOTE, CONSENT,
            {"id": "situation", "type": "multi", "label": _text("Немен айналысасыз?", "Чем заняты?"),
             "choices": SITUATION_V1},
            GENDER, AGE,
            {"id": "other_phone", "type": "phone", "label": _text("Қосымша телефон?", "Другой телефон?"),
             "required": False}])
V2 = _form([NOTE, CONSENT,
            {"id": "situation", "type": "multi", "label": _text("Немен айналысасыз?", "Чем заняты?"),
             "choices": [*SITUATION_V1, STUDENT]},
            GENDER,
            {"id": "wish", "type": "text", "label": _text("Тілегіңіз?", "Ваше пожелание?"), "required": False},
            {"id": "born", "type": "date", "label": _text("Туған күніңіз?", "Дата рождения?")},
            AGE])

# name, phone, telegram id, centre
PEOPLE = [
    ("Айгүл Сериккызы", "+77015550001", "700100201", "aksu"),
    ("Бауыржан Омаров", "+77015550002", None, "aksu"),
    ("Вера Ким", None, "700100203", "aksu"),
    ("Гүлнар Әбілова", "+77015550004", None, "oral"),
]
# (person index, version, status, minutes after T0, answers: question → (value, raw text))
RUNS: list[tuple[int, int, str, int, dict[str, tuple[Any, str | None]]]] = [
    (0, 1, "completed", 0, {"consent": ("yes", "1"), "situation": (["unemployed", "pensioner"], "1 3"),
                            "gender": ("female", "1"), "age": (34, "34"),
                            "other_phone": ("+77017770011", "8 701 777 00 11")}),
    (1, 2, "completed", 60 * 24, {"consent": ("yes", None), "situation": (["student"], "4"),
                                  "gender": ("male", "ер"), "wish": ("Тігін үйренгім келеді", None),
                                  "born": ("1990-03-25", "25.03.1990"), "age": (36, "36")}),
    (2, 2, "in_progress", 60 * 48, {"consent": ("yes", "1"), "situation": (["employed"], "2")}),
    (3, 1, "completed", 30, {"consent": ("yes", "1"), "situation": (["employed"], "2"),
                             "gender": ("male", "2"), "age": (50, "50")}),
]


@dataclass(frozen=True)
class Seeded:
    contacts: list[int]  # in PEOPLE's order
    runs: list[int]  # in RUNS' order
    staff: int
    enrolments: dict[str, int]  # "seated", "first", "second", "oral"


def minutes(n: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


async def seed(db: Database) -> Seeded:
    async with db.transaction() as session:
        centres = {slug: Centre(slug=slug, name_kk=slug, name_ru=slug, oblast="-", district="-", settlement=slug,
                                timezone=zone, created_at=T0)
                   for slug, zone in (("aksu", "Asia/Almaty"), ("oral", "Asia/Oral"))}
        session.add_all(centres.values())
        await session.flush()
        contacts = []
        for name, phone, telegram, slug in PEOPLE:
            contact = Contact(created_at=T0, language="ru", name=name, centre_id=centres[slug].id, consent=True,
                              settlement="Ақсу")
            session.add(contact)
            await session.flush()
            if phone:
                session.add(ChannelIdentity(contact_id=contact.id, channel="sms", address=f"tel:{phone}",
                                            created_at=T0))
            if telegram:
                session.add(ChannelIdentity(contact_id=contact.id, channel="telegram",
                                            address=f"telegram:{telegram}", created_at=T0))
            contacts.append(contact.id)
        staff = Contact(created_at=T0, language="ru", name="Дана Нұрланқызы", centre_id=centres["oral"].id)
        forgotten = Contact(created_at=T0, language="kk", centre_id=centres["aksu"].id, deleted_at=T0)
        session.add_all([staff, forgotten])
        await session.flush()
        session.add_all([ChannelIdentity(contact_id=staff.id, channel="sms", address=f"tel:{STAFF_PHONE}",
                                         created_at=T0),
                         FacilitatorRole(contact_id=staff.id, centre_id=centres["oral"].id, created_at=T0)])

        questionnaire = Questionnaire(slug="needs", active=True, created_at=T0)
        session.add(questionnaire)
        await session.flush()
        versions = {}
        for number, definition in ((1, V1), (2, V2)):
            version = QuestionnaireVersion(questionnaire_id=questionnaire.id, version=number, definition=definition,
                                           content_hash=str(number), source="test", created_at=T0)
            session.add(version)
            await session.flush()
            versions[number] = version.id
        runs = []
        for index, (person, number, status, after, answers) in enumerate(RUNS):
            started = minutes(after)
            run = SurveyRun(run_key=f"run-{index}", contact_id=contacts[person], version_id=versions[number],
                            status=status, channel="sms" if person % 2 else "telegram", started_at=started,
                            updated_at=started,
                            finished_at=started + dt.timedelta(minutes=5) if status == "completed" else None)
            session.add(run)
            await session.flush()
            for step, (question, (value, raw)) in enumerate(answers.items()):
                session.add(SurveyAnswer(run_id=run.id, question_id=question, value=value, raw_text=raw,
                                         answered_at=started + dt.timedelta(minutes=step)))
            runs.append(run.id)

        enrolments = {}
        for slug, code in (("aksu", "sewing-1"), ("oral", "computer-1")):
            course = Course(centre_id=centres[slug].id, code=code, title_kk=f"{code} kk", title_ru=f"{code} ru",
                            capacity=1, status="open", created_at=T0, updated_at=T0)
            course.sessions = [CourseSession(starts_at=T0 + dt.timedelta(days=7 * week), minutes=90,
                                             place_kk="Мектеп", place_ru="Школа") for week in (1, 2)]
            session.add(course)
            await session.flush()
            people = [(0, "enrolled", 1), (2, "waiting", None), (1, "waiting", None)] if slug == "aksu" else [
                (3, "enrolled", 1)]
            for order, (person, status, seat) in enumerate(people):
                row = Enrolment(course_id=course.id, contact_id=contacts[person], status=status, seat_no=seat,
                                joined_at=minutes(order), updated_at=T0)
                session.add(row)
                await session.flush()
                enrolments[{0: "seated", 1: "first", 2: "second"}[order] if slug == "aksu" else "oral"] = row.id
            if slug == "aksu":
                session.add(Attendance(session_id=course.sessions[0].id, enrolment_id=enrolments["seated"],
                                       present=True, marked_by="test", marked_at=T0))
        return Seeded(contacts, runs, staff.id, enrolments)
