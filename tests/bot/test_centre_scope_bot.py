"""/manage with two centres: a facilitator sees and changes only their centre's courses, even
with a forged button; an administrator sees every centre's (issue 14, "Done when")."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.effects import EffectContext
from bot.features import manage
from bot.i18n import Catalogs
from flows.courses.staff import MarkAttendance, RemoveLearner, SetCourseStatus
from flows.errors import StaleFacts
from flows.events import Inbound
from storage.db import Database
from storage.models import ChannelIdentity, Contact
from storage.models.courses import CourseSession, Enrolment
from tests.bot.centre_pair import snapshot, two_centres
from tests.built import FEATURES
from tests.conftest import Chat
from tests.storage.courses_helpers import T0


async def staff_chat(database: Database, clock: FakeClock, catalogs: Catalogs, contact_id: int) -> Chat:
    """The staff member on the simulator (their contact has a centre), in Russian, at the menu."""
    address = f"sim:staff-{contact_id}"
    async with database.transaction() as session:
        session.add(ChannelIdentity(contact_id=contact_id, channel="simulator", address=address, created_at=T0))
    chat = Chat(Dispatcher(database, FEATURES, clock=clock), catalogs, address=address)
    await chat.send()
    assert "Главное меню" in await chat.say("2")  # Русский; their centre is known already
    return chat


async def test_a_facilitator_manages_only_their_centre_even_with_a_forged_button(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    pair = await two_centres(database)
    staff = await staff_chat(database, clock, catalogs, pair.a_facilitator)
    listing = await staff.say("/manage")
    assert "Курсы вашего центра:" in listing and "1. Вышивка" in listing
    assert "Английский язык" not in listing
    before = await snapshot(database)
    # A button for B's course, made up the way the list encodes course ids ("c<id>").
    forged = await staff.say(choice=f"c{pair.b_course}", context="manage:courses")
    assert "Английский язык" not in forged and "Берик" not in forged
    assert "Ответьте числом от 1 до 2." in forged and "1. Вышивка" in forged
    after = await snapshot(database)
    # Only the inbound message and the conversation's step are recorded; no course, seat or audit row.
    changed = {table for table in before if before[table] != after[table]}
    assert changed <= {"inbound_messages", "conversations", "outbox"}, changed


async def test_the_appliers_refuse_a_course_of_another_centre(database: Database, clock: FakeClock) -> None:
    pair = await two_centres(database)
    before = await snapshot(database)
    async with database.transaction() as session:
        contact = await session.get_one(Contact, pair.a_facilitator)
        identity = await session.scalar(select(ChannelIdentity).where(ChannelIdentity.contact_id == contact.id))
        assert identity is not None
        b_seat = await session.scalar(select(Enrolment.id).where(Enrolment.course_id == pair.b_course))
        b_lesson = await session.scalar(select(CourseSession.id).where(CourseSession.course_id == pair.b_course))
        assert b_seat is not None and b_lesson is not None
        ctx = EffectContext(session, contact, identity, Inbound("sms", identity.address, text="x"), clock())
        with pytest.raises(StaleFacts):
            await manage.set_course_status(ctx, SetCourseStatus(pair.b_course, "cancelled", "open", "forged"))
        with pytest.raises(StaleFacts):
            await manage.remove_learner(ctx, RemoveLearner(b_seat, "forged"))
        with pytest.raises(StaleFacts):
            await manage.mark_attendance(ctx, MarkAttendance(b_lesson, b_seat, True))
    assert await snapshot(database) == before


async def test_an_administrator_manages_every_centres_courses(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    pair = await two_centres(database)
    admin = await staff_chat(database, clock, catalogs, pair.administrator)
    listing = await admin.say("/manage")
    # Whose course each is, since two centres may run courses of one name.
    assert "1. Вышивка (Ақсу)" in listing and "2. Английский язык (Көктал)" in listing
    course = await admin.say("2")
    assert "Английский язык" in course and "• Берик" in course
    async with database.transaction() as session:
        centres = await manage.facilitated_centres(session, pair.administrator)
        theirs = await manage.facilitated_centres(session, pair.b_facilitator)
    assert len(centres) == 2 and len(theirs) == 1 and theirs < centres
