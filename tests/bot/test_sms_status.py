"""Delivery reports: signed, recorded on the SMS and its outbox row, never going backwards."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.i18n import Catalogs
from bot.outbox import enqueue
from flows.events import Localized, Reply
from storage.db import Database
from storage.models import ChannelIdentity, OutboxMessage
from storage.models.sms import SmsMessage
from tests.bot.sms_harness import sms_world
from tests.built import outbox_sender

PHONE = "+77011234567"


async def sms_row(database: Database, sid: str) -> SmsMessage:
    async with database.transaction() as session:
        row = await session.scalar(select(SmsMessage).where(SmsMessage.sid == sid))
        assert row is not None
        return row


async def test_sent_then_delivered_and_a_late_sent_does_not_undo_it(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        await world.say(PHONE, "hello")
        sid = world.fake.sent[0].sid
        assert (await sms_row(database, sid)).status == "queued"
        clock.advance(seconds=5)
        assert (await world.report(sid, "sent")).status_code == 204
        assert (await sms_row(database, sid)).status == "sent"
        clock.advance(seconds=5)
        await world.report(sid, "delivered")
        await world.report(sid, "sent")  # reports may arrive out of order
        row = await sms_row(database, sid)
        assert (row.status, row.error_code, row.updated_at) == ("delivered", None, clock())


async def test_undelivered_with_its_error_code_on_the_outbox_row(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        await world.say(PHONE, "hello")
        async with database.transaction() as session:
            identity = await session.scalar(select(ChannelIdentity))
            assert identity is not None
            reply = Reply(body=(Localized(kk="Сабақ сағат 10-да.", ru="Занятие в 10 часов."),))
            row_id = (await enqueue(session, contact_id=identity.contact_id, replies=[reply],
                                    kind="reminder", now=clock())).id
        await outbox_sender(database, catalogs, {"sms": world.sender}, clock=clock).send_due()
        sid = world.fake.sent[-1].sid
        await world.report(sid, "undelivered", error_code="30003", to=PHONE)
        async with database.transaction() as session:
            outbox = await session.get(OutboxMessage, row_id)
            assert outbox is not None
            assert (outbox.status, outbox.provider_id) == ("sent", sid)
            assert (outbox.delivery_status, outbox.error_code) == ("undelivered", "30003")
        sms = await sms_row(database, sid)
        assert (sms.status, sms.error_code, sms.outbox_id) == ("undelivered", "30003", row_id)
        async with database.transaction() as session:
            identity = await session.scalar(select(ChannelIdentity))
            assert identity is not None and identity.opted_out_at is None  # 30003 is not a STOP


@pytest.mark.parametrize("headers", [{}, {"X-Twilio-Signature": "d3Jvbmc="}])
async def test_an_unsigned_report_is_refused(
    database: Database, catalogs: Catalogs, clock: FakeClock, headers: dict[str, str]
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        await world.say(PHONE, "hello")
        sid = world.fake.sent[0].sid
        params = {"MessageSid": sid, "MessageStatus": "failed", "ErrorCode": "21610", "To": PHONE}
        assert (await world.post("/sms/twilio/status", params, headers=headers)).status_code == 403
        row = await sms_row(database, sid)
        assert (row.status, row.error_code) == ("queued", None)


async def test_a_report_for_an_unknown_sid_or_status_is_acknowledged(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        assert (await world.report("SM" + "f" * 32, "delivered")).status_code == 204
        assert (await world.report("SM" + "f" * 32, "teleported")).status_code == 204
