"""Builders shared by the course storage tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import Centre, Contact
from storage.models.courses import Course, CourseSession

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


async def make_centre(session: AsyncSession, slug: str = "demo") -> Centre:
    centre = Centre(
        slug=slug, name_kk="Ақсу", name_ru="Аксу", oblast="Алматы", district="Еңбекшіқазақ",
        settlement="Ақсу", timezone="Asia/Almaty", created_at=T0,
    )
    session.add(centre)
    await session.flush()
    return centre


async def make_course(
    session: AsyncSession, centre: Centre, *, capacity: int = 2, policy: str = "fcfs",
    code: str = "computer-1", offer_hours: int = 48, status: str = "open",
) -> Course:
    course = Course(
        centre_id=centre.id, code=code, title_kk="Компьютер сауаттылығы", title_ru="Компьютерная грамотность",
        description_kk="Негіздері", description_ru="Основы", tags=["computer"], capacity=capacity,
        status=status, offer_hours=offer_hours, policy=policy, created_at=T0, updated_at=T0,
    )
    course.sessions = [
        CourseSession(starts_at=T0 + dt.timedelta(days=7 * week), minutes=90,
                      place_kk="Мектеп, 12-кабинет", place_ru="Школа, кабинет 12")
        for week in (1, 2)
    ]
    session.add(course)
    await session.flush()
    return course


async def make_contacts(session: AsyncSession, count: int, centre: Centre | None = None) -> list[int]:
    contacts = [Contact(created_at=T0, language="kk", centre_id=centre.id if centre else None) for _ in range(count)]
    session.add_all(contacts)
    await session.flush()
    return [contact.id for contact in contacts]


async def setup(db: Database, *, people: int, **course_args: object) -> tuple[int, list[int]]:
    async with db.transaction() as session:
        centre = await make_centre(session)
        course = await make_course(session, centre, **course_args)  # type: ignore[arg-type]
        return course.id, await make_contacts(session, people, centre)
