"""``clc-admin contact forget``: by id or phone, with a confirmation, a clear error when unknown."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from admin_cli import app
from storage.db import Database
from storage.models import ChannelIdentity, Contact
from tests.storage.courses_helpers import T0


def _seed(url: str) -> int:
    async def work() -> int:
        db = Database.from_url(url)
        try:
            async with db.transaction() as s:
                contact = Contact(created_at=T0, language="kk", name="Айгүл Серікова")
                s.add(contact)
                await s.flush()
                s.add(ChannelIdentity(contact_id=contact.id, channel="sms", address="tel:+77011234567",
                                      created_at=T0))
                return contact.id
        finally:
            await db.dispose()

    return asyncio.run(work())


def _state(url: str, contact_id: int) -> tuple[str | None, list[str]]:
    async def work() -> tuple[str | None, list[str]]:
        db = Database.from_url(url)
        try:
            async with db.transaction() as s:
                contact = await s.get_one(Contact, contact_id)
                addresses = (await s.scalars(select(ChannelIdentity.address))).all()
                return contact.name, list(addresses)
        finally:
            await db.dispose()

    return asyncio.run(work())


@pytest.fixture
def url(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CLC_DATABASE_URL", sqlite_url)
    return sqlite_url


def test_forget_by_a_local_phone_number_after_confirming(url: str) -> None:
    contact_id = _seed(url)
    runner = CliRunner()
    kept = runner.invoke(app, ["contact", "forget", "8 701 123 45 67", "--reason", "asked"], input="n\n")
    assert f"Forget contact {contact_id} (Айгүл Серікова)?" in kept.output
    assert kept.exit_code == 1
    assert _state(url, contact_id) == ("Айгүл Серікова", ["tel:+77011234567"])

    done = runner.invoke(app, ["contact", "forget", "8 701 123 45 67", "--reason", "asked"], input="y\n")
    assert done.exit_code == 0, done.output
    assert f"contact {contact_id} forgotten" in done.output
    assert _state(url, contact_id) == (None, [])


def test_forget_by_id_without_asking_and_an_unknown_one(url: str) -> None:
    contact_id = _seed(url)
    runner = CliRunner()
    done = runner.invoke(app, ["contact", "forget", str(contact_id), "--reason", "asked", "--yes"])
    assert done.exit_code == 0, done.output
    assert _state(url, contact_id) == (None, [])
    unknown = runner.invoke(app, ["contact", "forget", "+77019999999", "--reason", "x", "--yes"])
    assert unknown.exit_code == 1
    assert "no contact '+77019999999'" in unknown.output
