"""An SMS step committed, the process killed before its reply left: the reply still goes out
(issue 13 §2). The kill is played as in ``test_durable_replies``: delivery raises a
``BaseException`` after the commit, which nothing in the bot catches."""

from __future__ import annotations

from sqlalchemy import select

from bot.channels.addresses import SMS_CAPABILITIES
from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.i18n import Catalogs
from flows.events import Inbound
from storage.db import Database
from storage.models import OutboxMessage
from tests.bot.kills import ProcessKilled, dies
from tests.bot.sms_harness import sms_world
from tests.built import FEATURES, outbox_sender

PHONE = "+77011234567"
LANGUAGE_QUESTION = "Тілді таңдаңыз"



async def killed_after_commit(database: Database, clock: FakeClock) -> None:
    event = Inbound("sms", f"tel:{PHONE}", text="Сәлем", capabilities=SMS_CAPABILITIES)
    try:
        await Dispatcher(database, FEATURES, clock=clock).handle(event, provider_id="SMkilled", deliver=dies)
    except ProcessKilled:
        return
    raise AssertionError("delivery was not reached")


async def test_on_restart_of_the_one_process_the_reply_goes_out_with_the_outbox(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    await killed_after_commit(database, clock)
    async with sms_world(database, catalogs, clock) as world:
        restarted = Dispatcher(database, FEATURES, clock=clock)
        assert await restarted.release_replies(None) == 1  # what the service does at start on SQLite
        assert await outbox_sender(database, catalogs, {"sms": world.sender}, clock=clock).send_due() == 1
        received = world.new_for(PHONE)
    assert len(received) == 1 and LANGUAGE_QUESTION in received[0]
    async with database.transaction() as session:
        assert (await session.scalars(select(OutboxMessage.status))).all() == ["sent"]


async def test_with_several_processes_the_reply_goes_out_once_its_claim_has_lapsed(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    await killed_after_commit(database, clock)
    async with sms_world(database, catalogs, clock) as world:
        outbox = outbox_sender(database, catalogs, {"sms": world.sender}, clock=clock)
        assert await outbox.send_due() == 0  # the process that wrote it may still be sending it
        clock.advance(seconds=61)
        assert await outbox.send_due() == 1
        received = world.new_for(PHONE)
    assert len(received) == 1 and LANGUAGE_QUESTION in received[0]


async def test_the_next_sms_gets_the_owed_reply_first_and_is_not_applied(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    await killed_after_commit(database, clock)
    async with sms_world(database, catalogs, clock) as world:
        await Dispatcher(database, FEATURES, clock=clock).release_replies(None)
        received = await world.say(PHONE, "2")  # «Русский», to a question they never received
        assert "Соңғы хабарламам сізге жетпеген сияқты." in received[0]
        assert LANGUAGE_QUESTION in received[-1]
        assert "Хорошо" not in "".join(received), "the «2» chose nothing"
        answered = await world.say(PHONE, "2")
    assert "по-русски" in answered[0]
