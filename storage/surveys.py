"""Questionnaire versions, runs and answers: the repository the survey feature writes through.

Every function works inside the caller's transaction (the dispatcher's step), so an answer is
committed together with the conversation state that moved past its question.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.courses.policy import Profile
from flows.errors import RunClosed
from storage.models import Contact
from storage.models.surveys import Questionnaire, QuestionnaireVersion, SurveyAnswer, SurveyRun


@dataclass(frozen=True)
class Unfinished:
    run: SurveyRun
    slug: str
    version: QuestionnaireVersion
    answers: dict[str, Any]


def content_hash(definition: dict[str, Any]) -> str:
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


async def publish(
    session: AsyncSession, slug: str, definition: dict[str, Any], *, source: str, now: dt.datetime,
    activate: bool = False, invited_only: bool = False,
) -> tuple[QuestionnaireVersion, bool]:
    """Store the definition as the questionnaire's next version; (version, True if new).

    An unchanged definition adds nothing. The first questionnaire stored becomes active,
    unless it is ``invited_only`` (sent by the bot, as after a course, never the menu's survey).
    """
    questionnaire = await session.scalar(
        select(Questionnaire).where(Questionnaire.slug == slug).with_for_update()
    )
    if questionnaire is None:
        any_active = await session.scalar(select(Questionnaire.id).where(Questionnaire.active))
        questionnaire = Questionnaire(slug=slug, active=any_active is None and not invited_only,
                                      created_at=now)
        session.add(questionnaire)
        await session.flush()
    if activate:
        await session.execute(update(Questionnaire).values(active=False))
        questionnaire.active = True
    latest = await latest_version(session, questionnaire.id)
    digest = content_hash(definition)
    if latest is not None and latest.content_hash == digest:
        return latest, False
    version = QuestionnaireVersion(
        questionnaire_id=questionnaire.id,
        version=(latest.version + 1) if latest else 1,
        definition=definition,
        content_hash=digest,
        source=source[-200:],
        created_at=now,
    )
    session.add(version)
    await session.flush()
    return version, True


async def latest_version(session: AsyncSession, questionnaire_id: int) -> QuestionnaireVersion | None:
    # Bound to a name first: in a return statement mypy picks session.scalar's untyped overload.
    latest = await session.scalar(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.questionnaire_id == questionnaire_id)
        .order_by(QuestionnaireVersion.version.desc())
        .limit(1)
    )
    return latest


async def active_version(session: AsyncSession) -> tuple[str, QuestionnaireVersion] | None:
    """The active questionnaire's slug and newest version, if any questionnaire is stored."""
    questionnaire = await session.scalar(select(Questionnaire).where(Questionnaire.active).limit(1))
    if questionnaire is None:
        return None
    version = await latest_version(session, questionnaire.id)
    return (questionnaire.slug, version) if version is not None else None


async def find_version(session: AsyncSession, slug: str, version: int) -> QuestionnaireVersion | None:
    found = await session.scalar(
        select(QuestionnaireVersion)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(Questionnaire.slug == slug, QuestionnaireVersion.version == version)
    )
    return found


async def run_count(session: AsyncSession, contact_id: int) -> int:
    count = await session.scalar(
        select(func.count()).select_from(SurveyRun).where(SurveyRun.contact_id == contact_id)
    )
    return int(count or 0)


_UNMERGED = "surveys.unmerged"  # session.info: contacts known, in this unit of work, to have no merges


def knows_unmerged(session: AsyncSession, contact_id: int) -> None:
    """Note that no contact was merged into this one (the step read it already with the
    person, ``storage.steps``), so ``same_person`` need not ask again in this transaction."""
    session.info.setdefault(_UNMERGED, set()).add(contact_id)


async def same_person(session: AsyncSession, contact_id: int) -> list[int]:
    """This contact and every contact merged into it (the same person on another channel)."""
    if contact_id in session.info.get(_UNMERGED, ()):
        return [contact_id]
    found = [contact_id]
    frontier = [contact_id]
    while frontier and len(found) < 100:
        merged = (await session.scalars(select(Contact.id).where(Contact.merged_into_id.in_(frontier)))).all()
        frontier = [i for i in merged if i not in found]
        found.extend(frontier)
    return found


async def unfinished_run(
    session: AsyncSession, contact_id: int, people: Sequence[int] | None = None
) -> Unfinished | None:
    """The person's newest run still in progress (on any of their channels), with its answers.

    ``people`` is ``same_person(contact_id)`` when the caller already has it.
    """
    people = people if people is not None else await same_person(session, contact_id)
    row = (
        await session.execute(
            select(SurveyRun, QuestionnaireVersion, Questionnaire.slug)
            .join(QuestionnaireVersion, QuestionnaireVersion.id == SurveyRun.version_id)
            .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
            .where(SurveyRun.contact_id.in_(people), SurveyRun.status == "in_progress")
            .order_by(SurveyRun.id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    run, version, slug = row
    return Unfinished(run, slug, version, await answers_of(session, run.id))


async def answers_of(session: AsyncSession, run_id: int) -> dict[str, Any]:
    rows = await session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.value)
        .where(SurveyAnswer.run_id == run_id)
        .order_by(SurveyAnswer.id)
    )
    return {question_id: value for question_id, value in rows}


async def get_run(session: AsyncSession, run_key: str, *, lock: bool = True) -> SurveyRun:
    query = select(SurveyRun).where(SurveyRun.run_key == run_key)
    run = await session.scalar(query.with_for_update() if lock else query)
    if run is None:
        raise LookupError(f"survey run {run_key!r} does not exist")
    return run


async def start_run(
    session: AsyncSession, *, run_key: str, contact_id: int, slug: str, version: int, channel: str,
    now: dt.datetime,
) -> SurveyRun:
    version_id = await session.scalar(  # the id alone: the definition is large and not needed here
        select(QuestionnaireVersion.id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(Questionnaire.slug == slug, QuestionnaireVersion.version == version)
    )
    if version_id is None:
        raise LookupError(f"questionnaire {slug!r} version {version} is not stored")
    run = SurveyRun(
        run_key=run_key, contact_id=contact_id, version_id=version_id, status="in_progress",
        channel=channel[:16], started_at=now, updated_at=now,
    )
    session.add(run)
    await session.flush()
    return run


def _open(run: SurveyRun) -> None:
    if run.status != "in_progress":
        raise RunClosed(f"survey run {run.run_key!r} is {run.status}; it cannot change")


async def save_answer(
    session: AsyncSession, *, run_key: str, question_id: str, value: Any, raw_text: str | None,
    now: dt.datetime,
) -> SurveyAnswer:
    """Store an accepted answer; a second answer to the same question replaces the first."""
    run = await get_run(session, run_key)
    _open(run)
    answer = await session.scalar(
        select(SurveyAnswer).where(SurveyAnswer.run_id == run.id, SurveyAnswer.question_id == question_id)
    )
    if answer is None:
        answer = SurveyAnswer(run_id=run.id, question_id=question_id, value=value, raw_text=raw_text,
                              answered_at=now, revision=1)
        session.add(answer)
    else:
        answer.value, answer.raw_text, answer.answered_at = value, raw_text, now
        answer.revision += 1
    run.updated_at = now
    await session.flush()
    return answer


async def discard_answer(session: AsyncSession, *, run_key: str, question_id: str, now: dt.datetime) -> None:
    run = await get_run(session, run_key)
    _open(run)
    await session.execute(
        delete(SurveyAnswer).where(SurveyAnswer.run_id == run.id, SurveyAnswer.question_id == question_id)
    )
    run.updated_at = now


async def finish_run(session: AsyncSession, *, run_key: str, now: dt.datetime) -> SurveyRun:
    run = await get_run(session, run_key)
    _open(run)
    run.status, run.finished_at, run.updated_at = "completed", now, now
    return run


async def abandon_run(
    session: AsyncSession, *, run_key: str, now: dt.datetime, discard_answers: bool = False
) -> SurveyRun:
    run = await get_run(session, run_key)
    _open(run)
    if discard_answers:
        await session.execute(delete(SurveyAnswer).where(SurveyAnswer.run_id == run.id))
    run.status, run.finished_at, run.updated_at = "abandoned", now, now
    return run


async def resume_run(session: AsyncSession, *, run_key: str, now: dt.datetime) -> SurveyRun:
    """An abandoned run continues (the person came back to it); a completed one never does."""
    run = await get_run(session, run_key)
    if run.status == "completed":
        raise RunClosed(f"survey run {run_key!r} is completed; it cannot change")
    run.status, run.finished_at, run.updated_at = "in_progress", None, now
    return run


async def latest_profiles(session: AsyncSession, contact_ids: Sequence[int]) -> Mapping[int, Profile]:
    """Each contact's answers from their latest completed needs survey (for priority groups)."""
    runs = (await session.execute(
        select(SurveyRun.id, SurveyRun.contact_id).where(
            SurveyRun.contact_id.in_(list(contact_ids)), SurveyRun.status == "completed"
        ).order_by(SurveyRun.id)
    )).all()
    latest = {contact_id: run_id for run_id, contact_id in runs}
    profiles: dict[int, dict[str, Any]] = {cid: {} for cid in latest}
    by_run = {run_id: contact_id for contact_id, run_id in latest.items()}
    if by_run:
        answers = await session.execute(
            select(SurveyAnswer.run_id, SurveyAnswer.question_id, SurveyAnswer.value)
            .where(SurveyAnswer.run_id.in_(list(by_run)))
        )
        for run_id, question_id, value in answers:
            profiles[by_run[run_id]][question_id] = value
    return profiles
