"""Two centres sharing one bot, each with a course, a facilitator and a villager on it, and an
administrator who belongs to the first: the set-up of issue 14's "refused everything at the other".
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import courses as repo
from storage.db import Database
from storage.models import ChannelIdentity, Contact, FacilitatorRole
from storage.models.base import Base
from storage.models.core import ADMINISTRATOR
from tests.storage.courses_helpers import T0, make_centre, make_course

T = TypeVar("T")


def on(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run ``work`` on the database at ``url`` (a CLI test's own connection), then close it."""
    async def run() -> T:
        db = Database.from_url(url)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(run())

A_FACILITATOR = "+77011110001"
B_FACILITATOR = "+77011110002"
A_VILLAGER = "+77012220001"
B_VILLAGER = "+77012220002"
ADMIN_TELEGRAM = 424242


@dataclass(frozen=True)
class Pair:
    a_course: int
    b_course: int
    a_facilitator: int
    b_facilitator: int
    a_villager: int
    b_villager: int
    administrator: int


async def _person(db_session: AsyncSession, centre_id: int, name: str, address: str, channel: str = "sms") -> int:
    contact = Contact(name=name, language="ru", centre_id=centre_id, created_at=T0, settlement=f"село {name}")
    db_session.add(contact)
    await db_session.flush()
    db_session.add(ChannelIdentity(contact_id=contact.id, channel=channel, address=address, created_at=T0))
    return contact.id


async def two_centres(database: Database) -> Pair:
    """Centres ``aksu`` (A) and ``koktal`` (B); both courses are called ``sewing-1`` and open."""
    async with database.transaction() as s:
        a, b = await make_centre(s, "aksu"), await make_centre(s, "koktal")
        b.name_ru, b.settlement = "Центр Коктал", "Көктал"
        a_course = await make_course(s, a, code="sewing-1", capacity=3)
        a_course.title_kk, a_course.title_ru = "Кесте тігу", "Вышивка"
        b_course = await make_course(s, b, code="sewing-1", capacity=3)
        b_course.title_kk, b_course.title_ru = "Ағылшын тілі", "Английский язык"
        ids = [await _person(s, centre.id, name, f"tel:{phone}") for centre, name, phone in (
            (a, "Айгүл", A_FACILITATOR), (b, "Бақыт", B_FACILITATOR),
            (a, "Асель", A_VILLAGER), (b, "Берик", B_VILLAGER))]
        admin = await _person(s, a.id, "Әділ", f"telegram:{ADMIN_TELEGRAM}", "telegram")
        s.add_all([FacilitatorRole(contact_id=ids[0], centre_id=a.id, created_at=T0),
                   FacilitatorRole(contact_id=ids[1], centre_id=b.id, created_at=T0),
                   FacilitatorRole(contact_id=admin, centre_id=a.id, role=ADMINISTRATOR, created_at=T0)])
        await s.flush()
        pair = Pair(a_course.id, b_course.id, ids[0], ids[1], ids[2], ids[3], admin)
    async with database.transaction() as s:
        await repo.enrol(s, pair.a_course, pair.a_villager, T0, actor="test")
        await repo.enrol(s, pair.b_course, pair.b_villager, T0, actor="test")
    return pair


async def snapshot(database: Database) -> dict[str, list[str]]:
    """Every row of every table, as text: equal snapshots mean nothing changed."""
    found: dict[str, list[str]] = {}
    async with database.transaction() as s:
        for table in Base.metadata.sorted_tables:
            rows = (await s.execute(select(table))).all()
            found[table.name] = sorted(json.dumps(list(row), default=str, ensure_ascii=False) for row in rows)
    return found
