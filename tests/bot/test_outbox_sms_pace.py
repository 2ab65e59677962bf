"""SMS leave at the sender's pace in segments (a 3-segment Cyrillic SMS costs three), replies
ahead of queued ones, and a 429 from Twilio silences SMS for the whole process until its end
(by the injected clock), after which every message goes out once."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.channels.sms import THROTTLED_SECONDS, TwilioConfig, TwilioSender
from bot.clock import FakeClock
from bot.i18n import Catalogs
from bot.outbox import enqueue
from flows.events import Localized, Reply
from storage.db import Database
from tests.bot.fakes.server import serving
from tests.bot.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, PUBLIC_URL, FakeTwilio, _error
from tests.bot.test_outbox import contact_with, status_of
from tests.built import outbox_sender

# About 150 Cyrillic characters: three segments of 67 (UCS-2, concatenated).
THREE_SEGMENTS = "Завтра в десять занятие по компьютерной грамотности в библиотеке. " * 2 + "Приходите!"
SHORT = "Занятие завтра."


def phone(n: int) -> str:
    return f"+7701555{n:04d}"


@asynccontextmanager
async def twilio_sender(fake: FakeTwilio, database: Database, clock: FakeClock,
                        segments_per_second: float | None) -> AsyncIterator[TwilioSender]:
    async with serving(fake.app) as api_url:
        config = TwilioConfig(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, public_url=PUBLIC_URL,
                              sender=FROM_NUMBER, api_url=api_url, segments_per_second=segments_per_second)
        sender = TwilioSender(config, database, clock=clock)
        try:
            yield sender
        finally:
            await sender.close()


async def queue_sms(database: Database, clock: FakeClock, count: int, text: str) -> list[int]:
    rows = []
    for n in range(count):
        contact_id = await contact_with(database, clock, ("sms", f"tel:{phone(n)}"))
        async with database.transaction() as session:
            row = await enqueue(session, contact_id=contact_id, replies=[Reply(body=(Localized(text, text),))],
                                kind="reminder", now=clock())
            rows.append(row.id)
    return rows


async def test_queued_sms_are_paced_by_segments(database: Database, catalogs: Catalogs, clock: FakeClock) -> None:
    fake = FakeTwilio()
    await queue_sms(database, clock, 3, THREE_SEGMENTS)
    async with twilio_sender(fake, database, clock, segments_per_second=20) as sender:
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await outbox_sender(database, catalogs, {"sms": sender}, clock=clock).send_due() == 3
        elapsed = loop.time() - started
    assert [message.num_segments for message in fake.sent] == [3, 3, 3]
    # Nine segments at 20 a second, no burst: the first at once, the ninth 8/20 s later.
    assert elapsed >= 8 / 20 * 0.95


async def test_a_reply_goes_ahead_of_the_queued_sms(database: Database, catalogs: Catalogs, clock: FakeClock) -> None:
    fake = FakeTwilio()
    await queue_sms(database, clock, 3, THREE_SEGMENTS)
    async with twilio_sender(fake, database, clock, segments_per_second=5) as sender:
        sending = asyncio.create_task(outbox_sender(database, catalogs, {"sms": sender}, clock=clock).send_due())

        async def first_gone() -> None:
            while not fake.sent:  # noqa: ASYNC110  (the fake Twilio has no event to wait on)
                await asyncio.sleep(0.01)

        await asyncio.wait_for(first_gone(), 10)
        queued_before = len(fake.sent)
        await asyncio.wait_for(sender.send("tel:+77017770000", [Reply(body=(Localized(SHORT, SHORT),))],
                                           catalogs.translator("ru")), 5)
        await asyncio.wait_for(sending, 10)
    order = [message.to for message in fake.sent]
    # Behind at most the queued SMS whose segments were already being taken.
    assert order.index("+77017770000") <= queued_before + 1 < len(order)


class Throttling(FakeTwilio):
    """Answers 429 to every message while ``throttled``."""

    throttled = True
    refused = 0

    async def _create(self, request: Request) -> JSONResponse:
        if self.throttled:
            self.refused += 1
            return _error(429, 20429, "Too Many Requests")
        return await super()._create(request)


async def test_a_twilio_429_pauses_sms_for_the_process_and_each_message_goes_once_after(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = Throttling()
    rows = await queue_sms(database, clock, 3, SHORT)
    async with twilio_sender(fake, database, clock, segments_per_second=5) as sender:
        outbox = outbox_sender(database, catalogs, {"sms": sender}, clock=clock)
        assert await outbox.send_due() == 3
        resume = clock() + dt.timedelta(seconds=THROTTLED_SECONDS)
        states = [await status_of(database, row) for row in rows]
        assert [(s.status, s.due_at) for s in states] == [("pending", resume)] * 3
        # Refused by Twilio counts as a try; handed back unsent (the channel paused) does not.
        assert sum(s.attempts for s in states) == fake.refused >= 1
        later = await queue_sms(database, clock, 1, SHORT)  # due now, but SMS is silent
        refused = fake.refused
        clock.advance(seconds=THROTTLED_SECONDS - 1)
        assert await outbox.send_due() == 0 and fake.refused == refused  # nothing even claimed
        clock.advance(seconds=1)
        fake.throttled = False
        assert await outbox.send_due() == 4  # the three and the later one (to phone(0) again)
        assert await outbox.send_due() == 0
    assert sorted(message.to for message in fake.sent) == sorted([phone(0), phone(0), phone(1), phone(2)])
    assert all([(await status_of(database, row)).status == "sent" for row in [*rows, *later]])
