"""Outbox throughput: how fast one process claims and sends queued messages.

Bounded: ``CLC_BENCH_OUTBOX`` people (half reachable by Telegram, half only by SMS) each have
one due message; a Telegram-only process sends until nothing it can reach is left. The claim
checks, per row, that the person is reachable on the process's channels (two EXISTS on the
indexed ``channel_identities.contact_id``), so this shows what that costs.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Sequence

from bot.i18n import Catalogs, Translator
from bot.outbox import enqueue
from flows.events import Msg, Reply
from storage.db import Database
from storage.models import ChannelIdentity, Contact
from tests.built import outbox_sender

PEOPLE = int(os.environ.get("CLC_BENCH_OUTBOX", "2000"))
NOTICE = Reply(body=(Msg("This part is coming soon."),))


class Discard:
    channel = "telegram"

    async def send(self, address: str, replies: Sequence[Reply], tr: Translator, **_: object) -> list[str]:
        return [address]


async def measure_outbox(name: str, db: Database) -> None:
    now = dt.datetime.now(dt.UTC)
    async with db.transaction() as session:
        for n in range(PEOPLE):
            contact = Contact(created_at=now, language="kk")
            session.add(contact)
            await session.flush()
            channel = "telegram" if n % 2 == 0 else "sms"
            session.add(ChannelIdentity(contact_id=contact.id, channel=channel, address=f"{channel}:{n}",
                                        created_at=now))
            await enqueue(session, contact_id=contact.id, replies=[NOTICE], kind="notice", now=now)
    outbox = outbox_sender(db, Catalogs.load(), {"telegram": Discard()})
    started, sent = time.perf_counter(), 0
    while handled := await outbox.send_due():
        sent += handled
    elapsed = time.perf_counter() - started
    print(f"{name:10} outbox: {sent} of {PEOPLE} queued sent by a Telegram-only process, "
          f"{sent / elapsed:8.1f} messages/s")
