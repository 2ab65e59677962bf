"""Seats, waiting lists and offers on both databases: the list always moves on, nobody is lost."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import courses as repo
from storage import surveys
from storage.db import Database
from storage.models.courses import Attendance, Course, CourseAudit, CourseSession, Enrolment
from tests.storage.courses_helpers import T0, setup


async def enrol(db: Database, course_id: int, contact_id: int, now: dt.datetime = T0) -> repo.EnrolOutcome:
    async with db.transaction() as session:
        outcome, _ = await repo.enrol(session, course_id, contact_id, now, actor=f"contact:{contact_id}")
        return outcome


async def states(db: Database, course_id: int) -> dict[int, tuple[str, int | None]]:
    """contact id → (status, waiting position) as the villager would be told."""
    async with db.transaction() as session:
        course = await session.get(Course, course_id)
        assert course is not None
        positions = await repo.waiting_positions(session, course)
        rows = (await session.scalars(select(Enrolment).where(Enrolment.course_id == course_id))).all()
        return {row.contact_id: (row.status, positions.get(row.id)) for row in rows}


async def enrolment_id(session: AsyncSession, course_id: int, contact_id: int) -> int:
    """Looked up inside the caller's transaction (on SQLite a second one would have to wait)."""
    found = await session.scalar(
        select(Enrolment.id).where(Enrolment.course_id == course_id, Enrolment.contact_id == contact_id)
    )
    assert found is not None
    return found


async def test_enrol_until_full_then_waiting_list_with_positions(database: Database) -> None:
    course_id, people = await setup(database, people=5, capacity=2)
    outcomes = [await enrol(database, course_id, person, T0 + dt.timedelta(minutes=i)) for i, person in enumerate(people)]
    assert [(o.status, o.position) for o in outcomes] == [
        ("enrolled", None), ("enrolled", None), ("waiting", 1), ("waiting", 2), ("waiting", 3),
    ]
    again = await enrol(database, course_id, people[3])
    assert again.already and again.position == 2


async def test_nobody_is_twice_on_one_course_even_bypassing_the_repository(database: Database) -> None:
    course_id, (person,) = await setup(database, people=1)
    await enrol(database, course_id, person)
    with pytest.raises(IntegrityError):
        async with database.transaction() as session:
            session.add(Enrolment(course_id=course_id, contact_id=person, status="waiting", joined_at=T0, updated_at=T0))


async def test_a_seat_number_cannot_carry_two_holders(database: Database) -> None:
    course_id, (a, b) = await setup(database, people=2, capacity=1)
    await enrol(database, course_id, a)
    await enrol(database, course_id, b)
    with pytest.raises(IntegrityError):
        async with database.transaction() as session:
            row = await session.get(Enrolment, await enrolment_id(session, course_id, b))
            assert row is not None
            row.status, row.seat_no, row.offer_deadline = "offered", 1, T0
            await session.flush()


async def test_leaving_offers_the_seat_to_the_first_waiting_and_positions_close_up(database: Database) -> None:
    course_id, (a, b, c, d) = await setup(database, people=4, capacity=1)
    for i, person in enumerate((a, b, c, d)):
        await enrol(database, course_id, person, T0 + dt.timedelta(minutes=i))
    async with database.transaction() as session:
        _, offers = await repo.leave(session, await enrolment_id(session, course_id, a), T0, actor="contact")
        assert [(o.contact_id, o.offer_deadline) for o in offers] == [(b, T0 + dt.timedelta(hours=48))]
    assert await states(database, course_id) == {
        a: ("left", None), b: ("offered", None), c: ("waiting", 1), d: ("waiting", 2),
    }


async def test_accept_decline_and_expiry_each_move_the_list_on(database: Database) -> None:
    course_id, people = await setup(database, people=5, capacity=1, offer_hours=24)
    a, b, c, d, e = people
    for i, person in enumerate(people):
        await enrol(database, course_id, person, T0 + dt.timedelta(minutes=i))
    now = T0 + dt.timedelta(hours=1)
    async with database.transaction() as session:
        await repo.leave(session, await enrolment_id(session, course_id, a), now, actor="contact")
    # b declines: c gets the offer.
    async with database.transaction() as session:
        _, offers = await repo.decline_offer(session, await enrolment_id(session, course_id, b), now, actor="contact")
        assert [o.contact_id for o in offers] == [c]
    assert (await states(database, course_id))[d] == ("waiting", 1)
    # c lets it expire: the job finds it only once the deadline has come, then d gets it.
    async with database.transaction() as session:
        assert await repo.due_offers(session, now + dt.timedelta(hours=23)) == []
        due = await repo.due_offers(session, now + dt.timedelta(hours=24))
        assert len(due) == 1
        expired = await repo.expire_offer(session, due[0], now + dt.timedelta(hours=24))
        assert expired is not None and [o.contact_id for o in expired[1]] == [d]
    # d accepts: enrolled; e still waits as number 1; the expired offer cannot be accepted later.
    later = now + dt.timedelta(hours=25)
    async with database.transaction() as session:
        await repo.accept_offer(session, await enrolment_id(session, course_id, d), later, actor="contact")
    with pytest.raises(repo.CourseError):
        async with database.transaction() as session:
            await repo.accept_offer(session, await enrolment_id(session, course_id, c), later, actor="contact")
    assert await states(database, course_id) == {
        a: ("left", None), b: ("declined", None), c: ("expired", None), d: ("enrolled", None), e: ("waiting", 1),
    }
    async with database.transaction() as session:
        actions = list(await session.scalars(select(CourseAudit.action).order_by(CourseAudit.id)))
    assert actions.count("offer") == 3 and "expired" in actions and "accept" in actions


