"""``clc-admin audit``: who erased whose data and when (``storage.models.audit``).

The log names contacts by id and staff by their actor label, never the erased data. With
``clc-admin --as`` a facilitator sees the entries of their centres only.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.admin import scope
from bot.admin.runner import run_with_db
from storage import audit
from storage.db import Database
from storage.models.audit import AuditEntry

console = Console()


def audit_command(
    last: Annotated[int, typer.Option(min=1, max=10000, help="How many entries, newest first.")] = 50,
) -> None:
    """The audit log, newest first: when (UTC), who, what, about whom, counts."""

    async def work(db: Database) -> list[AuditEntry]:
        async with db.transaction() as session:
            return await audit.entries(session, scope.limited_centres(), last)

    table = Table("when (UTC)", "who", "what", "about", "detail")
    for entry in run_with_db(work):
        detail = json.dumps(entry.detail, ensure_ascii=False, sort_keys=True) if entry.detail else ""
        table.add_row(entry.at.strftime("%Y-%m-%d %H:%M"), entry.actor, entry.action, entry.subject, detail)
    console.print(table)
