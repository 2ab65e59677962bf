"""The audit log records every erasure (who, when, whom, counts), never the erased data."""

from __future__ import annotations

import asyncio
import datetime as dt
import getpass

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import bot.admin.audit
from admin_cli import app
from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.features.privacy import forget_expired
from flows.events import Inbound
from storage.db import Database
from storage.models import ChannelIdentity, Contact, FacilitatorRole
from storage.models.audit import AuditEntry
from tests.built import FEATURES
from tests.storage.courses_helpers import T0, make_centre

NAME, PHONE = "Айгүл Серікова", "+77011234567"
STAFF = "+77019990001"


def _seed(url: str) -> tuple[int, int]:
    """A villager of centre aksu, and a facilitator of centre koktal."""
    async def work() -> tuple[int, int]:
        db = Database.from_url(url)
        try:
            async with db.transaction() as s:
                aksu, koktal = await make_centre(s, "aksu"), await make_centre(s, "koktal")
                villager = Contact(created_at=T0, language="kk", name=NAME, centre_id=aksu.id)
                staff = Contact(created_at=T0, language="ru", name="Бақыт", centre_id=koktal.id)
                s.add_all([villager, staff])
                await s.flush()
                s.add_all([
                    ChannelIdentity(contact_id=villager.id, channel="sms", address=f"tel:{PHONE}", created_at=T0),
                    ChannelIdentity(contact_id=staff.id, channel="sms", address=f"tel:{STAFF}", created_at=T0),
                    FacilitatorRole(contact_id=staff.id, centre_id=koktal.id, created_at=T0),
                ])
                return villager.id, aksu.id
        finally:
            await db.dispose()

    return asyncio.run(work())


@pytest.fixture
def url(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CLC_DATABASE_URL", sqlite_url)
    monkeypatch.setattr(bot.admin.audit.console, "width", 200)
    return sqlite_url


def test_a_cli_erasure_is_in_the_log_for_the_operator_not_for_another_centres_facilitator(url: str) -> None:
    villager, _ = _seed(url)
    cli = CliRunner()
    done = cli.invoke(app, ["contact", "forget", str(villager), "--reason", f"{NAME} asked", "--yes"])
    assert done.exit_code == 0, done.output
    shown = cli.invoke(app, ["audit"])
    assert shown.exit_code == 0, shown.output
    assert f"cli:{getpass.getuser()}" in shown.output and "contact.forgotten" in shown.output
    assert f"contact:{villager}" in shown.output and '"addresses": 1' in shown.output
    assert NAME not in shown.output and PHONE[1:] not in shown.output and "asked" not in shown.output
    theirs = cli.invoke(app, ["--as", STAFF, "audit"])
    assert theirs.exit_code == 0, theirs.output
    assert f"contact:{villager}" not in theirs.output and "contact.forgotten" not in theirs.output


async def test_the_person_themselves_and_the_retention_rule_are_named_as_actors(
    database: Database, clock: FakeClock
) -> None:
    dispatcher = Dispatcher(database, FEATURES, clock=clock)
    first = await dispatcher.handle(Inbound("simulator", "sim:5", text="/start"))
    await dispatcher.handle(Inbound("simulator", "sim:5", text="2"))
    await dispatcher.handle(Inbound("simulator", "sim:5", text="/forget"))
    await dispatcher.handle(Inbound("simulator", "sim:5", text="1"))
    async with database.transaction() as s:
        old = Contact(created_at=T0, language="kk", consent=True, consent_at=T0)
        s.add(old)
        await s.flush()
        old_id = old.id
    assert await forget_expired(database, clock() + dt.timedelta(days=800), 730) == [old_id]
    async with database.transaction() as s:
        rows = (await s.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.subject)
                                .order_by(AuditEntry.id))).all()
    assert [tuple(row) for row in rows] == [
        (f"contact:{first.contact_id}", "contact.forgotten", f"contact:{first.contact_id}"),
        ("system:retention", "contact.forgotten", f"contact:{old_id}"),
    ]
