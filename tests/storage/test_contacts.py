"""Contacts, identities, state and the inbound log on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from storage import contacts, inbound
from storage.db import Database
from storage.inbound import Arrived
from storage.models import ChannelIdentity, Contact, Conversation, InboundMessage

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


async def test_first_contact_creates_a_contact_and_an_identity(database: Database) -> None:
    async with database.transaction() as session:
        identity, contact, is_new = await contacts.resolve_identity(session, "sms", "tel:+77011234567", NOW)
        assert is_new and identity.contact_id == contact.id
    async with database.transaction() as session:
        again, same, is_new = await contacts.resolve_identity(session, "sms", "tel:+77011234567", NOW)
        assert not is_new and same.id == contact.id and again.id == identity.id


async def test_an_address_is_unique_per_channel(database: Database) -> None:
    async with database.transaction() as session:
        _, contact, _ = await contacts.resolve_identity(session, "telegram", "telegram:42", NOW)
    with pytest.raises(IntegrityError):
        async with database.transaction() as session:
            session.add(ChannelIdentity(contact_id=contact.id, channel="telegram",
                                        address="telegram:42", created_at=NOW))


async def test_one_contact_may_have_a_telegram_id_and_a_phone(database: Database) -> None:
    async with database.transaction() as session:
        _, contact, _ = await contacts.resolve_identity(session, "telegram", "telegram:42", NOW)
        session.add(ChannelIdentity(contact_id=contact.id, channel="sms",
                                    address="tel:+77011234567", created_at=NOW))
    async with database.transaction() as session:
        _, found, _ = await contacts.resolve_identity(session, "sms", "tel:+77011234567", NOW)
        assert found.id == contact.id


async def test_a_merged_contact_resolves_to_the_one_it_was_merged_into(database: Database) -> None:
    async with database.transaction() as session:
        _, old, _ = await contacts.resolve_identity(session, "sms", "tel:+77011234567", NOW)
        _, new, _ = await contacts.resolve_identity(session, "telegram", "telegram:7", NOW)
        old.merged_into_id = new.id
    async with database.transaction() as session:
        _, found, _ = await contacts.resolve_identity(session, "sms", "tel:+77011234567", NOW)
        assert found.id == new.id


async def test_same_provider_id_is_handled_once(database: Database) -> None:
    def message(provider_id: str) -> Arrived:
        return Arrived("telegram", provider_id, "telegram:1", "hi", {})

    async with database.transaction() as session:
        first = await inbound.take(session, message("1001"), NOW)
        assert first is not None
        first.handled_at = NOW
    async with database.transaction() as session:
        assert await inbound.take(session, message("1001"), NOW) is None
        # the transaction is still usable after the duplicate
        assert await inbound.take(session, message("1002"), NOW) is not None
    async with database.transaction() as session:
        rows = (await session.scalars(select(InboundMessage.provider_id))).all()
    assert sorted(rows) == ["1001", "1002"]


async def test_a_recorded_message_not_yet_handled_is_taken_not_duplicated(database: Database) -> None:
    """A polled update recorded before its offset was confirmed, then handled: one row."""
    message = Arrived("telegram", "2001", "telegram:1", "1", {"language_hint": "ru"})
    async with database.transaction() as session:
        await inbound.record_unhandled(session, [message, message], NOW)
    async with database.transaction() as session:
        assert [row.text for row in await inbound.unhandled(session, "telegram")] == ["1"]
        taken = await inbound.take(session, message, NOW)
        assert taken is not None and taken.handled_at is None
        taken.handled_at = NOW
    async with database.transaction() as session:
        assert await inbound.unhandled(session, "telegram") == []
        assert await inbound.take(session, message, NOW) is None


async def test_very_long_texts_are_kept_truncated_not_rejected(database: Database) -> None:
    async with database.transaction() as session:
        row = await inbound.take(session, Arrived("sms", None, "tel:+7", "ә" * 50_000, {}), NOW)
        assert row is not None
    async with database.transaction() as session:
        stored = await session.scalar(select(InboundMessage.text))
    assert stored == "ә" * inbound.MAX_STORED_TEXT


async def test_state_round_trips_as_json_with_aware_utc_times(database: Database) -> None:
    local = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    async with database.transaction() as session:
        _, contact, _ = await contacts.resolve_identity(session, "sms", "tel:+77011234567", local)
        state = {"stage": "menu", "data": {"a": [1, "ә"]}}
        await contacts.save_state(session, contacts.StateSave(None, contact.id, state, local))
    async with database.transaction() as session:
        conversation = await contacts.load_state(session, contact.id, lock=not database.is_sqlite)
        assert conversation is not None
        assert conversation.state == {"stage": "menu", "data": {"a": [1, "ә"]}}
        assert conversation.updated_at == local and conversation.updated_at.tzinfo is not None
        stored = await session.get(Contact, contact.id)
        assert stored is not None and stored.created_at.utcoffset() == dt.timedelta(0)


async def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        async with database.transaction() as session:
            session.add(Contact(created_at=dt.datetime(2026, 1, 1)))
            await session.flush()


async def test_deleting_a_contact_cascades_to_its_conversation(database: Database) -> None:
    async with database.transaction() as session:
        _, contact, _ = await contacts.resolve_identity(session, "sms", "tel:+77011234567", NOW)
        await contacts.save_state(session, contacts.StateSave(None, contact.id, {"stage": "menu"}, NOW))
    async with database.transaction() as session:
        await session.delete(await session.get(Contact, contact.id))
    async with database.transaction() as session:
        assert await session.scalar(select(Conversation)) is None
        assert await session.scalar(select(ChannelIdentity)) is None


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(database: Database) -> None:
    if not database.is_sqlite:
        pytest.skip("SQLite pragmas")
    async with database.engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() > 0


async def test_a_transaction_inside_another_fails_at_once_on_sqlite(database: Database) -> None:
    if not database.is_sqlite:
        pytest.skip("PostgreSQL allows several connections of one task")
    from storage.db import NestedTransactionError

    async with database.transaction():
        with pytest.raises(NestedTransactionError):
            async with database.transaction():
                pass
    async with database.transaction() as session:  # the lock was released
        assert await session.scalar(select(Contact)) is None
