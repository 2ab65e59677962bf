"""``clc-admin questionnaire import FORM.xlsx`` and ``export ID --format xlsform --out FORM.xlsx``.

``import`` reads an XLSForm (KoBoToolbox, ODK) with pyxform, converts and checks it as a YAML
questionnaire is checked, prints every problem with its sheet, row and column and what each
question costs over SMS; with ``--publish`` it stores it as the questionnaire's next version
(``--activate``: the menu's survey). ``export`` writes a stored version as an XLSForm that
pyxform converts, to be edited in Excel or uploaded to KoBoToolbox, and imported again.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from bot.channels.sms_budget import DEFAULT_BUDGET
from flows.questionnaire.schema import Questionnaire

if TYPE_CHECKING:
    from storage.db import Database

IdOption = Annotated[str | None, typer.Option(
    "--id", help="The questionnaire's id: a-z, 0-9 and _, at most 32 (default: the form_id of the settings "
    "sheet, else the file's name).")]


class Format(StrEnum):
    xlsform = "xlsform"


def fail(message: str, code: int = 2) -> NoReturn:
    """One red line, as the other commands say an error, and the exit code."""
    error(message)
    raise typer.Exit(code)


def error(message: str) -> None:
    from rich.markup import escape

    from bot.admin.runner import console

    console.print(f"[red]{escape(message)}[/red]", highlight=False, soft_wrap=True)


def import_form(
    file: Annotated[Path, typer.Argument(help="An XLSForm file (.xlsx).")],
    questionnaire_id: IdOption = None,
    publish: Annotated[bool, typer.Option(help="Store it as the questionnaire's next version.")] = False,
    activate: Annotated[bool, typer.Option(
        help="Store it and make it the survey the main menu starts.")] = False,
    skip_unsupported: Annotated[bool, typer.Option(
        help="Drop the questions a chat cannot ask (photos, places, repeats …) with a warning.")] = False,
    sms_budget: Annotated[int, typer.Option(
        min=1, help="SMS segments a question may cost.")] = DEFAULT_BUDGET,
) -> None:
    """Check an XLSForm and, with --publish, store it as a questionnaire.

    Every problem names its sheet, row and column. Without --publish nothing is stored, and a
    question over the SMS budget fails the check, as `questionnaire validate` does.
    """
    from bot.admin.questionnaire_publish import publish_checked, sms_report

    form = checked_xlsform(file, questionnaire_id=questionnaire_id, skip_unsupported=skip_unsupported)
    over = sms_report(form, sms_budget)
    answerable = sum(1 for question in form.questions if question.answerable)
    too_long = (f"{over} question{'s' if over != 1 else ''} over the SMS budget; give them shorter texts in "
                "bot_sms_label_kk and bot_sms_label_ru columns")
    if not (publish or activate):
        if over:
            fail(f"{file}: questionnaire {form.id!r} is valid, but {too_long}", 1)
        typer.echo(f"{file}: questionnaire {form.id!r} is valid ({answerable} questions); "
                   "--publish stores it")
        return
    if over:
        error(f"{file}: {too_long}")
    publish_checked(form, source=file.name, activate=activate)


def checked_xlsform(file: Path, *, questionnaire_id: str | None = None,
                    skip_unsupported: bool = False) -> Questionnaire:
    """The form's questionnaire, warnings printed; or its problems printed and exit 1 (2 if it
    cannot be read)."""
    from bot.xlsform.files import read_xlsform
    from flows.errors import QuestionnaireError

    try:
        imported = read_xlsform(file, questionnaire_id=questionnaire_id, skip_unsupported=skip_unsupported)
    except OSError as exc:
        fail(f"{file}: cannot read the file: {exc.strerror or exc}")
    except QuestionnaireError as exc:
        for problem in exc.problems:
            error(str(problem))
        count = len(exc.problems)
        fail(f"{file}: {count} problem{'s' if count != 1 else ''} found", 1)
    for warning in imported.warnings:
        typer.echo(f"warning: {warning}", err=True)
    return imported.form


def export_form(
    questionnaire_id: Annotated[str, typer.Argument(help="The questionnaire's id, as `load` stored it.")],
    out: Annotated[Path, typer.Option("--out", help="The XLSForm file to write (.xlsx).")],
    format: Annotated[Format, typer.Option("--format", help="The file format.")] = Format.xlsform,
    version: Annotated[int | None, typer.Option(
        min=1, help="A stored version (default: the newest).")] = None,
    force: Annotated[bool, typer.Option(help="Replace the file if it exists.")] = False,
) -> None:
    """Write a stored questionnaire as an XLSForm for KoBoToolbox, ODK or Excel."""
    from bot.admin.runner import run_with_db
    from bot.results.files import OutputError, check_target
    from bot.xlsform.files import write_xlsform
    from flows.errors import DataError

    if out.suffix.lower() != ".xlsx":
        fail(f"{out}: an XLSForm file must end in .xlsx")
    try:
        check_target(out, force=force)
    except OutputError as exc:
        fail(str(exc))
    form, number = run_with_db(lambda db: _stored(db, questionnaire_id, version))
    try:
        write_xlsform(form, out, force=force)
    except OutputError as exc:  # a file made there meanwhile
        fail(str(exc))
    except OSError as exc:
        fail(f"{out}: cannot write the file: {exc.strerror or exc}")
    except DataError as exc:  # a bug: everything the model holds has an XLSForm form
        fail(f"pyxform does not accept the exported form: {exc}")
    typer.echo(f"questionnaire {form.id!r} version {number} written to {out}")


async def _stored(db: Database, slug: str, version: int | None) -> tuple[Questionnaire, int]:
    from sqlalchemy import select

    from storage import surveys
    from storage.models.surveys import Questionnaire as StoredQuestionnaire

    async with db.transaction() as session:
        if version is not None:
            row = await surveys.find_version(session, slug, version)
        else:
            stored = await session.scalar(select(StoredQuestionnaire).where(StoredQuestionnaire.slug == slug))
            row = await surveys.latest_version(session, stored.id) if stored is not None else None
        if row is None:
            known = ", ".join((await session.scalars(
                select(StoredQuestionnaire.slug).order_by(StoredQuestionnaire.slug))).all()) or "none yet"
            which = f"{slug!r} version {version}" if version is not None else repr(slug)
            typer.echo(f"error: no questionnaire {which} (stored: {known})", err=True)
            raise typer.Exit(2)
        return Questionnaire.model_validate(row.definition), row.version
