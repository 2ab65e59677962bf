"""``clc-admin questionnaire``: check a questionnaire file, or publish it as a new version.

``validate FILE`` prints every problem (file, line, question id, what is wrong) and what each
question costs over SMS in kk and ru, and exits 1 when there is a problem or a question over
the SMS budget (``--sms-budget``, 2 segments by default); ``load FILE`` stores the file as the
questionnaire's next version (an unchanged file adds nothing) and, with ``--activate``, makes
it the menu's needs survey. Both read an XLSForm (``.xlsx``) as ``import`` does; ``import`` and
``export`` (XLSForm, for KoBoToolbox and ODK) are in :mod:`bot.admin.questionnaire_xlsform`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.admin.questionnaire_publish import publish_checked, sms_report
from bot.admin.questionnaire_xlsform import checked_xlsform, export_form, import_form
from bot.channels.sms_budget import DEFAULT_BUDGET
from flows.errors import QuestionnaireError
from flows.questionnaire.schema import Questionnaire

app = typer.Typer(no_args_is_help=True, help="Questionnaires: check and publish YAML files and XLSForms.")
FileArg = Annotated[Path, typer.Argument(help="A questionnaire YAML file (or an XLSForm .xlsx).")]
app.command("import")(import_form)
app.command("export")(export_form)


def checked(file: Path) -> Questionnaire:
    """The file's questionnaire, or the problems printed and exit 1 (2 if it cannot be read)."""
    from bot.features.surveys import read_questionnaire
    from bot.xlsform.files import is_xlsform

    if is_xlsform(file):
        return checked_xlsform(file)

    try:
        return read_questionnaire(file)
    except OSError as exc:
        typer.echo(f"{file}: cannot read the file: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    except UnicodeDecodeError:
        typer.echo(f"{file}: the file is not UTF-8 text", err=True)
        raise typer.Exit(2) from None
    except QuestionnaireError as exc:
        for problem in exc.problems:
            typer.echo(str(problem))
        count = len(exc.problems)
        typer.echo(f"{file}: {count} problem{'s' if count != 1 else ''} found", err=True)
        raise typer.Exit(1) from None


@app.command()
def validate(
    file: FileArg,
    sms_budget: Annotated[int, typer.Option(
        min=1, help="SMS segments a question may cost (a question's own sms_budget: allows more).",
    )] = DEFAULT_BUDGET,
) -> None:
    """Check a questionnaire file; print every problem and exit non-zero if there is any.

    Also prints what each question costs over SMS in Kazakh and Russian (segments of 70
    Cyrillic characters, 67 each in a longer message) and fails a question over the budget.
    """
    form = checked(file)
    over = sms_report(form, sms_budget)
    if over:
        typer.echo(f"{file}: {over} question{'s' if over != 1 else ''} over the SMS budget; "
                   "give them shorter sms: texts", err=True)
        raise typer.Exit(1)
    answerable = sum(1 for question in form.questions if question.answerable)
    typer.echo(f"{file}: questionnaire {form.id!r} is valid ({answerable} questions)")


@app.command()
def load(
    file: FileArg,
    activate: Annotated[bool, typer.Option(help="Make it the survey the main menu starts.")] = False,
) -> None:
    """Publish a questionnaire file as a new version (answers keep pointing at their version)."""
    publish_checked(checked(file), source=file.name, activate=activate)
