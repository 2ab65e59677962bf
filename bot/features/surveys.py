"""The survey feature's side: storing runs and answers, and the facts the survey flow needs.

Appliers run inside the dispatcher's step transaction, so an accepted answer and the state
that moved past its question commit together: a crash between two questions loses nothing.

The facts loader gives the flow the active questionnaire, the contact's unfinished run and
the questionnaires the bot invited them to (after a course) that are still open, each with
``{retention}`` in its texts filled with the configured retention period (``bot.privacy``).
When no questionnaire is stored yet, the shipped default (``flows/questionnaires/needs.yaml``)
is published as version 1, so a fresh installation can run the needs survey at once.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

import flows
from bot.effects import EffectContext
from bot.facts import Load
from bot.privacy import fill_retention
from flows.errors import StaleFacts
from flows.events import Localized
from flows.questionnaire.effects import (
    AbandonRun,
    DiscardAnswer,
    FinishRun,
    ResumeRun,
    SaveAnswer,
    StartRun,
)
from flows.questionnaire.invitations import FACT_INVITATIONS, DeclineInvitation, InvitationFacts
from flows.questionnaire.loader import load_questionnaire
from flows.questionnaire.runner import FACT_QUESTIONNAIRE, FACT_RUN, FACT_RUN_COUNT
from flows.questionnaire.schema import Published, Questionnaire, RunFacts
from storage import invitations, survey_facts, surveys
from storage.models import Contact
from storage.models.surveys import QuestionnaireVersion
from storage.retention import DEFAULT_RETENTION_DAYS

SHIPPED_DIR = Path(flows.__file__).resolve().parent / "questionnaires"
DEFAULT_QUESTIONNAIRE = SHIPPED_DIR / "needs.yaml"


def read_questionnaire(path: Path) -> Questionnaire:
    """Read and check a questionnaire file (raises QuestionnaireError naming file and line)."""
    return load_questionnaire(path.read_text(encoding="utf-8"), str(path))


@cache
def shipped_default() -> Questionnaire:
    return read_questionnaire(DEFAULT_QUESTIONNAIRE)


def definition_of(form: Questionnaire) -> dict[str, Any]:
    return form.model_dump(mode="json")


_PUBLISHED: dict[tuple[str, str, int, int], Published] = {}


def published(
    slug: str, row: QuestionnaireVersion, retention_days: int = DEFAULT_RETENTION_DAYS
) -> Published:
    """The stored version with ``{retention}`` filled, parsed once per process (a version never
    changes once stored)."""
    key = (row.content_hash, slug, row.version, retention_days)
    found = _PUBLISHED.get(key)
    if found is None:
        definition = fill_retention(row.definition, retention_days)
        found = Published(Questionnaire.model_validate(definition), row.version)
        _PUBLISHED[key] = found
    return found


async def published_ref(
    session: AsyncSession, ref: survey_facts.VersionRef, retention_days: int = DEFAULT_RETENTION_DAYS
) -> Published:
    """``published`` for a version named without its definition: read only on a cache miss."""
    key = (ref.content_hash, ref.slug, ref.version, retention_days)
    found = _PUBLISHED.get(key)
    if found is None:
        definition = fill_retention(await survey_facts.definition(session, ref.id), retention_days)
        found = Published(Questionnaire.model_validate(definition), ref.version)
        _PUBLISHED[key] = found
    return found


async def publish_form(
    session: AsyncSession, form: Questionnaire, *, source: str, now: dt.datetime, activate: bool = False,
    invited_only: bool = False,
) -> tuple[QuestionnaireVersion, bool]:
    return await surveys.publish(
        session, form.id, definition_of(form), source=source, now=now, activate=activate,
        invited_only=invited_only,
    )


def survey_facts_loader(retention_days: int = DEFAULT_RETENTION_DAYS) -> Load:
    """The survey's facts, its texts stating ``retention_days`` wherever they say ``{retention}``."""

    async def load(session: AsyncSession, contact: Contact, now: dt.datetime) -> dict[str, Any]:
        return await load_survey_facts(session, contact, now, retention_days)

    return load


async def load_survey_facts(
    session: AsyncSession, contact: Contact, now: dt.datetime, retention_days: int = DEFAULT_RETENTION_DAYS
) -> dict[str, Any]:
    active = await survey_facts.active(session)
    if active is None:
        await publish_form(session, shipped_default(), source=DEFAULT_QUESTIONNAIRE.name, now=now)
        active = await survey_facts.active(session)
    people = await surveys.same_person(session, contact.id)  # merged contacts: looked up once
    run_count, unfinished = await survey_facts.runs_of(session, contact.id, people)
    facts: dict[str, Any] = {FACT_RUN_COUNT: run_count}
    if active is not None:
        facts[FACT_QUESTIONNAIRE] = await published_ref(session, active, retention_days)
    if unfinished is not None:
        facts[FACT_RUN] = RunFacts(
            unfinished.run_key, await published_ref(session, unfinished.version, retention_days),
            unfinished.answers,
        )
    open_ones = await invitations.open_invitations(session, contact.id, people)
    facts[FACT_INVITATIONS] = {
        found.invitation.id: _invitation_facts(found, retention_days) for found in open_ones
    }
    return facts


def _invitation_facts(found: invitations.OpenInvitation, retention_days: int) -> InvitationFacts:
    row = found.invitation
    run = None
    if found.run is not None and found.run_version is not None:
        version = published(row.slug, found.run_version, retention_days)
        run = RunFacts(found.run.run_key, version, found.answers)
    about = Localized(row.about_kk, row.about_ru)
    return InvitationFacts(row.id, published(row.slug, found.version, retention_days), about, run)


async def start_run(ctx: EffectContext, effect: StartRun) -> None:
    await surveys.start_run(
        ctx.session, run_key=effect.run_key, contact_id=ctx.contact.id, slug=effect.questionnaire_id,
        version=effect.version, channel=effect.channel or ctx.identity.channel, now=ctx.now,
    )
    if effect.invitation is not None:
        await invitations.started(ctx.session, effect.invitation, effect.run_key, ctx.now)


async def save_answer(ctx: EffectContext, effect: SaveAnswer) -> None:
    await survey_facts.save_answer(
        ctx.session, run_key=effect.run_key, question_id=effect.question_id, value=effect.value,
        raw_text=effect.raw_text, now=ctx.now,
    )


async def discard_answer(ctx: EffectContext, effect: DiscardAnswer) -> None:
    await surveys.discard_answer(ctx.session, run_key=effect.run_key, question_id=effect.question_id,
                                 now=ctx.now)


async def finish_run(ctx: EffectContext, effect: FinishRun) -> None:
    await surveys.finish_run(ctx.session, run_key=effect.run_key, now=ctx.now)
    await invitations.run_completed(ctx.session, effect.run_key, ctx.now)


async def decline_invitation(ctx: EffectContext, effect: DeclineInvitation) -> None:
    row = await invitations.get(ctx.session, effect.invitation_id)
    if row is None or row.contact_id not in await surveys.same_person(ctx.session, ctx.contact.id):
        raise StaleFacts("not this contact's invitation")
    if not await invitations.declined(ctx.session, effect.invitation_id, ctx.now):
        raise StaleFacts("the invitation was answered meanwhile")


async def abandon_run(ctx: EffectContext, effect: AbandonRun) -> None:
    await surveys.abandon_run(ctx.session, run_key=effect.run_key, now=ctx.now,
                              discard_answers=effect.discard_answers)


async def resume_run(ctx: EffectContext, effect: ResumeRun) -> None:
    await surveys.resume_run(ctx.session, run_key=effect.run_key, now=ctx.now)
