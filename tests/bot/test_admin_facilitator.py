"""``clc-admin facilitator``: the role that opens /manage, given by phone or Telegram id."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from admin_cli import app
from storage.models import ChannelIdentity, FacilitatorRole
from tests.bot.test_admin_course import cli, rows  # noqa: F401  (the fixture)


def test_add_list_and_remove_a_facilitator(cli: CliRunner, sqlite_url: str) -> None:  # noqa: F811
    added = cli.invoke(app, ["facilitator", "add", "--phone", "8 701 123 45 67", "--name", "Айгүл"])
    assert added.exit_code == 0, added.output
    assert "tel:+77011234567 is now a facilitator at demo" in added.output
    again = cli.invoke(app, ["facilitator", "add", "--phone", "+77011234567"])
    assert "is already a facilitator" in again.output
    assert cli.invoke(app, ["facilitator", "add", "--telegram", "555"]).exit_code == 0
    listing = cli.invoke(app, ["facilitator", "list"]).output
    assert "Айгүл" in listing and "tel:+77011234567" in listing and "telegram:555" in listing
    assert len(rows(sqlite_url, select(FacilitatorRole))) == 2
    assert len(rows(sqlite_url, select(ChannelIdentity).where(ChannelIdentity.address == "telegram:555"))) == 1
    removed = cli.invoke(app, ["facilitator", "remove", "--telegram", "555"])
    assert removed.exit_code == 0 and "no longer a facilitator" in removed.output
    assert len(rows(sqlite_url, select(FacilitatorRole))) == 1


def test_bad_addresses_are_clear_errors(cli: CliRunner) -> None:  # noqa: F811
    both = cli.invoke(app, ["facilitator", "add", "--phone", "+77011234567", "--telegram", "5"])
    assert both.exit_code == 2 and "exactly one of --phone or --telegram" in both.output
    bad = cli.invoke(app, ["facilitator", "add", "--phone", "12345"])
    assert bad.exit_code == 2 and "is not a valid phone number" in bad.output
    nowhere = cli.invoke(app, ["facilitator", "add", "--phone", "+77011234567", "--centre", "mars"])
    assert nowhere.exit_code == 1 and "no centre 'mars'" in nowhere.output
