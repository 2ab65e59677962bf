"""Who a broadcast's audience (``flows.audience.Audience``) names at one centre, and who of them
is never reached and why.

The people: the centre's live contacts (not erased, not merged into another), or for a course
group the course's people (the course is the centre's: ``storage.broadcasts`` checks it).
Every filter set narrows them. Then, in this order, some are skipped and counted:

* ``do not contact me``: their latest completed needs survey answered "how should we contact
  you" with "do not contact me" (it overrides a consent given on an imported list: it is the
  person's own, later word);
* ``no consent``: an imported list said no (``Contact.contact_consent`` False), or said nothing
  and the person never wrote to the bot (no conversation): the centre may announce things to
  people who came to the bot themselves, and to imported people whose consent it recorded;
* ``opted out`` / ``unreachable``: no address (on the chosen channel, if one is) that is
  neither opted out (SMS STOP) nor unreachable (Telegram blocked).

The outbox checks opt-out and reachability again at send time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.audience import (
    LANGUAGES,
    Audience,
    SkipReason,
    interested_in,
    matches_survey,
    survey_condition,
    wants_no_contact,
)
from flows.courses.statuses import ACTIVE_STATUSES, EnrolmentStatus
from storage.models import ChannelIdentity, Contact, Conversation
from storage.models.courses import Attendance, Course, Enrolment
from storage.models.surveys import Questionnaire, QuestionnaireVersion, SurveyAnswer, SurveyRun

GROUP_STATUS: dict[str, EnrolmentStatus] = {"seated": "enrolled", "offered": "offered", "waiting": "waiting"}


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    language: str  # the person's, or the bot's default when they never chose
    channels: tuple[str, ...]  # their reachable channels (the chosen one only, if any)


@dataclass
class Selection:
    recipients: list[Recipient] = field(default_factory=list)
    skipped: dict[SkipReason, list[int]] = field(default_factory=dict)

    def skip(self, reason: SkipReason, contact_id: int) -> None:
        self.skipped.setdefault(reason, []).append(contact_id)


# Contact ids given as a list go to the database in batches: PostgreSQL (asyncpg) takes at most
# 32,767 bind parameters in a statement, SQLite 32,766.
ID_BATCH = 10_000


async def needs_profiles(
    session: AsyncSession, contact_ids: Sequence[int] | Select[tuple[int]], since: dt.datetime | None = None
) -> Mapping[int, dict[str, Any]]:
    """Each contact's answers from their latest completed run of the needs survey (the active
    questionnaire; course feedback runs do not count), finished at ``since`` or later if given
    (an older run then counts as none). ``contact_ids``: a list, or a query of contact ids
    (read by the database itself, however many they are)."""
    if isinstance(contact_ids, Select):
        return await _profiles(session, SurveyRun.contact_id.in_(contact_ids.scalar_subquery()), since)
    profiles: dict[int, dict[str, Any]] = {}
    for first in range(0, len(contact_ids), ID_BATCH):
        batch = list(contact_ids[first:first + ID_BATCH])
        profiles |= await _profiles(session, SurveyRun.contact_id.in_(batch), since)
    return profiles


async def _profiles(
    session: AsyncSession, whose: ColumnElement[bool], since: dt.datetime | None
) -> dict[int, dict[str, Any]]:
    # One statement: each contact's latest run (by when it finished) and its answers.
    ranked = (
        select(SurveyRun.id.label("run_id"), SurveyRun.contact_id.label("contact_id"),
               func.row_number().over(
                   partition_by=SurveyRun.contact_id,
                   order_by=(SurveyRun.finished_at.desc().nulls_last(), SurveyRun.id.desc())).label("n"))
        .join(QuestionnaireVersion, QuestionnaireVersion.id == SurveyRun.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(whose, SurveyRun.status == "completed", Questionnaire.active)
    )
    if since is not None:
        ranked = ranked.where(SurveyRun.finished_at >= since)
    latest = ranked.subquery()
    rows = await session.execute(
        select(latest.c.contact_id, SurveyAnswer.question_id, SurveyAnswer.value)
        .select_from(latest)
        .outerjoin(SurveyAnswer, SurveyAnswer.run_id == latest.c.run_id)
        .where(latest.c.n == 1))
    found: dict[int, dict[str, Any]] = {}
    for contact_id, question_id, value in rows:
        answers = found.setdefault(contact_id, {})
        if question_id is not None:  # a completed run without answers: answered, nothing said
            answers[question_id] = value
    return found


def _people(centre_id: int, audience: Audience) -> Select[Any]:
    live = select(Contact).where(Contact.deleted_at.is_(None), Contact.merged_into_id.is_(None))
    if audience.course_id is not None and audience.course_group is not None:
        on_course = select(Enrolment.contact_id).where(Enrolment.course_id == audience.course_id)
        if audience.course_group == "attended":
            on_course = on_course.join(Attendance, Attendance.enrolment_id == Enrolment.id).where(
                Attendance.present)
        else:
            on_course = on_course.where(Enrolment.status == GROUP_STATUS[audience.course_group])
        live = live.where(Contact.id.in_(on_course))
    else:
        live = live.where(Contact.centre_id == centre_id)
    if audience.language is not None:
        live = live.where(Contact.language == audience.language)
    return live.order_by(Contact.id)


async def select_audience(session: AsyncSession, centre_id: int, audience: Audience) -> Selection:
    """The people the audience names, split into recipients and those skipped (with why)."""
    people = _people(centre_id, audience)
    contacts = list((await session.scalars(people)).all())
    ids = [c.id for c in contacts]
    # The people as a subquery, not a list of ids: PostgreSQL's driver takes at most 32,767
    # parameters, and a region's shared bot may hold more people.
    chosen = people.with_only_columns(Contact.id).order_by(None)
    profiles = await needs_profiles(session, ids)
    condition = survey_condition(audience.survey) if audience.survey is not None else None
    tags: list[str] = []
    on_it: set[int] = set()
    if audience.for_course_id is not None:
        course = await session.get(Course, audience.for_course_id)
        tags = list(course.tags) if course is not None else []
        on_it = set((await session.scalars(select(Enrolment.contact_id).where(
            Enrolment.course_id == audience.for_course_id, Enrolment.status.in_(ACTIVE_STATUSES)))).all())
    identities: dict[int, list[ChannelIdentity]] = defaultdict(list)
    if ids:
        known = select(ChannelIdentity).where(ChannelIdentity.contact_id.in_(chosen.scalar_subquery()))
        for identity in await session.scalars(known):
            if audience.channel is None or identity.channel == audience.channel:
                identities[identity.contact_id].append(identity)
    talked = set((await session.scalars(select(Conversation.contact_id).where(
        Conversation.contact_id.in_(chosen.scalar_subquery())))).all()) if ids else set()
    selection = Selection()
    for contact in contacts:
        answers = profiles.get(contact.id, {})
        if condition is not None and not matches_survey(condition, answers):
            continue
        if audience.for_course_id is not None and (contact.id in on_it or not interested_in(answers, tags)):
            continue
        if audience.channel is not None and not identities[contact.id]:
            continue  # not on that channel at all: not in this audience
        reason = _skip_reason(contact, answers, identities[contact.id], contact.id in talked)
        if reason is not None:
            selection.skip(reason, contact.id)
            continue
        reachable = sorted({i.channel for i in identities[contact.id] if _reachable(i)})
        language = contact.language if contact.language in LANGUAGES else LANGUAGES[0]
        selection.recipients.append(Recipient(contact.id, language, tuple(reachable)))
    return selection


def _reachable(identity: ChannelIdentity) -> bool:
    return identity.opted_out_at is None and identity.unreachable_at is None


def _skip_reason(
    contact: Contact, answers: Mapping[str, Any], identities: Sequence[ChannelIdentity], talked: bool
) -> SkipReason | None:
    if wants_no_contact(answers):
        return "do not contact me"
    if contact.contact_consent is False or (contact.contact_consent is None and not talked):
        return "no consent"
    if any(_reachable(i) for i in identities):
        return None
    return "opted out" if any(i.opted_out_at is not None for i in identities) else "unreachable"
