"""A queued message that goes out in several parts: a failure after the first parts resends
only the rest, so nobody receives the first parts twice.

Through the real senders: the Telegram sender against the fake Bot API, the Twilio sender
against the fake Twilio API, each failing the second part once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.channels.base import PartSent
from bot.channels.sms import TwilioConfig, TwilioSender
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_pacer import PacerLimits
from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.i18n import Catalogs, Translator
from bot.outbox import enqueue
from flows.errors import RetryLater
from flows.events import Localized, Reply
from storage.db import Database
from storage.models import ChannelIdentity
from tests.bot.fakes.server import serving
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.bot.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, PUBLIC_URL, FakeTwilio, _error
from tests.bot.test_outbox import contact_with, status_of
from tests.built import FEATURES, outbox_sender

PARAGRAPHS = [Localized(f"{n}-бөлім. " + "Ақпарат. " * 130, f"Часть {n}. " + "Сведения. " * 130)
              for n in (1, 2, 3)]
LONG = [Reply(body=(paragraph,)) for paragraph in PARAGRAPHS]  # three parts on either channel


async def queue_long(database: Database, clock: FakeClock, contact_id: int) -> int:

    async with database.transaction() as session:
        row = await enqueue(session, contact_id=contact_id, replies=LONG, kind="reminder", now=clock())
        return row.id


class FlakyTelegram(FakeTelegram):
    """The second sendMessage fails once with 429 (retry after 1 s)."""

    def __init__(self) -> None:
        super().__init__()
        self.send_calls = 0

    async def _m_sendMessage(self, params: dict[str, Any]) -> JSONResponse:
        self.send_calls += 1
        if self.send_calls == 2:
            return self._error(429, "Too Many Requests: retry after 1", retry_after=1)
        return await super()._m_sendMessage(params)


async def test_telegram_resends_only_the_parts_that_did_not_arrive(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    # The pacer would wait out the 429 and retry; with no retries the failure reaches the
    # outbox, which waits on the injected clock instead.
    fake = FlakyTelegram()
    contact_id = await contact_with(database, clock, ("telegram", "telegram:77"))
    row_id = await queue_long(database, clock, contact_id)
    async with serving(fake.app()) as api_url:
        channel = TelegramChannel(token=fake.token, dispatcher=Dispatcher(database, FEATURES, clock=clock),
                                  catalogs=catalogs, db=database, api_url=api_url, clock=clock,
                                  pacer_limits=PacerLimits(max_retries=0))
        await channel.app.initialize()
        try:
            outbox = outbox_sender(database, catalogs, {"telegram": channel.sender}, clock=clock)
            await outbox.send_due()
            assert [t.split(".")[0] for t in fake.texts(77)] == ["Часть 1"]
            row = await status_of(database, row_id)
            assert (row.status, row.payload["parts_sent"]) == ("pending", 1)
            clock.advance(seconds=1)
            await outbox.send_due()
        finally:
            await channel.app.shutdown()
    assert [t.split(".")[0] for t in fake.texts(77)] == ["Часть 1", "Часть 2", "Часть 3"]
    row = await status_of(database, row_id)
    assert row.status == "sent" and row.payload["parts_sent"] == 3
    assert row.provider_id == str(fake.chat(77)[0].message_id)


class FlakyTwilio(FakeTwilio):
    """The second message create fails once with a 503."""

    async def _create(self, request: Request) -> JSONResponse:
        if self.requests == 1 and not getattr(self, "failed", False):
            self.failed = True
            self.requests += 1
            return _error(503, 20500, "Service Unavailable")
        return await super()._create(request)


async def test_sms_resends_only_the_parts_that_did_not_arrive(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FlakyTwilio()
    contact_id = await contact_with(database, clock, ("sms", "tel:+77015550000"))
    row_id = await queue_long(database, clock, contact_id)
    async with serving(fake.app) as api_url:
        config = TwilioConfig(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, public_url=PUBLIC_URL,
                              sender=FROM_NUMBER, api_url=api_url)
        sender = TwilioSender(config, database, clock=clock)
        try:
            outbox = outbox_sender(database, catalogs, {"sms": sender}, clock=clock)
            await outbox.send_due()
            assert [body.split(".")[0] for body in fake.to("+77015550000")] == ["Часть 1"]
            row = await status_of(database, row_id)
            assert (row.status, row.payload["parts_sent"]) == ("pending", 1)
            clock.advance(minutes=1)
            await outbox.send_due()
        finally:
            await sender.close()
    assert [body.split(".")[0] for body in fake.to("+77015550000")] == ["Часть 1", "Часть 2", "Часть 3"]
    row = await status_of(database, row_id)
    assert row.status == "sent" and row.payload["parts_sent"] == 3
    assert row.provider_id == fake.sent[0].sid


class PartsSender:
    """One part per reply; at part ``fail_at`` (once) it is throttled, as Telegram's 429 is."""

    def __init__(self, channel: str, fail_at: int | None = None) -> None:
        self.channel, self.fail_at = channel, fail_at
        self.sent: list[str] = []

    async def send(self, address: str, replies: Sequence[Reply], tr: Translator, *, skip: int = 0,
                   on_part: PartSent | None = None) -> list[str]:
        ids: list[str] = []
        for number, reply in enumerate(replies[skip:], start=skip + 1):
            if number == self.fail_at:
                self.fail_at = None
                raise RetryLater("flood control", retry_after=1)
            self.sent.append(tr.text(reply.body[0])[:7])
            ids.append(f"{self.channel}-{len(self.sent)}")
            if on_part is not None:
                await on_part(number, len(replies), ids[-1])
        return ids


async def test_parts_that_arrived_on_one_channel_are_all_sent_on_another(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    """Telegram delivered part 1 and was throttled; before the retry the person blocked the
    bot (another message found out). SMS, where nothing of this message has arrived yet, gets
    every part, not the last two only."""
    contact_id = await contact_with(database, clock, ("telegram", "telegram:78"), ("sms", "tel:+77015550001"))
    row_id = await queue_long(database, clock, contact_id)
    on_telegram, on_sms = PartsSender("telegram", fail_at=2), PartsSender("sms")
    outbox = outbox_sender(database, catalogs, {"telegram": on_telegram, "sms": on_sms}, clock=clock)
    await outbox.send_due()
    assert on_telegram.sent == ["Часть 1"] and on_sms.sent == []
    async with database.transaction() as session:
        blocked = await session.scalar(select(ChannelIdentity).where(ChannelIdentity.channel == "telegram"))
        assert blocked is not None
        blocked.unreachable_at = clock()
    clock.advance(seconds=1)
    await outbox.send_due()
    assert on_sms.sent == ["Часть 1", "Часть 2", "Часть 3"]
    row = await status_of(database, row_id)
    assert row.status == "sent" and row.payload["parts_to"] == "tel:+77015550001"
