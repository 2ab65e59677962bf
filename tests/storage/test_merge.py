"""Joining two contacts of one person: everything of the old one moves, in one transaction.

The tables are taken from the metadata, so a table added later that points at a contact fails
``test_every_table_that_references_a_contact_moves`` until it has a row builder here (and,
when its contact column is part of a unique key, a resolver in ``storage.merge``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import courses as repo
from storage.db import Database
from storage.merge import contact_references, merge_contacts, unresolved_unique_references
from storage.models import (
    ChannelIdentity,
    Contact,
    Conversation,
    FacilitatorRole,
    InboundMessage,
    OutboxMessage,
)
from storage.models.broadcasts import Broadcast, BroadcastRecipient
from storage.models.courses import Attendance, Course, CourseAudit, CourseSession, Enrolment
from storage.models.reminders import Reminder
from storage.models.sms import SmsMessage
from storage.models.surveys import (
    Questionnaire,
    QuestionnaireVersion,
    SurveyAnswer,
    SurveyInvitation,
    SurveyRun,
)
from tests.storage.courses_helpers import T0, make_centre, make_contacts, make_course


class World:
    def __init__(self, centre_id: int, course_id: int, version_id: int) -> None:
        self.centre_id, self.course_id, self.version_id = centre_id, course_id, version_id


Builder = Callable[[AsyncSession, World, int], Awaitable[None]]


async def _identity(s: AsyncSession, w: World, c: int) -> None:
    s.add(ChannelIdentity(contact_id=c, channel="sms", address=f"tel:+7701000{c:04d}", created_at=T0))


async def _conversation(s: AsyncSession, w: World, c: int) -> None:
    s.add(Conversation(contact_id=c, state={"v": 1}, updated_at=T0))


async def _audit(s: AsyncSession, w: World, c: int) -> None:
    s.add(CourseAudit(course_id=w.course_id, contact_id=c, actor="test", action="note", at=T0))


async def _enrolment(s: AsyncSession, w: World, c: int) -> None:
    s.add(Enrolment(course_id=w.course_id, contact_id=c, status="waiting", joined_at=T0, updated_at=T0))


async def _role(s: AsyncSession, w: World, c: int) -> None:
    s.add(FacilitatorRole(contact_id=c, centre_id=w.centre_id, created_at=T0))


async def _inbound(s: AsyncSession, w: World, c: int) -> None:
    s.add(InboundMessage(channel="sms", address="tel:+1", contact_id=c, text="hi", received_at=T0))


async def _outbox(s: AsyncSession, w: World, c: int) -> None:
    s.add(OutboxMessage(contact_id=c, kind="offer", payload={"replies": []}, due_at=T0, created_at=T0))


async def _reminder(s: AsyncSession, w: World, c: int) -> None:
    s.add(Reminder(kind="survey_nudge", subject_id=c, contact_id=c, slot="once", due_at=T0, created_at=T0))


async def _invitation(s: AsyncSession, w: World, c: int) -> None:
    s.add(SurveyInvitation(contact_id=c, slug="satisfaction", subject=f"course:{w.course_id}",
                           about_kk="К", about_ru="К", status="sent", created_at=T0, updated_at=T0))


async def _run(s: AsyncSession, w: World, c: int) -> None:
    run = SurveyRun(run_key=f"{c}-1", contact_id=c, version_id=w.version_id, status="completed",
                    channel="sms", started_at=T0, updated_at=T0)
    s.add(run)
    await s.flush()
    s.add(SurveyAnswer(run_id=run.id, question_id="consent", value="yes", answered_at=T0))


async def _sms(s: AsyncSession, w: World, c: int) -> None:
    s.add(SmsMessage(sid=f"SM{c}", address="tel:+1", contact_id=c, encoding="UCS-2", segments=1,
                     status="sent", created_at=T0, updated_at=T0))


async def _broadcast_recipient(s: AsyncSession, w: World, c: int) -> None:
    broadcast = Broadcast(centre_id=w.centre_id, created_by="test", created_at=T0, text_kk="К", text_ru="К",
                          audience={}, status="sending")
    s.add(broadcast)
    await s.flush()
    s.add(BroadcastRecipient(broadcast_id=broadcast.id, contact_id=c))


async def _merged_earlier(s: AsyncSession, w: World, c: int) -> None:
    s.add(Contact(created_at=T0, merged_into_id=c))


# One builder per column that references contacts.id: a row of that table owned by contact c.
BUILDERS: dict[str, Builder] = {
    "contacts.merged_into_id": _merged_earlier,
    "channel_identities.contact_id": _identity,
    "conversations.contact_id": _conversation,
    "course_audit.contact_id": _audit,
    "enrolments.contact_id": _enrolment,
    "facilitator_roles.contact_id": _role,
    "inbound_messages.contact_id": _inbound,
    "outbox.contact_id": _outbox,
    "survey_invitations.contact_id": _invitation,
    "survey_runs.contact_id": _run,
    "sms_messages.contact_id": _sms,
    "reminders.contact_id": _reminder,
    "broadcast_recipients.contact_id": _broadcast_recipient,
}
# The conversation that stays is the one the person is in now; the old one is dropped.
DROPPED = {"conversations.contact_id"}


async def world(database: Database) -> tuple[World, int, int]:
    async with database.transaction() as session:
        centre = await make_centre(session)
        course = await make_course(session, centre, capacity=5)
        questionnaire = Questionnaire(slug="needs", created_at=T0)
        session.add(questionnaire)
        await session.flush()
        version = QuestionnaireVersion(questionnaire_id=questionnaire.id, version=1, definition={},
                                       content_hash="x", source="t", created_at=T0)
        session.add(version)
        await session.flush()
        old, new = await make_contacts(session, 2, centre)
        return World(centre.id, course.id, version.id), old, new


async def count(session: AsyncSession, name: str, contact_id: int) -> int:
    column = next(c for c in contact_references() if f"{c.table.name}.{c.name}" == name)
    return int(await session.scalar(select(func.count()).select_from(column.table).where(column == contact_id)) or 0)


def test_every_contact_column_in_a_unique_key_has_a_resolver() -> None:
    assert unresolved_unique_references() == []


async def test_every_table_that_references_a_contact_moves(database: Database) -> None:
    names = {f"{c.table.name}.{c.name}" for c in contact_references()}
    assert names == set(BUILDERS), (
        "a table references contacts: add a row builder here and check storage.merge moves it; "
        f"missing {sorted(names - set(BUILDERS))}"
    )
    w, old, new = await world(database)
    async with database.transaction() as session:
        for build in BUILDERS.values():
            await build(session, w, old)
    async with database.transaction() as session:
        await merge_contacts(session, old, new, T0)
    async with database.transaction() as session:
        for name in sorted(names):
            assert await count(session, name, old) == 0, f"{name} still points at the old contact"
            if name == "contacts.merged_into_id":  # the old one and the one merged into it earlier
                assert await count(session, name, new) == 2
            elif name not in DROPPED:
                assert await count(session, name, new) == 1, f"{name} did not move"
        answers = await session.scalar(
            select(func.count()).select_from(SurveyAnswer).join(SurveyRun).where(SurveyRun.contact_id == new))
        assert answers == 1


async def test_rows_both_contacts_have_keep_the_better_one(database: Database) -> None:
    w, old, new = await world(database)
    async with database.transaction() as session:
        for contact in (old, new):
            await _role(session, w, contact)
            await _conversation(session, w, contact)
            await _invitation(session, w, contact)
        invitation = await session.scalar(select(SurveyInvitation).where(SurveyInvitation.contact_id == old))
        assert invitation is not None
        invitation.status = "completed"
    async with database.transaction() as session:
        await merge_contacts(session, old, new, T0)
    async with database.transaction() as session:
        roles = (await session.scalars(select(FacilitatorRole.contact_id))).all()
        conversations = (await session.scalars(select(Conversation.contact_id))).all()
        invitations = (await session.execute(select(SurveyInvitation.contact_id, SurveyInvitation.status))).all()
        assert (list(roles), list(conversations), [tuple(i) for i in invitations]) == (
            [new], [new], [(new, "completed")])


async def enrol(database: Database, course_id: int, contact_id: int, minutes: int) -> None:
    async with database.transaction() as session:
        await repo.enrol(session, course_id, contact_id, T0 + dt.timedelta(minutes=minutes), actor="test")


async def course_rows(database: Database, course_id: int) -> dict[int, str]:
    async with database.transaction() as session:
        rows = (await session.scalars(select(Enrolment).where(Enrolment.course_id == course_id))).all()
        return {row.contact_id: row.status for row in rows}


@pytest.mark.parametrize("old_first", [True, False])
async def test_both_seated_on_one_course_keeps_one_seat_and_offers_the_other(
    database: Database, old_first: bool
) -> None:
    w, old, new = await world(database)
    async with database.transaction() as session:
        course = await session.get(Course, w.course_id)
        assert course is not None
        course.capacity = 2
        (third,) = await make_contacts(session, 1)
    first, second = (old, new) if old_first else (new, old)
    await enrol(database, w.course_id, first, 0)
    await enrol(database, w.course_id, second, 1)
    await enrol(database, w.course_id, third, 2)
    async with database.transaction() as session:  # the old contact attended a session
        held = await session.scalar(select(Enrolment).where(Enrolment.contact_id == old))
        first_session = await session.scalar(select(CourseSession.id).where(CourseSession.course_id == w.course_id)
                                             .order_by(CourseSession.starts_at))
        assert held is not None and first_session is not None
        session.add(Attendance(session_id=first_session, enrolment_id=held.id, present=True, marked_by="test",
                               marked_at=T0))
    async with database.transaction() as session:
        result = await merge_contacts(session, old, new, T0 + dt.timedelta(hours=1))
        offered = [row.contact_id for row in result.offers]
    assert offered == [third]
    assert await course_rows(database, w.course_id) == {new: "enrolled", third: "offered"}
    async with database.transaction() as session:
        kept = await session.scalar(select(Enrolment.id).where(Enrolment.contact_id == new))
        marks = (await session.scalars(select(Attendance.enrolment_id))).all()
        assert list(marks) == [kept]
        merge_audit = await session.scalar(select(CourseAudit).where(CourseAudit.action == "merge"))
        assert merge_audit is not None and merge_audit.contact_id == new


async def test_a_seat_and_a_waiting_place_keep_the_seat_and_free_nothing(database: Database) -> None:
    w, old, new = await world(database)
    async with database.transaction() as session:
        course = await session.get(Course, w.course_id)
        assert course is not None
        course.capacity = 1
        (third,) = await make_contacts(session, 1)
    await enrol(database, w.course_id, old, 0)
    await enrol(database, w.course_id, third, 1)
    await enrol(database, w.course_id, new, 2)
    async with database.transaction() as session:
        result = await merge_contacts(session, old, new, T0)
    assert result.offers == []
    assert await course_rows(database, w.course_id) == {new: "enrolled", third: "waiting"}


async def test_two_waiting_places_keep_the_earlier_one(database: Database) -> None:
    w, old, new = await world(database)
    async with database.transaction() as session:
        course = await session.get(Course, w.course_id)
        assert course is not None
        course.capacity = 0
        (third,) = await make_contacts(session, 1)
    await enrol(database, w.course_id, new, 0)
    await enrol(database, w.course_id, third, 1)
    await enrol(database, w.course_id, old, 2)
    async with database.transaction() as session:
        await merge_contacts(session, old, new, T0)
        course = await session.get(Course, w.course_id)
        assert course is not None
        positions = await repo.waiting_positions(session, course)
        rows = {r.id: r.contact_id for r in await session.scalars(select(Enrolment))}
        assert {rows[i]: p for i, p in positions.items()} == {new: 1, third: 2}


async def test_a_failed_merge_changes_nothing(database: Database) -> None:
    w, old, new = await world(database)
    async with database.transaction() as session:
        await _identity(session, w, old)
    with pytest.raises(LookupError):
        async with database.transaction() as session:
            await merge_contacts(session, old, new, T0)
            raise LookupError("something later in the step failed")
    async with database.transaction() as session:
        assert await count(session, "channel_identities.contact_id", old) == 1
        contact = await session.get(Contact, old)
        assert contact is not None and contact.merged_into_id is None


async def test_an_administrator_role_on_either_side_of_a_merge_is_kept(database: Database) -> None:
    """A facilitator role and an administrator role at one centre become the administrator's."""
    async with database.transaction() as session:
        centre = await make_centre(session)
        kept, merged = await make_contacts(session, 2, centre)
        session.add(FacilitatorRole(contact_id=kept, centre_id=centre.id, role="facilitator", created_at=T0))
        session.add(FacilitatorRole(contact_id=merged, centre_id=centre.id, role="administrator", created_at=T0))
    async with database.transaction() as session:
        await merge_contacts(session, merged, kept, T0)
    async with database.transaction() as session:
        roles = (await session.execute(select(FacilitatorRole.contact_id, FacilitatorRole.role))).all()
    assert [tuple(row) for row in roles] == [(kept, "administrator")]
