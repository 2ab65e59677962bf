"""Three demo courses at the demo centre, so a newcomer sees enrolment and a waiting list at once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Centre, Contact
from storage.models.courses import Course, CourseSession, Enrolment

DEMO_COURSES = (
    # code, kk title, ru title, kk description, ru description, tags, capacity, learners already in
    ("computer-1", "Компьютер сауаттылығы", "Компьютерная грамотность",
     "Компьютерді қосудан бастап электрондық пошта мен eGov порталына дейін.",
     "От включения компьютера до электронной почты и портала eGov.", ["computer"], 5, 4),
    ("sewing-1", "Тігін және пішу", "Шитьё и крой",
     "Тігін машинасымен жұмыс, қарапайым киім пішу.", "Работа на швейной машине, крой простой одежды.",
     ["sewing"], 6, 0),
    ("business-1", "Шағын бизнес негіздері", "Основы малого бизнеса",
     "Бизнес-жоспар, салық, микронесие.", "Бизнес-план, налоги, микрокредиты.", ["entrepreneurship"], 8, 2),
)


def _next_monday_at(now: dt.datetime, hour: int, zone: ZoneInfo) -> dt.datetime:
    local = now.astimezone(zone)
    days = (7 - local.weekday()) % 7 or 7
    start = (local + dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return start.astimezone(dt.UTC)


async def seed_demo_courses(session: AsyncSession, centre: Centre, now: dt.datetime) -> None:
    """Idempotent: a course whose code already exists at the centre is left as it is."""
    zone = ZoneInfo(centre.timezone)
    for week, (code, title_kk, title_ru, text_kk, text_ru, tags, capacity, taken) in enumerate(DEMO_COURSES):
        exists = await session.scalar(
            select(Course.id).where(Course.centre_id == centre.id, Course.code == code)
        )
        if exists is not None:
            continue
        first = _next_monday_at(now, 10 + 4 * week, zone)
        course = Course(
            centre_id=centre.id, code=code, title_kk=title_kk, title_ru=title_ru, description_kk=text_kk,
            description_ru=text_ru, tags=tags, capacity=capacity, status="open", offer_hours=48,
            policy="fcfs", created_at=now, updated_at=now,
        )
        course.sessions = [
            CourseSession(starts_at=first + dt.timedelta(days=7 * n), minutes=90,
                          place_kk="Мектеп кітапханасы", place_ru="Школьная библиотека")
            for n in range(4)
        ]
        session.add(course)
        await session.flush()
        for seat in range(1, taken + 1):  # demo learners hold seats so the list fills up quickly
            learner = Contact(created_at=now, language="kk", centre_id=centre.id, name=f"Demo {code} {seat}")
            session.add(learner)
            await session.flush()
            session.add(Enrolment(course_id=course.id, contact_id=learner.id, status="enrolled", seat_no=seat,
                                  joined_at=now, updated_at=now))
    await session.flush()
