"""Running ``clc-admin export`` in-process for the export tests: a seeded SQLite database, the
CLI through Typer's ``CliRunner``, files read back."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from admin_cli import app
from bot.clock import FakeClock
from storage.db import Database
from tests.bot.results.export_seed import T0, Seeded, seed

NOW = T0 + dt.timedelta(days=30)


def seeded_database(url: str, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    from bot.admin import export_common, runner, scope

    monkeypatch.setenv("CLC_DATABASE_URL", url)
    monkeypatch.delenv("CLC_ADMIN_AS", raising=False)
    for module in (export_common, runner, scope):
        monkeypatch.setattr(module.console, "width", 200)
    monkeypatch.setattr(export_common, "clock", FakeClock(NOW))

    async def run() -> Seeded:
        db = Database.from_url(url)
        try:
            return await seed(db)
        finally:
            await db.dispose()

    return asyncio.run(run())


def run(*args: str, code: int | None = 0) -> str:
    """The command's output; ``code`` None: any failure (exit status not 0)."""
    result = CliRunner().invoke(app, list(args))
    if code is None:
        assert result.exit_code != 0 and isinstance(result.exception, SystemExit), (args, result.output)
    else:
        assert result.exit_code == code, (args, result.output, result.exception)
    assert "Traceback" not in result.output
    return result.output


def sheet_rows(path: Path) -> list[tuple[Any, ...]]:
    book = load_workbook(path)
    try:
        return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def csv_rows(path: Path) -> list[list[str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf"), "no BOM: Excel would misread Cyrillic"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def as_csv(value: object) -> str:
    """A cell as the csv file writes it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != dt.time() else value.date().isoformat()
    return str(value)
