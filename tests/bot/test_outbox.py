"""Queued messages: sent when due, re-checked before sending, retried as the channel asks."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select

from bot.channels.base import PartSent
from bot.clock import FakeClock
from bot.i18n import Catalogs, Translator
from bot.outbox import Awaits, OutboxKind, OutboxSender, enqueue
from bot.render import render_numbered
from flows.errors import PermanentFailure, RetryLater, Unreachable
from flows.events import Choice, Localized, Msg, Reply
from storage import contacts
from storage.db import Database
from storage.models import ChannelIdentity, Contact, Conversation, OutboxMessage
from tests.built import FEATURES, outbox_sender


class RecordingSender:
    """A channel of our own contract that records what it would deliver."""

    def __init__(self, channel: str, fail_with: Exception | None = None) -> None:
        self.channel = channel
        self.fail_with = fail_with
        self.sent: list[tuple[str, str]] = []

    async def send(self, address: str, replies: Sequence[Reply], tr: Translator, *, skip: int = 0,
                   on_part: PartSent | None = None) -> list[str]:
        """All replies as one part."""
        if self.fail_with is not None:
            error, self.fail_with = self.fail_with, None
            raise error
        if skip >= 1:
            return []
        self.sent.extend((address, render_numbered(reply, tr)) for reply in replies)
        return [f"{self.channel}-{len(self.sent)}"]


REMINDER = Reply(
    body=(Msg("Help"), Localized("Ертең сабақ бар", "Завтра занятие")),
    choices=(Choice("ok", Localized("Жарайды", "Хорошо")),),
)


async def contact_with(database: Database, clock: FakeClock, *addresses: tuple[str, str],
                       language: str = "ru") -> int:
    async with database.transaction() as session:
        channel, address = addresses[0]
        _, contact, _ = await contacts.resolve_identity(session, channel, address, clock())
        contact.language = language
        for channel, address in addresses[1:]:
            session.add(ChannelIdentity(contact_id=contact.id, channel=channel, address=address,
                                        created_at=clock()))
        return contact.id


async def queue(database: Database, clock: FakeClock, contact_id: int, kind: str = "reminder",
                **kwargs: object) -> int:
    async with database.transaction() as session:
        row = await enqueue(session, contact_id=contact_id, replies=[REMINDER], kind=kind,
                            now=clock(), **kwargs)  # type: ignore[arg-type]
        return row.id


async def status_of(database: Database, row_id: int) -> OutboxMessage:
    async with database.transaction() as session:
        row = await session.get(OutboxMessage, row_id)
        assert row is not None
        return row


@pytest.fixture
def telegram() -> RecordingSender:
    return RecordingSender("telegram")


@pytest.fixture
def sms() -> RecordingSender:
    return RecordingSender("sms")


@pytest.fixture
def outbox(database: Database, catalogs: Catalogs, clock: FakeClock, telegram: RecordingSender,
           sms: RecordingSender) -> OutboxSender:
    return outbox_sender(database, catalogs, {"telegram": telegram, "sms": sms}, clock=clock)


async def test_due_message_is_rendered_in_the_contacts_language_and_sent_once(
    database: Database, clock: FakeClock, outbox: OutboxSender, telegram: RecordingSender
) -> None:
    contact_id = await contact_with(database, clock, ("telegram", "telegram:5"))
    row_id = await queue(database, clock, contact_id, due_at=clock.advance(hours=1))
    clock.advance(minutes=-30)
    assert await outbox.send_due() == 0 and telegram.sent == []
    clock.advance(minutes=31)
    assert await outbox.send_due() == 1
    assert telegram.sent == [("telegram:5", "Помощь\n\nЗавтра занятие\n\n1. Хорошо\n\nОтветьте номером.")]
    assert await outbox.send_due() == 0
    row = await status_of(database, row_id)
    assert (row.status, row.provider_id, row.sent_at) == ("sent", "telegram-1", clock())


async def test_telegram_is_preferred_and_sms_used_when_telegram_is_unreachable(
    database: Database, clock: FakeClock, outbox: OutboxSender, telegram: RecordingSender,
    sms: RecordingSender
) -> None:
    contact_id = await contact_with(database, clock, ("sms", "tel:+77011234567"), ("telegram", "telegram:9"))
    await queue(database, clock, contact_id)
    await outbox.send_due()
    assert [a for a, _ in telegram.sent] == ["telegram:9"] and sms.sent == []
    telegram.fail_with = Unreachable("Forbidden: bot was blocked by the user")
    second = await queue(database, clock, contact_id)
    await outbox.send_due()
    assert (await status_of(database, second)).status == "failed"
    async with database.transaction() as session:
        identity = await session.scalar(select(ChannelIdentity).where(ChannelIdentity.channel == "telegram"))
        assert identity is not None and identity.unreachable_at == clock()
    await queue(database, clock, contact_id)
    await outbox.send_due()
    assert [a for a, _ in sms.sent] == ["tel:+77011234567"]


async def test_opted_out_and_deleted_contacts_get_nothing(
    database: Database, clock: FakeClock, outbox: OutboxSender, sms: RecordingSender
) -> None:
    stopped = await contact_with(database, clock, ("sms", "tel:+77011234567"))
    deleted = await contact_with(database, clock, ("sms", "tel:+77021234567"))
    first = await queue(database, clock, stopped)
    second = await queue(database, clock, deleted)
    async with database.transaction() as session:
        identity = await session.scalar(select(ChannelIdentity).where(ChannelIdentity.contact_id == stopped))
        assert identity is not None
        identity.opted_out_at = clock()
        contact = await session.get(Contact, deleted)
        assert contact is not None
        contact.deleted_at = clock()
    assert await outbox.send_due() == 2
    assert sms.sent == []
    assert (await status_of(database, first)).last_error == "opted out"
    assert (await status_of(database, second)).last_error == "contact deleted"


async def test_retry_after_is_honoured_and_permanent_failures_stop(
    database: Database, clock: FakeClock, outbox: OutboxSender, telegram: RecordingSender
) -> None:
    contact_id = await contact_with(database, clock, ("telegram", "telegram:5"))
    row_id = await queue(database, clock, contact_id)
    telegram.fail_with = RetryLater("Too Many Requests", retry_after=30)
    await outbox.send_due()
    row = await status_of(database, row_id)
    assert row.status == "pending" and row.due_at == clock() + dt.timedelta(seconds=30)
    clock.advance(seconds=29)
    await outbox.send_due()
    assert telegram.sent == []
    clock.advance(seconds=1)
    await outbox.send_due()
    assert len(telegram.sent) == 1  # exactly one delivery, no duplicate
    other = await queue(database, clock, contact_id)
    telegram.fail_with = PermanentFailure("message is too long")
    await outbox.send_due()
    assert (await status_of(database, other)).status == "failed"


async def test_a_claim_left_by_a_dead_process_is_taken_again_after_the_lease(
    database: Database, clock: FakeClock, outbox: OutboxSender, telegram: RecordingSender
) -> None:
    contact_id = await contact_with(database, clock, ("telegram", "telegram:5"))
    row_id = await queue(database, clock, contact_id)
    claimed = await outbox._claim(50)  # a process claims the row, then dies before sending
    assert [c.id for c in claimed] == [row_id]
    assert await outbox.send_due() == 0
    clock.advance(minutes=6)
    assert await outbox.send_due() == 1 and len(telegram.sent) == 1


async def test_a_delivered_question_puts_only_an_idle_conversation_into_its_view(
    database: Database, clock: FakeClock, outbox: OutboxSender, telegram: RecordingSender
) -> None:
    idle = await contact_with(database, clock, ("telegram", "telegram:7"))
    busy = await contact_with(database, clock, ("telegram", "telegram:8"))
    async with database.transaction() as session:
        session.add(Conversation(contact_id=idle, updated_at=clock(),
                                 state={"seq": 3, "ctx": "menu", "stage": "menu", "flow": None, "data": None}))
        session.add(Conversation(contact_id=busy, updated_at=clock(),
                                 state={"seq": 9, "ctx": "c", "stage": "flow", "flow": "survey", "data": {"at": "q"}}))
    later = clock() + dt.timedelta(hours=1)
    for contact_id in (idle, busy):
        await queue(database, clock, contact_id, due_at=later, awaits=Awaits("my", {"view": "offer"}, "offer5"))
    await outbox.send_due()
    async with database.transaction() as session:
        assert (await session.get(Conversation, idle)).state["stage"] == "menu"  # type: ignore[union-attr]
    clock.advance(hours=1)
    assert await outbox.send_due() == 2 and len(telegram.sent) == 2
    async with database.transaction() as session:
        waiting = (await session.get(Conversation, idle)).state  # type: ignore[union-attr]
        untouched = (await session.get(Conversation, busy)).state  # type: ignore[union-attr]
    assert (waiting["stage"], waiting["flow"], waiting["data"], waiting["ctx"]) == ("flow", "my", {"view": "offer"}, "offer5")
    assert untouched == {"seq": 9, "ctx": "c", "stage": "flow", "flow": "survey", "data": {"at": "q"}}


async def test_a_terminal_delivers_only_its_own_persons_messages_and_leaves_the_rest_pending(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    at_the_terminal = await contact_with(database, clock, ("simulator", "sim:local"))
    elsewhere = await contact_with(database, clock, ("sms", "tel:+77011234567"))
    mine, theirs = await queue(database, clock, at_the_terminal), await queue(database, clock, elsewhere)
    terminal = RecordingSender("simulator")
    sent = await outbox_sender(database, catalogs, {"simulator": terminal}, clock=clock,
                              only_contact=at_the_terminal).send_due()
    assert sent == 1 and [address for address, _ in terminal.sent] == ["sim:local"]
    assert (await status_of(database, mine)).status == "sent"
    assert (await status_of(database, theirs)).status == "pending"  # for the service to deliver


async def test_a_process_leaves_messages_for_channels_it_does_not_serve_to_one_that_does(
    database: Database, clock: FakeClock, catalogs: Catalogs, telegram: RecordingSender, sms: RecordingSender
) -> None:
    by_sms = await contact_with(database, clock, ("sms", "tel:+77011234567"))
    row_id = await queue(database, clock, by_sms)
    assert await outbox_sender(database, catalogs, {"telegram": telegram}, clock=clock).send_due() == 0
    assert (await status_of(database, row_id)).status == "pending" and telegram.sent == []
    assert await outbox_sender(database, catalogs, {"sms": sms}, clock=clock).send_due() == 1
    assert [address for address, _ in sms.sent] == ["tel:+77011234567"]


async def test_reachability_decides_which_process_claims(
    database: Database, clock: FakeClock, catalogs: Catalogs, telegram: RecordingSender, sms: RecordingSender
) -> None:
    blocked_on_telegram = await contact_with(database, clock, ("telegram", "telegram:7"), ("sms", "tel:+77017654321"))
    nowhere = await contact_with(database, clock, ("telegram", "telegram:8"))
    async with database.transaction() as session:
        for identity in (await session.scalars(select(ChannelIdentity).where(ChannelIdentity.channel == "telegram"))):
            identity.unreachable_at = clock()
    by_sms, lost = await queue(database, clock, blocked_on_telegram), await queue(database, clock, nowhere)
    telegram_only = outbox_sender(database, catalogs, {"telegram": telegram}, clock=clock)
    assert await telegram_only.send_due() == 1  # only the one nobody can reach, skipped
    assert (await status_of(database, lost)).last_error == "blocked or unreachable"
    assert (await status_of(database, by_sms)).status == "pending"
    assert await outbox_sender(database, catalogs, {"sms": sms}, clock=clock).send_due() == 1
    assert [address for address, _ in sms.sent] == ["tel:+77017654321"] and telegram.sent == []


async def test_a_message_pinned_to_a_channel_waits_for_a_process_serving_it(
    database: Database, clock: FakeClock, catalogs: Catalogs, telegram: RecordingSender, sms: RecordingSender
) -> None:
    both = await contact_with(database, clock, ("telegram", "telegram:9"), ("sms", "tel:+77011234567"))
    pinned = await queue(database, clock, both, channel="sms")
    assert await outbox_sender(database, catalogs, {"telegram": telegram}, clock=clock).send_due() == 0
    assert (await status_of(database, pinned)).status == "pending"
    assert await outbox_sender(database, catalogs, {"sms": sms}, clock=clock).send_due() == 1
    assert [address for address, _ in sms.sent] == ["tel:+77011234567"]


async def test_one_row_failing_before_sending_does_not_hold_up_the_batch(
    database: Database, clock: FakeClock, catalogs: Catalogs, telegram: RecordingSender,
) -> None:
    async def broken_check(*_args: object) -> bool:
        raise RuntimeError("the check itself failed")

    kinds = [*FEATURES.outbox_kinds, OutboxKind("fragile", broken_check)]
    outbox = OutboxSender(database, catalogs, {"telegram": telegram}, kinds=kinds, flows=FEATURES.flows, clock=clock)
    contact_id = await contact_with(database, clock, ("telegram", "telegram:5"))
    fragile = await queue(database, clock, contact_id, kind="fragile")
    await queue(database, clock, contact_id)
    assert await outbox.send_due() == 2
    assert len(telegram.sent) == 1  # the other message went out
    row = await status_of(database, fragile)
    assert row.status == "pending" and row.due_at > clock() and "the check itself failed" in (row.last_error or "")


async def test_stopping_mid_batch_puts_the_untried_messages_back(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    class Slow(RecordingSender):
        def __init__(self) -> None:
            super().__init__("telegram")
            self.in_flight, self.never = asyncio.Event(), asyncio.Event()

        async def send(self, address: str, replies: Sequence[Reply], tr: Translator, **options: Any) -> list[str]:
            if self.sent:
                self.in_flight.set()
                await self.never.wait()
            return await super().send(address, replies, tr, **options)

    contact_id = await contact_with(database, clock, ("telegram", "telegram:5"))
    rows = [await queue(database, clock, contact_id) for _ in range(4)]
    slow = Slow()
    sending = asyncio.create_task(outbox_sender(database, catalogs, {"telegram": slow}, clock=clock).send_due())
    await asyncio.wait_for(slow.in_flight.wait(), 10)
    sending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sending
    states = [(r.status, r.attempts) for r in [await status_of(database, row) for row in rows]]
    assert states[0] == ("sent", 1)
    assert states[1] == ("sending", 1)  # interrupted mid-send: its lease decides
    assert states[2:] == [("pending", 0), ("pending", 0)]  # untried: due again at once
