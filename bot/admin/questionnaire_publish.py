"""What ``questionnaire validate``, ``load`` and ``import`` share: the SMS cost of each question,
and storing a checked questionnaire as its next version."""

from __future__ import annotations

import logging

import typer

from bot.admin.runner import run_with_db
from flows.questionnaire.schema import Questionnaire


def sms_report(form: Questionnaire, budget: int) -> int:
    """One line per question: its SMS segments in kk and ru; returns how many are over budget."""
    from bot.channels.sms_budget import question_costs
    from bot.i18n import Catalogs

    # The renderer's own "needs N segments" warnings would repeat this report on stderr.
    logging.getLogger("bot.channels.sms_render").setLevel(logging.ERROR)
    over = 0
    for cost in question_costs(form, Catalogs.load()):
        allowed = form.question(cost.question).sms_budget or budget
        counts = ", ".join(f"{language} {count.segments} ({count.units} characters)"
                           for language, count in cost.counts.items())
        verdict = "OVER BUDGET" if cost.over(allowed) else "ok"
        typer.echo(f"  {cost.question}: SMS {counts}; budget {allowed}: {verdict}")
        over += cost.over(allowed)
    return over


def publish_checked(form: Questionnaire, *, source: str, activate: bool) -> None:
    """Store a checked questionnaire as its next version; say which version it is."""
    from bot.clock import system_clock
    from bot.features.course_feedback import shipped_feedback
    from bot.features.surveys import publish_form
    from storage.db import Database

    # The course feedback is only ever sent by the bot after a course, never the menu's survey.
    invited_only = form.id == shipped_feedback().id
    if invited_only and activate:
        typer.echo(f"error: {form.id!r} is sent after each course; it cannot be the menu's survey", err=True)
        raise typer.Exit(2)

    async def store(db: Database) -> tuple[int, bool]:
        async with db.transaction() as session:
            version, created = await publish_form(
                session, form, source=source, now=system_clock(), activate=activate,
                invited_only=invited_only,
            )
            return version.version, created

    # Questionnaires are shared by every centre: with --as, an administrator's change.
    number, created = run_with_db(store, administrator="publish a questionnaire")
    state = "stored as version" if created else "unchanged, still version"
    typer.echo(f"questionnaire {form.id!r}: {state} {number}")
