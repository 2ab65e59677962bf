"""A message is claimed in the inbound log exactly once, on every path of the person's read:
on SQLite by its own statement after the read, on PostgreSQL inside it; also when the address
belongs to a contact merged into another (the read follows the merge first)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.dispatcher import Dispatcher
from flows.events import Inbound
from storage.db import Database
from storage.models import ChannelIdentity, Contact, InboundMessage
from tests.built import FEATURES

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


async def test_a_message_to_a_merged_contact_is_claimed_once_and_its_repeat_is_a_duplicate(
    database: Database,
) -> None:
    async with database.transaction() as session:
        stays, merged = Contact(created_at=NOW, language="ru"), Contact(created_at=NOW, language="ru")
        session.add_all([stays, merged])
        await session.flush()
        merged.merged_into_id = stays.id  # the same person, found twice
        session.add(ChannelIdentity(contact_id=merged.id, channel="telegram", address="telegram:5",
                                    created_at=NOW))
        stays_id = stays.id
    bot = Dispatcher(database, FEATURES)
    event = Inbound("telegram", "telegram:5", text="меню")
    first = await bot.handle(event, provider_id="update-1")
    again = await bot.handle(event, provider_id="update-1")  # Telegram sent it again
    assert not first.duplicate and first.contact_id == stays_id and first.replies
    assert again.duplicate and not again.replies
    async with database.transaction() as session:
        rows = (await session.scalars(select(InboundMessage).where(InboundMessage.provider_id == "update-1"))).all()
    assert [(row.contact_id, row.handled_at is not None) for row in rows] == [(stays_id, True)]


async def test_a_first_message_from_someone_new_is_claimed_once(database: Database) -> None:
    bot = Dispatcher(database, FEATURES)
    event = Inbound("telegram", "telegram:6", text="/start")
    first = await bot.handle(event, provider_id="update-2")
    again = await bot.handle(event, provider_id="update-2")
    assert not first.duplicate and first.replies
    assert again.duplicate
    async with database.transaction() as session:
        rows = (await session.scalars(select(InboundMessage).where(InboundMessage.provider_id == "update-2"))).all()
    assert [row.contact_id for row in rows] == [first.contact_id]
