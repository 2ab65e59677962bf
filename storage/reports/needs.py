"""What the needs summary (``flows.reports.needs``) is computed from, in a handful of queries.

The people are the live contacts (not erased, not merged into another) of the centres asked
for but their staff (a facilitator or administrator is no villager), with the answers of their
latest completed run of the active needs questionnaire (``storage.audiences.needs_profiles``;
finished since ``since``, if given: an older survey then counts as none). The courses are those
of the centres that are not cancelled, with who holds a seat or an offer and who waits.

The people and courses are selected by subqueries, never by lists of ids: a centre may have
more contacts than a statement takes bind parameters (32,767 with asyncpg).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.courses.statuses import SEAT_HOLDING
from flows.questionnaire.schema import Questionnaire as Form
from flows.reports.needs import Person
from flows.reports.needs_seats import CourseSeats
from storage.audiences import needs_profiles
from storage.models import Centre, Contact, FacilitatorRole
from storage.models.courses import Course, Enrolment
from storage.surveys import active_version


@dataclass(frozen=True)
class NeedsData:
    centres: tuple[str, ...]  # slugs, sorted
    people: list[Person]
    courses: list[CourseSeats]
    form: Form | None  # the active needs questionnaire's newest version, for its labels


async def centre_slugs(session: AsyncSession, centre_ids: Collection[int] | None) -> dict[int, str]:
    query = select(Centre.id, Centre.slug).order_by(Centre.slug)
    if centre_ids is not None:
        query = query.where(Centre.id.in_(list(centre_ids)))
    return {centre_id: slug for centre_id, slug in await session.execute(query)}


async def course_seats(
    session: AsyncSession, centre_ids: Collection[int], *, with_centre: bool
) -> list[CourseSeats]:
    """The centres' courses but cancelled ones; codes as ``slug/code`` when ``with_centre``."""
    reported = (Course.centre_id.in_(list(centre_ids)), Course.status != "cancelled")
    courses = (await session.execute(
        select(Course.id, Course.code, Course.status, Course.tags, Course.capacity, Centre.slug)
        .join(Centre, Centre.id == Course.centre_id)
        .where(*reported)
        .order_by(Centre.slug, Course.code)
    )).all()
    seated: dict[int, set[int]] = defaultdict(set)
    waiting: dict[int, set[int]] = defaultdict(set)
    rows = await session.execute(
        select(Enrolment.course_id, Enrolment.contact_id, Enrolment.status)
        .where(Enrolment.course_id.in_(select(Course.id).where(*reported)),
               Enrolment.status.in_([*SEAT_HOLDING, "waiting"])))
    for course_id, contact_id, status in rows:
        (waiting if status == "waiting" else seated)[course_id].add(contact_id)
    return [
        CourseSeats(f"{c.slug}/{c.code}" if with_centre else c.code, c.status, tuple(c.tags or ()),
                    c.capacity, frozenset(seated[c.id]), frozenset(waiting[c.id]), c.slug)
        for c in courses
    ]


async def active_form(session: AsyncSession) -> Form | None:
    """The active questionnaire's newest version; None when there is none or it cannot be read."""
    active = await active_version(session)
    if active is None:
        return None
    try:
        return Form.model_validate(active[1].definition)
    except ValidationError:
        return None


async def load_needs(
    session: AsyncSession, centre_ids: Collection[int] | None, since: dt.datetime | None = None
) -> NeedsData:
    """Everything the summary needs, of ``centre_ids`` (every centre when None)."""
    centres = await centre_slugs(session, centre_ids)
    villagers = (Contact.centre_id.in_(list(centres)), Contact.deleted_at.is_(None),
                 Contact.merged_into_id.is_(None), Contact.id.not_in(select(FacilitatorRole.contact_id)))
    contacts = (await session.execute(
        select(Contact.id, Contact.settlement, Contact.centre_id).where(*villagers).order_by(Contact.id)
    )).all()
    answers = await needs_profiles(session, select(Contact.id).where(*villagers), since)
    people = [Person(c.id, answers.get(c.id), c.settlement, centres[c.centre_id]) for c in contacts]
    courses = await course_seats(session, list(centres), with_centre=len(centres) > 1)
    return NeedsData(tuple(centres.values()), people, courses, await active_form(session))
