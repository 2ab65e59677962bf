"""``clc-admin centre edit --quiet-hours``: set, switch off, refuse a wrong value; shown in the list."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from admin_cli import app
from tests.bot.test_admin_centre import add


@pytest.fixture
def cli(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    from bot.admin import centre, runner

    monkeypatch.setenv("CLC_DATABASE_URL", sqlite_url)
    for module in (centre, runner):
        monkeypatch.setattr(module.console, "width", 200)
    return CliRunner()


def row_of(cli: CliRunner, slug: str) -> str:
    listing = cli.invoke(app, ["centre", "list"])
    assert listing.exit_code == 0, listing.output
    return next(line for line in listing.output.splitlines() if line.startswith(f"│ {slug}"))


def test_quiet_hours_default_set_and_none(cli: CliRunner) -> None:
    add(cli, "aul-1")
    assert "21:00-09:00" in row_of(cli, "aul-1")
    edited = cli.invoke(app, ["centre", "edit", "aul-1", "--quiet-hours", "22:30-7:00"])
    assert edited.exit_code == 0 and "changed quiet_hours" in edited.output, edited.output
    assert "22:30-07:00" in row_of(cli, "aul-1")
    assert cli.invoke(app, ["centre", "edit", "aul-1", "--quiet-hours", "none"]).exit_code == 0
    assert "│ none" in row_of(cli, "aul-1")


@pytest.mark.parametrize("wrong", ["21-9", "25:00-09:00", "09:00-09:00", "tonight"])
def test_a_wrong_value_is_one_line_error(cli: CliRunner, wrong: str) -> None:
    add(cli, "aul-1")
    result = cli.invoke(app, ["centre", "edit", "aul-1", "--quiet-hours", wrong])
    assert result.exit_code == 2 and "bad quiet hours" in result.output, result.output
    assert "Traceback" not in result.output
    assert "21:00-09:00" in row_of(cli, "aul-1")
