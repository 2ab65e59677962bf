"""A step and an erasure of the same person at the same moment (PostgreSQL, several processes).

Both take the contact's row lock first. A message that arrives while its sender is being erased
waits, then meets an erased contact and starts afresh as a stranger's, leaving nothing on the
erased record; retention that waits behind a step in progress sees the new activity and keeps
the person.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select, text

from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.features.privacy import forget_and_tell, forget_expired
from flows.events import Inbound, Msg
from storage import contacts
from storage.db import Database
from storage.models import Contact, Conversation, InboundMessage
from tests.built import FEATURES
from tests.storage.courses_helpers import T0


async def _someone_waits_on_a_lock(database: Database) -> None:
    """Until another connection is blocked on a row lock (bounded: a few seconds at most)."""
    for _ in range(300):
        async with database.transaction() as s:
            waiting = await s.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted"))
        if waiting:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("nobody ever waited for the contact's lock")


def _skip_on_sqlite(database: Database) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite has one writer: a step and an erasure never overlap")


async def test_a_message_arriving_while_its_sender_is_erased_starts_afresh(
    database: Database, clock: FakeClock
) -> None:
    _skip_on_sqlite(database)
    dispatcher = Dispatcher(database, FEATURES, clock=clock)
    first = await dispatcher.handle(Inbound("simulator", "sim:9", text="/start"))
    await dispatcher.handle(Inbound("simulator", "sim:9", text="2"))  # Русский
    erased = first.contact_id
    assert erased is not None

    async with database.transaction() as eraser:
        await forget_and_tell(eraser, erased, clock(), tell=False)
        step = asyncio.create_task(dispatcher.handle(Inbound("simulator", "sim:9", text="Марат Ахметов")))
        await _someone_waits_on_a_lock(database)
    handled = await step

    assert handled.contact_id not in (None, erased)
    greeting = handled.replies[0].body[0]
    assert isinstance(greeting, Msg) and greeting.key == "Hello! Please choose your language."
    async with database.transaction() as s:
        old = await s.get_one(Contact, erased)
        assert old.deleted_at is not None and old.name is None and old.language is not None
        assert await s.get(Conversation, erased) is None
        assert await s.scalar(select(func.count()).select_from(InboundMessage)
                              .where(InboundMessage.contact_id == erased)) == 0


async def test_retention_waiting_behind_a_step_in_progress_keeps_the_person(
    database: Database, clock: FakeClock
) -> None:
    _skip_on_sqlite(database)
    async with database.transaction() as s:
        person = Contact(created_at=T0, language="kk", consent=True, consent_at=T0)
        s.add(person)
        await s.flush()
        person_id = person.id
    now = T0 + dt.timedelta(days=800)

    async with database.transaction() as step:  # as the dispatcher holds it during a step
        await contacts.lock_contact(step, person_id)
        retention = asyncio.create_task(forget_expired(database, now, 730))
        await _someone_waits_on_a_lock(database)
        step.add(InboundMessage(channel="sms", provider_id="SMrace", address="-", contact_id=person_id,
                                text=None, received_at=now, handled_at=now))
    assert await retention == []
    async with database.transaction() as s:
        assert (await s.get_one(Contact, person_id)).deleted_at is None
