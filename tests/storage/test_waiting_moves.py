"""A facilitator moves someone on a waiting list: audited, exact, and the seats follow the new order."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.features.courses import move_on_list
from storage import courses as repo
from storage.db import Database
from storage.models import OutboxMessage
from storage.models.courses import CourseAudit
from tests.storage.courses_helpers import T0, setup
from tests.storage.test_courses import enrol, enrolment_id, states


async def full_course_with_three_waiting(database: Database) -> tuple[int, list[int]]:
    course_id, people = await setup(database, people=4, capacity=1)
    for i, person in enumerate(people):
        await enrol(database, course_id, person, T0 + dt.timedelta(minutes=i))
    return course_id, people


async def test_a_move_puts_the_person_where_asked_tells_them_and_is_audited(database: Database) -> None:
    course_id, (holder, a, b, c) = await full_course_with_three_waiting(database)
    async with database.transaction() as session:
        moved = await move_on_list(session, await enrolment_id(session, course_id, c), 1, T0, actor="cli:aigul",
                                   reason="бұрынғы курста орын уәде етілген")
    assert moved == (3, 1)
    assert await states(database, course_id) == {
        holder: ("enrolled", None), c: ("waiting", 1), a: ("waiting", 2), b: ("waiting", 3),
    }
    async with database.transaction() as session:
        audit = (await session.scalars(select(CourseAudit).where(CourseAudit.action == "move"))).all()
        told = (await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "moved"))).all()
    assert [(x.actor, x.reason, x.details, x.contact_id) for x in audit] == [
        ("cli:aigul", "бұрынғы курста орын уәде етілген", {"from": 3, "to": 1}, c)
    ]
    assert [row.contact_id for row in told] == [c]

    # The freed seat goes to the person now first, and a newcomer still queues last.
    async with database.transaction() as session:
        _, offers = await repo.leave(session, await enrolment_id(session, course_id, holder), T0, actor="contact")
    assert [o.contact_id for o in offers] == [c]
    assert await states(database, course_id) == {
        holder: ("left", None), c: ("offered", None), a: ("waiting", 1), b: ("waiting", 2),
    }


async def test_only_the_waiting_can_be_moved_and_only_with_a_reason(database: Database) -> None:
    course_id, (holder, a, _b, _c) = await full_course_with_three_waiting(database)
    async with database.transaction() as session:
        with pytest.raises(repo.CourseError, match="needs a reason"):
            await move_on_list(session, await enrolment_id(session, course_id, a), 1, T0, actor="cli", reason="  ")
        with pytest.raises(repo.CourseError, match="only someone on the waiting list"):
            await move_on_list(session, await enrolment_id(session, course_id, holder), 1, T0, actor="cli",
                               reason="x")


async def test_joining_again_forgets_an_earlier_move(database: Database) -> None:
    course_id, (_holder, a, b, c) = await full_course_with_three_waiting(database)
    async with database.transaction() as session:
        await move_on_list(session, await enrolment_id(session, course_id, c), 1, T0, actor="cli", reason="x")
        await repo.leave(session, await enrolment_id(session, course_id, c), T0, actor="contact")
    await enrol(database, course_id, c, T0 + dt.timedelta(hours=1))
    assert [(await states(database, course_id))[p] for p in (a, b, c)] == [
        ("waiting", 1), ("waiting", 2), ("waiting", 3),
    ]
