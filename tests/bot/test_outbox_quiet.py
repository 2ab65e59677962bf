"""Quiet hours at send time: a message that can wait, due while the person's centre is in its
quiet hours, waits for their end; an urgent one, a step's reply and a centre without quiet
hours do not wait."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from bot.clock import FakeClock
from bot.i18n import Catalogs
from bot.outbox import OutboxSender
from bot.outbox.prepare import QUIET_HOURS
from bot.replies import REPLY
from storage.db import Database
from storage.models import Centre, Contact
from tests.bot.outbox_crowd import BULK, KINDS, URGENT, people_on_telegram, queue_each
from tests.bot.test_outbox import RecordingSender, status_of
from tests.built import FLOWS

# 22:00 in Almaty (UTC+5): inside the default 21:00-09:00.
NIGHT = dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)
MORNING = dt.datetime(2026, 3, 3, 4, 0, tzinfo=dt.UTC)  # 09:00 there


async def centre(database: Database, clock: FakeClock, slug: str, quiet: tuple[str, str]) -> int:
    async with database.transaction() as session:
        row = Centre(slug=slug, name_kk=slug, name_ru=slug, oblast="o", district="d", settlement="s",
                     timezone="Asia/Almaty", quiet_from=quiet[0], quiet_until=quiet[1], created_at=clock())
        session.add(row)
        await session.flush()
        return row.id


async def test_what_can_wait_waits_for_the_morning_and_the_urgent_goes_at_night(
    database: Database, catalogs: Catalogs
) -> None:
    clock = FakeClock(NIGHT)
    village = await centre(database, clock, "aul-night", ("21:00", "09:00"))
    sleepless = await centre(database, clock, "aul-none", ("00:00", "00:00"))
    quiet_person, other = await people_on_telegram(database, clock, 2)
    async with database.transaction() as session:
        await session.execute(update(Contact).where(Contact.id == quiet_person).values(centre_id=village))
        await session.execute(update(Contact).where(Contact.id == other).values(centre_id=sleepless))
    (broadcast,) = await queue_each(database, clock, [quiet_person], BULK, "Ярмарка")
    (offer,) = await queue_each(database, clock, [quiet_person], URGENT, "Место на курсе")
    (reply,) = await queue_each(database, clock, [quiet_person], REPLY, "Ответ")
    (elsewhere,) = await queue_each(database, clock, [other], BULK, "Ярмарка")
    telegram = RecordingSender("telegram")
    outbox = OutboxSender(database, catalogs, {"telegram": telegram}, kinds=KINDS, flows=FLOWS, clock=clock)
    assert await outbox.send_due() == 4
    held = await status_of(database, broadcast)
    assert (held.status, held.due_at, held.last_error, held.attempts) == ("pending", MORNING, QUIET_HOURS, 0)
    assert [(await status_of(database, row)).status for row in (offer, reply, elsewhere)] == ["sent"] * 3
    clock.advance(hours=10, minutes=59)  # 08:59 there
    assert await outbox.send_due() == 0
    clock.advance(minutes=1)
    assert await outbox.send_due() == 1
    assert (await status_of(database, broadcast)).status == "sent"
    assert sorted(text for _, text in telegram.sent) == sorted(["Ярмарка", "Место на курсе", "Ответ", "Ярмарка"])
