"""``clc-admin db upgrade`` says what it applied: a new database is not "up to date" before it exists."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from admin_cli import app


def test_upgrade_names_the_migrations_it_applied_then_says_up_to_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLC_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    runner = CliRunner()
    first = runner.invoke(app, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert "migration(s)" in first.output and "0001 foundation" in first.output
    assert "0005 courses" in first.output and "up to date" not in first.output
    again = runner.invoke(app, ["db", "upgrade"])
    assert again.exit_code == 0 and "database is up to date (nothing to apply)" in again.output