async def test_an_offer_past_its_deadline_cannot_be_accepted_even_before_the_job_runs(database: Database) -> None:
    course_id, (a, b) = await setup(database, people=2, capacity=1, offer_hours=2)
    await enrol(database, course_id, a)
    await enrol(database, course_id, b)
    async with database.transaction() as session:
        await repo.leave(session, await enrolment_id(session, course_id, a), T0, actor="contact")
    with pytest.raises(repo.CourseError):
        async with database.transaction() as session:
            await repo.accept_offer(
                session, await enrolment_id(session, course_id, b), T0 + dt.timedelta(hours=2), actor="contact"
            )


async def test_an_offer_on_a_course_cancelled_meanwhile_cannot_be_accepted(database: Database) -> None:
    course_id, (a, b) = await setup(database, people=2, capacity=1)
    await enrol(database, course_id, a)
    await enrol(database, course_id, b)
    async with database.transaction() as session:
        await repo.leave(session, await enrolment_id(session, course_id, a), T0, actor="contact")
        await repo.set_status(session, course_id, "cancelled", T0, actor="cli")
    with pytest.raises(repo.CourseError, match="its offers are void"):
        async with database.transaction() as session:
            await repo.accept_offer(session, await enrolment_id(session, course_id, b), T0, actor="contact")


async def test_growing_capacity_offers_one_seat_per_new_place(database: Database) -> None:
    course_id, people = await setup(database, people=5, capacity=1)
    for i, person in enumerate(people):
        await enrol(database, course_id, person, T0 + dt.timedelta(minutes=i))
    async with database.transaction() as session:
        offers = await repo.set_capacity(session, course_id, 3, T0, actor="cli:test")
    assert sorted(o.seat_no for o in offers) == [2, 3]
    result = await states(database, course_id)
    assert [result[p][0] for p in people] == ["enrolled", "offered", "offered", "waiting", "waiting"]


async def test_capacity_below_the_seat_holders_is_refused_without_force(database: Database) -> None:
    course_id, people = await setup(database, people=3, capacity=3)
    for i, person in enumerate(people):
        await enrol(database, course_id, person, T0 + dt.timedelta(minutes=i))
    with pytest.raises(repo.CourseError, match="has 3 seat holders .* 0 seats would leave 3 of them without one"):
        async with database.transaction() as session:
            await repo.set_capacity(session, course_id, 0, T0, actor="cli:test")
    async with database.transaction() as session:
        course = await session.get(Course, course_id)
        assert course is not None and course.capacity == 3


async def test_a_forced_shrink_keeps_the_enrolled_and_withdraws_offers_beyond_the_seats(database: Database) -> None:
    course_id, people = await setup(database, people=5, capacity=1)
    for i, person in enumerate(people):
        await enrol(database, course_id, person, T0 + dt.timedelta(minutes=i))
    async with database.transaction() as session:
        await repo.set_capacity(session, course_id, 3, T0, actor="cli:test")  # 1 enrolled, 2 offered
        enrolled = await enrolment_id(session, course_id, people[0])
        await repo.accept_offer(session, await enrolment_id(session, course_id, people[1]), T0, actor="c")
    async with database.transaction() as session:
        resized = await repo.resize(session, course_id, 1, T0, actor="cli:test", force=True)
    assert [row.contact_id for row in resized.enrolled] == people[:2]  # both keep their seats
    assert [row.contact_id for row in resized.withdrawn] == [people[2]] and resized.offers == []
    result = await states(database, course_id)
    assert [result[p] for p in people] == [
        ("enrolled", None), ("enrolled", None), ("waiting", 1), ("waiting", 2), ("waiting", 3)]
    # Over capacity, a seat that frees up is not offered: one seat, one learner left.
    async with database.transaction() as session:
        _, offers = await repo.leave(session, enrolled, T0, actor="c")
    assert offers == []
    async with database.transaction() as session:
        _, offers = await repo.leave(session, await enrolment_id(session, course_id, people[1]), T0, actor="c")
    assert [row.contact_id for row in offers] == [people[2]]  # now a seat is really free


