"""How a step's cost and the outbox's grow with the size of the database (issue 18, benchmark 5).

For each size, a fresh SQLite database holds that many people of one centre, each with an
address, a conversation, a completed needs survey (five answers) and two messages sent long
ago. Then: one villager's survey step and menu step (round trips and CPU, as ``step_cost``), and
the outbox sending 200 due messages to a channel that answers at once (milliseconds a message).
Neither should grow with the database: every query a step or a send makes is by key.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

from bench.inbound import one_centre
from bench.step_cost import measure_step_cost
from bench.table import Figure, tables
from bot.clock import FakeClock
from bot.i18n import Catalogs
from bot.outbox import OutboxSender
from storage.db import Database
from storage.models import Centre, ChannelIdentity, Contact, Conversation, OutboxMessage
from storage.models.surveys import Questionnaire, QuestionnaireVersion, SurveyAnswer, SurveyRun
from tests.bot.outbox_crowd import BULK, KINDS, queue_each
from tests.bot.test_outbox import RecordingSender
from tests.built import FEATURES, FLOWS

SIZES = (1_000, 10_000, 50_000)
CHUNK = 2_000
DUE = 200
LONG_AGO = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


async def fill(db: Database, people: int) -> list[int]:
    """``people`` contacts with their history, in bulk; their ids."""
    async with db.transaction() as session:
        centre = await session.scalar(select(Centre.id))
        questionnaire = Questionnaire(slug="old-needs", active=False, created_at=LONG_AGO)
        session.add(questionnaire)
        await session.flush()
        version = QuestionnaireVersion(questionnaire_id=questionnaire.id, version=1, definition={},
                                       content_hash="old", source="bench", created_at=LONG_AGO)
        session.add(version)
        await session.flush()
        version_id = version.id
    ids: list[int] = []
    for start in range(0, people, CHUNK):
        count = min(CHUNK, people - start)
        async with db.transaction() as session:
            fresh = [{"created_at": LONG_AGO, "language": "ru", "centre_id": centre} for _ in range(count)]
            made = list((await session.scalars(insert(Contact).returning(Contact.id), fresh)).all())
            await session.execute(insert(ChannelIdentity), [
                {"contact_id": c, "channel": "telegram", "address": f"telegram:{900000 + start + n}",
                 "created_at": LONG_AGO} for n, c in enumerate(made)])
            await session.execute(insert(Conversation), [
                {"contact_id": c, "state": {"v": 1, "seq": 3, "stage": "menu", "flow": None, "data": None,
                                            "ctx": "menu"}, "updated_at": LONG_AGO} for c in made])
            runs = list((await session.scalars(insert(SurveyRun).returning(SurveyRun.id), [
                {"run_key": f"old-{c}", "contact_id": c, "version_id": version_id, "status": "completed",
                 "channel": "telegram", "started_at": LONG_AGO, "updated_at": LONG_AGO,
                 "finished_at": LONG_AGO}
                for c in made])).all())
            await session.execute(insert(SurveyAnswer), [
                {"run_id": r, "question_id": q, "value": "x", "answered_at": LONG_AGO}
                for r in runs for q in ("gender", "age_group", "situation", "interests", "times")])
            await session.execute(insert(OutboxMessage), [
                {"contact_id": c, "kind": kind, "payload": {}, "due_at": LONG_AGO, "status": "sent",
                 "attempts": 1, "created_at": LONG_AGO, "sent_at": LONG_AGO}
                for c in made for kind in ("broadcast", "reply")])
        ids += made
    return ids


async def outbox_cost(db: Database, contacts: list[int]) -> float:
    """Milliseconds a message for ``DUE`` due messages sent to a channel that answers at once."""
    clock = FakeClock(dt.datetime.now(dt.UTC))
    await queue_each(db, clock, contacts[:DUE], BULK, "Ярмарка в субботу")
    sender = OutboxSender(db, Catalogs.load(), {"telegram": RecordingSender("telegram")},
                          kinds=(*FEATURES.outbox_kinds, *KINDS), flows=FLOWS, clock=clock)
    started = time.perf_counter()
    sent = await sender.send_due()
    return (time.perf_counter() - started) * 1000 / max(1, sent)


async def measure_growth(sizes: tuple[int, ...] = SIZES) -> list[Figure]:
    figures = []
    with tempfile.TemporaryDirectory() as name:
        for size in sizes:
            url = f"sqlite+aiosqlite:///{Path(name) / f'growth-{size}.db'}"
            await one_centre(url)
            db = Database.from_url(url)
            try:
                contacts = await fill(db, size)
                costs = await measure_step_cost(f"{size}", db)
                per_message = statistics.median([await outbox_cost(db, contacts) for _ in range(3)])
            finally:
                await db.dispose()
            answer, menu = costs["survey answer"], costs["menu"]
            figures.append(Figure(
                "Growth: cost against the size of the database (SQLite)", f"{size:,} people",
                {"survey answer": f"{answer[0]} round trips, {answer[1]:.1f} ms",
                 "menu step": f"{menu[0]} round trips, {menu[1]:.1f} ms",
                 "outbox, a message": f"{per_message:.2f} ms"}))
            print(tables(figures[-1:]), flush=True)
    return figures


if __name__ == "__main__":
    asyncio.run(measure_growth())
