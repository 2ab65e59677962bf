"""Survey invitations: a questionnaire sent to one person about one subject, at most once.

The unique (contact, questionnaire, subject) row is what makes "once" hold even when two
processes run the sending job at the same moment: the second insert fails and rolls back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.questionnaire.statuses import OPEN_INVITATION_STATUSES
from storage.models.surveys import Questionnaire, QuestionnaireVersion, SurveyInvitation, SurveyRun
from storage.surveys import answers_of, latest_version, same_person


@dataclass(frozen=True)
class OpenInvitation:
    """An invitation the person may still answer, with what the flow needs to run it."""

    invitation: SurveyInvitation
    version: QuestionnaireVersion
    # A started run that is not completed yet (in progress or left halfway), with its answers.
    run: SurveyRun | None
    run_version: QuestionnaireVersion | None
    answers: dict[str, object]


async def invite(
    session: AsyncSession, *, contact_id: int, slug: str, subject: str, about: tuple[str, str],
    now: dt.datetime,
) -> SurveyInvitation | None:
    """Record an invitation; None when this person was already invited about this subject."""
    found = await session.scalar(
        select(SurveyInvitation.id).where(
            SurveyInvitation.contact_id == contact_id, SurveyInvitation.slug == slug,
            SurveyInvitation.subject == subject,
        )
    )
    if found is not None:
        return None
    row = SurveyInvitation(contact_id=contact_id, slug=slug, subject=subject, about_kk=about[0][:200],
                           about_ru=about[1][:200], status="sent", created_at=now, updated_at=now)
    session.add(row)
    await session.flush()
    return row


_NONE_OPEN = "invitations.none_open"  # session.info: contacts known, in this unit of work, to have none


def knows_none_open(session: AsyncSession, contact_id: int) -> None:
    """Note that this contact (with nobody merged into it) has no open invitation: the step
    read it with the person (``storage.steps``), so ``open_invitations`` need not ask again."""
    session.info.setdefault(_NONE_OPEN, set()).add(contact_id)


async def open_invitations(
    session: AsyncSession, contact_id: int, people: Sequence[int] | None = None
) -> list[OpenInvitation]:
    """The person's invitations not yet completed or declined (on any of their channels).

    ``people`` is ``same_person(contact_id)`` when the caller already has it.
    """
    if contact_id in session.info.get(_NONE_OPEN, ()):
        return []
    people = people if people is not None else await same_person(session, contact_id)
    rows = (await session.execute(
        select(SurveyInvitation, Questionnaire.id)
        .join(Questionnaire, Questionnaire.slug == SurveyInvitation.slug)
        .where(SurveyInvitation.contact_id.in_(people), SurveyInvitation.status.in_(OPEN_INVITATION_STATUSES))
        .order_by(SurveyInvitation.id)
    )).all()
    found = []
    for invitation, questionnaire_id in rows:
        version = await latest_version(session, questionnaire_id)
        if version is None:
            continue
        run, run_version, answers = None, None, {}
        if invitation.run_key is not None:
            pair = (await session.execute(
                select(SurveyRun, QuestionnaireVersion)
                .join(QuestionnaireVersion, QuestionnaireVersion.id == SurveyRun.version_id)
                .where(SurveyRun.run_key == invitation.run_key, SurveyRun.status != "completed")
            )).first()
            if pair is not None:
                run, run_version = pair
                answers = await answers_of(session, run.id)
        found.append(OpenInvitation(invitation, version, run, run_version, answers))
    return found


async def get(session: AsyncSession, invitation_id: int) -> SurveyInvitation | None:
    return await session.get(SurveyInvitation, invitation_id)


async def started(session: AsyncSession, invitation_id: int, run_key: str, now: dt.datetime) -> None:
    await session.execute(
        update(SurveyInvitation).where(SurveyInvitation.id == invitation_id)
        .values(status="started", run_key=run_key, updated_at=now)
    )


async def declined(session: AsyncSession, invitation_id: int, now: dt.datetime) -> bool:
    """False when it was no longer open (completed or declined meanwhile)."""
    # An UPDATE's result is a CursorResult; AsyncSession.execute is typed as plain Result.
    result = cast("CursorResult[Any]", await session.execute(
        update(SurveyInvitation)
        .where(SurveyInvitation.id == invitation_id, SurveyInvitation.status.in_(OPEN_INVITATION_STATUSES))
        .values(status="declined", updated_at=now)
    ))
    return bool(result.rowcount)


async def run_completed(session: AsyncSession, run_key: str, now: dt.datetime) -> None:
    await session.execute(
        update(SurveyInvitation).where(SurveyInvitation.run_key == run_key)
        .values(status="completed", updated_at=now)
    )
