"""Joining two contacts that turned out to be one person (a Telegram account sharing the phone
number that already wrote by SMS).

Everything the old contact owns moves to the one that stays, in the caller's transaction, so
a failure leaves both as they were. The tables are found from the SQLAlchemy metadata: every
column with a foreign key to ``contacts.id`` is repointed, so a table added later moves too.
Where a unique constraint includes the contact (one enrolment per course and person, one
invitation per questionnaire and subject, one role per centre, one conversation), both
contacts may already have a row: a resolver keeps the better one and drops the other.
``unresolved_unique_references`` names any such column without a resolver; a test keeps it
empty, since a plain update there would fail on the first person who has both rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy import Column, PrimaryKeyConstraint, Table, UniqueConstraint, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.courses.statuses import ACTIVE_STATUSES, SEAT_HOLDING, EnrolmentStatus
from flows.questionnaire.statuses import InvitationStatus
from storage.courses.lists import audit, lock_course
from storage.courses.seats import fill_free_seats
from storage.models import Base, Contact, Conversation, FacilitatorRole
from storage.models.core import ADMINISTRATOR
from storage.models.courses import Attendance, Enrolment
from storage.models.surveys import SurveyInvitation

ENROLMENT_RANK: dict[EnrolmentStatus, int] = {
    "enrolled": 0, "offered": 1, "waiting": 2, "left": 3, "removed": 3, "declined": 3, "expired": 3,
}
INVITATION_RANK: dict[InvitationStatus, int] = {"completed": 0, "started": 1, "declined": 2, "sent": 3}


@dataclass
class MergeResult:
    """What the merge changed that someone must be told about: seats offered to the next
    person because the same person held two on one course."""

    offers: list[Enrolment] = field(default_factory=list)


Resolver = Callable[[AsyncSession, int, int, dt.datetime, MergeResult], Awaitable[None]]


def contact_references() -> list[Column[int]]:
    """Every column, in every table, that points at ``contacts.id``."""
    contacts = Base.metadata.tables["contacts"]
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column is contacts.c.id for fk in column.foreign_keys):
                found.append(column)
    return found


def _in_unique_key(column: Column[int]) -> bool:
    table = column.table
    assert isinstance(table, Table)
    return any(
        isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint) and column.name in constraint.columns
        for constraint in table.constraints
    ) or bool(column.unique) or any(
        index.unique and column.name in index.columns for index in table.indexes
    )


def unresolved_unique_references() -> list[str]:
    """Contact columns in a unique key that no resolver handles (should be none)."""
    return [f"{c.table.name}.{c.name}" for c in contact_references()
            if _in_unique_key(c) and f"{c.table.name}.{c.name}" not in RESOLVERS]


async def merge_contacts(session: AsyncSession, old_id: int, new_id: int, now: dt.datetime) -> MergeResult:
    """Move everything of contact ``old_id`` to ``new_id`` and mark the old one merged."""
    if old_id == new_id:
        return MergeResult()
    old = await session.get(Contact, old_id)
    new = await session.get(Contact, new_id)
    if old is None or new is None:
        raise LookupError(f"cannot merge contact {old_id} into {new_id}: one does not exist")
    result = MergeResult()
    for column in contact_references():
        name = f"{column.table.name}.{column.name}"
        resolver = RESOLVERS.get(name)
        if resolver is not None:
            await resolver(session, old_id, new_id, now, result)
        elif name != "contacts.merged_into_id":
            await _repoint(session, column, old_id, new_id)
    # Contacts merged into the old one earlier now point at the one that stays.
    await _repoint(session, Base.metadata.tables["contacts"].c.merged_into_id, old_id, new_id)
    old.merged_into_id = new_id
    new.language = new.language or old.language
    new.centre_id = new.centre_id or old.centre_id
    new.name = new.name or old.name
    new.settlement = new.settlement or old.settlement
    if new.contact_consent is None:
        new.contact_consent = old.contact_consent
    if new.consent is None and old.consent is not None:
        new.consent, new.consent_at = old.consent, old.consent_at
    await session.flush()
    return result


async def _repoint(session: AsyncSession, column: Column[int], old_id: int, new_id: int) -> None:
    """An ORM update where the table is mapped, so rows already loaded in the session follow."""
    mapper = next((m for m in Base.registry.mappers if m.local_table is column.table), None)
    if mapper is None:
        await session.execute(update(column.table).where(column == old_id).values({column.name: new_id}))
        return
    key = mapper.get_property_by_column(column).key
    entity = mapper.class_
    await session.execute(
        update(entity).where(getattr(entity, key) == old_id).values({key: new_id})
        .execution_options(synchronize_session="fetch")
    )


async def _conversation(session: AsyncSession, old_id: int, _new: int, _now: dt.datetime,
                        _result: MergeResult) -> None:
    """The conversation that stays is the one the person is in now; their runs, places and
    seats moved with the rest and are reached from its menu."""
    row = await session.get(Conversation, old_id, with_for_update=True)
    if row is not None:
        await session.delete(row)


async def _roles(session: AsyncSession, old_id: int, new_id: int, _now: dt.datetime,
                 _result: MergeResult) -> None:
    """One role per centre; the wider one (administrator) wins, so a merge never narrows it."""
    held = {role.centre_id: role for role in await session.scalars(
        select(FacilitatorRole).where(FacilitatorRole.contact_id == new_id))}
    for role in (await session.scalars(
            select(FacilitatorRole).where(FacilitatorRole.contact_id == old_id))).all():
        kept = held.get(role.centre_id)
        if kept is None:
            role.contact_id = new_id
            continue
        if role.role == ADMINISTRATOR:
            kept.role = ADMINISTRATOR
        await session.delete(role)


async def _invitations(session: AsyncSession, old_id: int, new_id: int, _now: dt.datetime,
                       _result: MergeResult) -> None:
    """One invitation per questionnaire and subject: the one further along stays."""
    theirs = {(i.slug, i.subject): i for i in await session.scalars(
        select(SurveyInvitation).where(SurveyInvitation.contact_id == new_id))}
    for row in (await session.scalars(
            select(SurveyInvitation).where(SurveyInvitation.contact_id == old_id))).all():
        other = theirs.get((row.slug, row.subject))
        if other is None:
            row.contact_id = new_id
            continue
        if INVITATION_RANK[row.status] < INVITATION_RANK[other.status]:
            await session.delete(other)
            await session.flush()
            row.contact_id = new_id
        else:
            await session.delete(row)
    await session.flush()


def _better(a: Enrolment, b: Enrolment) -> bool:
    """Is ``a`` the enrolment to keep: the stronger status, then the earlier place in line
    (or, for two finished ones, the later news)."""
    rank_a, rank_b = ENROLMENT_RANK[a.status], ENROLMENT_RANK[b.status]
    if rank_a != rank_b:
        return rank_a < rank_b
    if a.status in ACTIVE_STATUSES:
        return (a.joined_at, a.id) <= (b.joined_at, b.id)
    return (a.updated_at, a.id) >= (b.updated_at, b.id)


async def _enrolments(session: AsyncSession, old_id: int, new_id: int, now: dt.datetime,
                      result: MergeResult) -> None:
    """One enrolment per course and person. Where both had one, the better stays; a second
    seat the person held is freed and offered to the next in line; attendance is kept."""
    olds = (await session.scalars(select(Enrolment).where(Enrolment.contact_id == old_id))).all()
    courses = [e.course_id for e in olds]
    news = {e.course_id: e for e in await session.scalars(
        select(Enrolment).where(Enrolment.contact_id == new_id, Enrolment.course_id.in_(courses)))}
    for row in olds:
        other = news.get(row.course_id)
        if other is None:
            row.contact_id = new_id
            continue
        course = await lock_course(session, row.course_id)
        keep, drop = (row, other) if _better(row, other) else (other, row)
        await _move_attendance(session, drop.id, keep.id)
        freed = drop.status in SEAT_HOLDING
        details = {"kept": keep.status, "dropped": drop.status, "merged_contact": old_id}
        await session.delete(drop)
        await session.flush()
        keep.contact_id, keep.updated_at = new_id, now
        await session.flush()
        await audit(session, course.id, "system", "merge", now, contact_id=new_id,
                    reason="one person on two channels", details=details)
        if freed:
            result.offers.extend(await fill_free_seats(session, course, now, actor="system"))


async def _move_attendance(session: AsyncSession, from_id: int, to_id: int) -> None:
    marked = set(await session.scalars(select(Attendance.session_id).where(Attendance.enrolment_id == to_id)))
    for mark in await session.scalars(select(Attendance).where(Attendance.enrolment_id == from_id)):
        if mark.session_id not in marked:
            mark.enrolment_id = to_id
    await session.flush()


RESOLVERS: dict[str, Resolver] = {
    "conversations.contact_id": _conversation,
    "facilitator_roles.contact_id": _roles,
    "survey_invitations.contact_id": _invitations,
    "enrolments.contact_id": _enrolments,
}

__all__ = ["MergeResult", "contact_references", "merge_contacts", "unresolved_unique_references"]