async def test_an_offer_is_never_accepted_past_capacity(database: Database) -> None:
    """Even an offer left open on a full course (capacity changed behind the repository's back)."""
    course_id, (a, b) = await setup(database, people=2, capacity=1)
    await enrol(database, course_id, a)
    await enrol(database, course_id, b)
    async with database.transaction() as session:
        _, offers = await repo.leave(session, await enrolment_id(session, course_id, a), T0, actor="c")
        assert [row.contact_id for row in offers] == [b]
        course = await session.get(Course, course_id)
        assert course is not None
        course.capacity = 0
    with pytest.raises(repo.CourseError, match="has no seat left"):
        async with database.transaction() as session:
            await repo.accept_offer(session, await enrolment_id(session, course_id, b), T0, actor="contact")


async def test_priority_policy_orders_by_survey_profile_then_time(database: Database) -> None:
    course_id, people = await setup(database, people=5, capacity=1, policy="priority:unemployed,women")
    first, employed_man, woman, unemployed, nobody = people
    profiles = {
        employed_man: {"situation": ["employed"], "gender": "male"},
        woman: {"situation": ["employed"], "gender": "female"},
        unemployed: {"situation": ["unemployed", "farmer"], "gender": "male"},
    }

    # Their latest completed needs surveys, stored as the survey feature stores them: the
    # priority order reads them straight from the database, whatever features are loaded.
    async with database.transaction() as session:
        await surveys.publish(session, "needs", {"id": "needs"}, source="test", now=T0)
        for contact_id, answers in profiles.items():
            key = f"run-{contact_id}"
            await surveys.start_run(session, run_key=key, contact_id=contact_id, slug="needs", version=1,
                                    channel="simulator", now=T0)
            for question_id, value in answers.items():
                await surveys.save_answer(session, run_key=key, question_id=question_id, value=value,
                                          raw_text=None, now=T0)
            await surveys.finish_run(session, run_key=key, now=T0)
    for i, person in enumerate(people):
        await enrol(database, course_id, person, T0 + dt.timedelta(minutes=i))
    result = await states(database, course_id)
    assert result[first] == ("enrolled", None)
    assert [result[p][1] for p in (unemployed, woman, employed_man, nobody)] == [1, 2, 3, 4]


async def test_attendance_is_marked_once_per_session_and_audited(database: Database) -> None:
    course_id, (a, b) = await setup(database, people=2, capacity=2)
    await enrol(database, course_id, a)
    await enrol(database, course_id, b)
    async with database.transaction() as session:
        course = await session.get(Course, course_id)
        assert course is not None
        first = (await session.scalars(select(CourseSession).where(CourseSession.course_id == course_id)
                                       .order_by(CourseSession.starts_at))).first()
        assert first is not None
        ea, eb = await enrolment_id(session, course_id, a), await enrolment_id(session, course_id, b)
        held = first.starts_at + dt.timedelta(minutes=90)
        await repo.mark_attendance(session, first.id, ea, False, held, actor="cli:aigul")
        await repo.mark_attendance(session, first.id, ea, True, held, actor="cli:aigul")
        await repo.mark_attendance(session, first.id, eb, False, held, actor="cli:aigul")
    async with database.transaction() as session:
        assert await repo.attendees(session, course_id) == [a]
        marks = await session.scalar(select(func.count()).select_from(Attendance))
        audits = await session.scalar(select(func.count()).where(CourseAudit.action == "attendance"))
    assert marks == 2 and audits == 3


async def test_fifty_concurrent_enrolments_for_five_seats(database: Database) -> None:
    """Separate transactions (separate connections on PostgreSQL) racing for the same seats."""
    course_id, people = await setup(database, people=50, capacity=5)
    outcomes = await asyncio.gather(*(enrol(database, course_id, person) for person in people))
    assert sum(o.status == "enrolled" for o in outcomes) == 5
    result = await states(database, course_id)
    assert sum(status == "enrolled" for status, _ in result.values()) == 5
    assert sorted(pos for status, pos in result.values() if status == "waiting") == list(range(1, 46))
    async with database.transaction() as session:
        seats = list(await session.scalars(select(Enrolment.seat_no).where(Enrolment.seat_no.is_not(None))))
    assert sorted(seats) == [1, 2, 3, 4, 5]
