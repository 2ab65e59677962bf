"""Crash and resume (issue 18, benchmark 4): the service killed with SIGKILL at random moments
while it sends a broadcast and villagers walk the needs survey, and started again each time.

Seeded: one centre (no quiet hours, so the broadcast may go at any hour of the run) and
``people`` people reachable on Telegram who agreed to be contacted; a broadcast to all of them is
queued through the broadcasts API (``create_broadcast``, ``send_now``). Then ``bench.bot_process``
(the real service, Telegram's pacing lifted x100) runs against the fake Bot API served here,
``villagers`` new people walk the survey in a closed loop (typed answers, as
tests/bot/test_kill_process.py's villagers: a message already answered is not answered again,
unless the bot says its message did not reach them: then they read all it sends again and answer
the last), and the process is killed with SIGKILL every 1-4 s (seeded), ``kills`` times, and
started again. Stops when the broadcast has reached everyone, all its rows are recorded sent and
every villager has been thanked, or after ``BOUND`` seconds.

Counted from the fake's records and the database: people the broadcast never reached (lost);
repeats (duplicates), each charged to the kill that caused it: at each kill, with no process
alive, the broadcast's rows not recorded sent whose person already has the message (what one
process can have delivered unrecorded is bounded by ``WINDOW + FLUSH_AT``, README "Outbox");
answers a villager gave and saw acknowledged (the bot moved on) that are not stored as given;
surveys completed with every question asked, in order, none skipped.

    python -m bench.crash [PEOPLE KILLS]   (2000 10; PostgreSQL too with CLC_BENCH_DATABASE_URL)

PostgreSQL: a killed process's claims are due again only when their lease (``LEASE``, 5 minutes)
runs out, since other processes may share the database. Between a kill and the restart, with no
process alive, the benchmark lets them run out at once (``release_all``, what a SQLite start does)
and counts them ("claims lapsed"): it measures what is lost and repeated, not that wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from bench.inbound import database_urls
from bench.inbound import databases as database_kinds
from bench.table import Figure, tables
from bot.features.broadcasting import KIND, send_now
from bot.outbox.sender import FLUSH_AT, WINDOW
from bot.outbox.store import release_all
from flows.audience import Audience
from flows.events import Localized
from storage.broadcasts import create_broadcast
from storage.db import Database
from storage.migrate import upgrade_database
from storage.models import Centre, ChannelIdentity, Contact, OutboxMessage
from storage.models.surveys import SurveyAnswer, SurveyRun
from tests.bot.fakes.server import free_port, serving
from tests.bot.fakes.telegram_api import FakeTelegram

ROOT = Path(__file__).resolve().parents[1]  # where ``bench`` and ``bot`` are imported from
BOUND = 300.0  # seconds, the whole run at most
STARTUP = 60.0
KILL_EVERY = (1.0, 4.0)  # seconds after a start is serving
SEED = 18
FIRST_CHAT = 90000  # the broadcast's people
FIRST_VILLAGER = 50000
ACTIONS_MAX = 60
UNSENT = ("pending", "sending")
SETTLE = 0.5  # seconds without a message: what the bot sends again has all arrived
NEWS = Localized("Сенбіде қолөнер жәрмеңкесі", "Ярмарка ремёсел в субботу")
THANKS = "Спасибо! Ваши ответы сохранены."
SAID_AGAIN = "Похоже, моё последнее сообщение до вас не дошло."
# The bot's message (the first rule whose words it contains), what a villager types, and the
# question it answers with what the survey stores for it (None: not a survey question; a
# skipped question stores nothing).
ANSWERS: tuple[tuple[str, str, str | None, Any], ...] = (
    ("Выберите язык", "2", None, None),
    ("Главное меню", "1", None, None),
    ("Вы согласны", "да", "consent", "yes"),
    ("Чем вы сейчас занимаетесь", "5;7", "situation", ["pensioner", "homemaker"]),
    ("инвалидность", "нет", "disability", "no"),
    ("Укажите ваш пол", "женский", "gender", "female"),
    ("Сколько вам лет", "4", "age_group", "age_45_59"),
    ("В каком селе", "Талдыбулак", "settlement", "Талдыбулак"),
    ("раньше учились", "нет", "studied_before", "no"),
    ("Чему вы хотели бы научиться", "4 9", "interests", ["sewing", "crafts"]),
    ("Сколько времени в неделю", "3", "hours_per_week", "h6_10"),
    ("Когда вам удобно", "1 2", "times", ["mornings", "afternoons"]),
    ("Что мешает", "1", "barriers", ["cost"]),
    ("узнавать о новых курсах", "1", "contact_channel", "telegram"),
    ("Что ещё вы хотели бы сказать", "пропустить", "comment", None),
)
QUESTIONS = [question for _, _, question, _ in ANSWERS if question is not None]  # in the order asked
STORED = {question: value for _, _, question, value in ANSWERS if question is not None}


def rule(text: str) -> tuple[str, str, str | None, Any] | None:
    return next((r for r in ANSWERS if r[0] in text), None)


@dataclass
class Walk:
    """One villager's side of the conversation."""

    user: int
    said: list[tuple[str, str]] = field(default_factory=list)  # (the bot's message, the answer)
    thanked: bool = False


@dataclass
class Outcome:
    database: str
    people: int
    kills: int
    lost: int = 0
    duplicates: int = 0
    per_kill: list[int] = field(default_factory=list)
    answers_lost: int = 0
    resumed_right: int = 0
    villagers: int = 0
    mid_broadcast: int = 0  # kills made while someone still waited for the broadcast
    lapsed: int = 0  # PostgreSQL: claims of killed processes let run out
    unsent: int = 0  # broadcast rows not marked sent at the end
    elapsed: float = 0.0
    problems: list[str] = field(default_factory=list)  # what went wrong, for the report
    transcripts: list[str] = field(default_factory=list)  # of the villagers it went wrong for

    @property
    def bound(self) -> int:
        return WINDOW + FLUSH_AT


async def seed(url: str, people: int) -> None:
    """One centre without quiet hours, ``people`` reachable on Telegram, the broadcast queued."""
    now = dt.datetime.now(dt.UTC)
    db = Database.from_url(url)
    try:
        await upgrade_database(db.engine)
        async with db.transaction() as session:
            centre = Centre(slug="aksu", name_kk="Ақсу", name_ru="Аксу", oblast="Алматы облысы",
                            district="Еңбекшіқазақ", settlement="Ақсу", created_at=now,
                            quiet_from="00:00", quiet_until="00:00")  # equal ends: none
            session.add(centre)
            await session.flush()
            await session.execute(insert(Contact), [
                {"language": "ru", "centre_id": centre.id, "created_at": now, "contact_consent": True}
                for _ in range(people)])
            ids = (await session.scalars(select(Contact.id).order_by(Contact.id))).all()
            await session.execute(insert(ChannelIdentity), [
                {"contact_id": contact_id, "channel": "telegram", "address": f"telegram:{FIRST_CHAT + n}",
                 "created_at": now} for n, contact_id in enumerate(ids)])
            broadcast = await create_broadcast(session, centre_id=centre.id, texts=NEWS, audience=Audience(),
                                               send_at=None, actor="cli:bench", now=now)
            queued = await send_now(session, broadcast, now, actor="cli:bench")
        assert queued.queued == people, queued
    finally:
        await db.dispose()


class BotProcess:
    """``bench.bot_process`` that can be killed and started again; every start logs to one file."""

    def __init__(self, fake: FakeTelegram, api_url: str, database_url: str, folder: Path) -> None:
        self.fake = fake
        self.env = {**os.environ, "CLC_DATABASE_URL": database_url, "CLC_TELEGRAM_TOKEN": fake.token,
                    "CLC_TELEGRAM_API_URL": api_url, "CLC_LOG_LEVEL": "WARNING",
                    "CLC_OUTBOX_INTERVAL_SECONDS": "0.2", "CLC_HTTP_PORT": str(free_port()),
                    "PYTHONPATH": str(ROOT)}
        self.folder = folder
        self.log = (folder / "bot.log").open("ab")
        self.process: asyncio.subprocess.Process | None = None
        self.calls_at_start = 0
        self.starts = 0

    async def start(self) -> None:
        self.calls_at_start = len(self.fake.calls)
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.bot_process", env=self.env, cwd=self.folder,
            stdin=asyncio.subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        self.starts += 1

    async def serving(self) -> None:
        """Until this start polls Telegram (a call the killed one cannot have made)."""
        try:
            await self.fake.wait_for(
                lambda: any(method == "getUpdates" for method, _ in self.fake.calls[self.calls_at_start:]),
                within=STARTUP)
        except TimeoutError:
            self.log.flush()
            tail = (self.folder / "bot.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"no bot serving after {STARTUP:.0f} s; its log ends:\n{tail}") from None

    async def kill(self) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        """As a service is stopped (SIGTERM): what it sent is recorded first."""
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                await self.kill()
        self.log.close()


async def lapse_claims(url: str) -> int:
    """With no process alive: the killed one's claims due now, as their lease running out would."""
    db = Database.from_url(url)
    try:
        async with db.transaction() as session:
            return await release_all(session, dt.datetime.now(dt.UTC))
    finally:
        await db.dispose()


class Kills:
    """At each kill, with no process alive: what it had delivered and not recorded (each such row
    is sent again: a repeat it explains), and whether the broadcast was still going out."""

    def __init__(self, url: str, fake: FakeTelegram, people: int) -> None:
        self.url, self.fake, self.people = url, fake, people
        self.counted: dict[int, int] = {}  # row id: copies its person had when last counted
        self.repeats: list[int] = []
        self.mid_broadcast = 0

    async def count(self) -> None:
        db = Database.from_url(self.url)
        try:
            async with db.transaction() as session:
                rows = (await session.execute(
                    select(OutboxMessage.id, ChannelIdentity.address)
                    .join(ChannelIdentity, ChannelIdentity.contact_id == OutboxMessage.contact_id)
                    .where(OutboxMessage.kind == KIND, OutboxMessage.status.in_(UNSENT)))).all()
        finally:
            await db.dispose()
        copies = Counter(m.chat_id for m in list(self.fake.messages.values()) if m.text == NEWS.ru)
        repeats = 0
        for row_id, address in rows:
            had = copies[int(address.removeprefix("telegram:"))]
            if had > self.counted.get(row_id, 0):  # delivered since it was last counted
                repeats += 1
                self.counted[row_id] = had
        self.repeats.append(repeats)
        self.mid_broadcast += len(copies) < self.people


async def kill_at_random(bot: BotProcess, kills: int, rng: random.Random, url: str, postgres: bool,
                         counts: Kills, outcome: Outcome, done: asyncio.Event) -> None:
    """Kill and start again ``kills`` times, each 1-4 s after the start serves (at once when
    everything is done: the count of kills matters then, not their moments)."""
    for _ in range(kills):
        await bot.serving()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), rng.uniform(*KILL_EVERY))
        await bot.kill()
        await counts.count()
        if postgres:
            outcome.lapsed += await lapse_claims(url)
        await bot.start()
    await bot.serving()


async def villager(fake: FakeTelegram, user: int, deadline: float) -> Walk:
    """Answers what it reads until the survey thanks it, as a person does: a message it has
    already answered, sent again after a restart, is not answered again; unless the bot says its
    message did not reach them, and then they read all it sends again (one reply or several)
    and answer the last. A bot that does not answer may be down: the villager waits (its message
    is Telegram's until the bot takes it), until ``deadline``."""
    walk = Walk(user)
    fake.user_sends(user, "/start")
    seen, answered, said_again = 0, set[str](), False
    while len(walk.said) < ACTIONS_MAX and (left := deadline - time.monotonic()) > 0:
        try:
            await fake.wait_messages(user, seen + 1, within=min(5.0, left))
        except TimeoutError:
            continue
        if said_again or any(SAID_AGAIN in text for text in fake.texts(user)[seen:]):
            said_again = True
            with contextlib.suppress(TimeoutError):  # the rest of what is sent again
                while True:
                    await fake.wait_messages(user, len(fake.chat(user)) + 1, within=SETTLE)
        texts = fake.texts(user)
        if any(THANKS in text for text in texts[seen:]):
            walk.thanked = True
            return walk
        seen = len(texts)
        found = rule(texts[-1])
        # None: the rest of a reply in several messages is on its way
        if found is not None and (texts[-1] not in answered or said_again):
            walk.said.append((texts[-1], found[1]))
            fake.user_sends(user, found[1])
            answered.add(texts[-1])
            said_again = False
    return walk


def asked_in_order(texts: Sequence[str]) -> list[str]:
    """The survey's questions in the order the villager first saw them (a question sent again
    after a restart is the same question: what matters is that none was skipped)."""
    asked: list[str] = []
    for text in texts:
        found = rule(text)
        if found is not None and found[2] is not None and found[2] not in asked:
            asked.append(found[2])
    return asked


async def stored_answers(url: str) -> tuple[dict[int, dict[str, Any]], dict[int, list[str]], dict[str, int]]:
    """Per villager (Telegram user id): their answers, their runs' statuses; the broadcast's rows
    by status."""
    db = Database.from_url(url)
    try:
        async with db.transaction() as session:
            answers: dict[int, dict[str, Any]] = {}
            rows = await session.execute(
                select(ChannelIdentity.address, SurveyAnswer.question_id, SurveyAnswer.value)
                .join(SurveyRun, SurveyRun.id == SurveyAnswer.run_id)
                .join(ChannelIdentity, ChannelIdentity.contact_id == SurveyRun.contact_id))
            for address, question, value in rows:
                answers.setdefault(int(address.removeprefix("telegram:")), {})[question] = value
            runs: dict[int, list[str]] = {}
            for address, status in await session.execute(
                    select(ChannelIdentity.address, SurveyRun.status)
                    .join(ChannelIdentity, ChannelIdentity.contact_id == SurveyRun.contact_id)):
                runs.setdefault(int(address.removeprefix("telegram:")), []).append(status)
            statuses = {str(status): int(n) for status, n in await session.execute(
                select(OutboxMessage.status, func.count()).where(OutboxMessage.kind == KIND)
                .group_by(OutboxMessage.status))}
    finally:
        await db.dispose()
    return answers, runs, statuses


def count_broadcast(fake: FakeTelegram, people: int, counts: Kills, outcome: Outcome) -> None:
    copies = Counter(m.chat_id for m in fake.messages.values() if m.text == NEWS.ru)
    outcome.lost = sum(1 for n in range(people) if not copies[FIRST_CHAT + n])
    outcome.duplicates = sum(n - 1 for n in copies.values() if n > 1)
    outcome.per_kill, outcome.mid_broadcast = counts.repeats, counts.mid_broadcast
    if outcome.duplicates != sum(counts.repeats):
        outcome.problems.append(f"{outcome.duplicates} repeats, {sum(counts.repeats)} explained by the kills")


def transcript(fake: FakeTelegram, walk: Walk, stored: dict[str, Any]) -> str:
    """What the villager read and typed, in order, and what was stored."""
    lines, said = [f"villager {walk.user}"], iter(walk.said)
    answer = next(said, None)
    for text in fake.texts(walk.user):
        lines.append(f"  < {text[:90]!r}")
        if answer is not None and text == answer[0]:
            lines.append(f"  > {answer[1]}")
            answer = next(said, None)
    lines.append(f"  stored: {stored}")
    return "\n".join(lines)


def count_surveys(fake: FakeTelegram, walks: Sequence[Walk], answers: dict[int, dict[str, Any]],
                  runs: dict[int, list[str]], outcome: Outcome) -> None:
    for walk in walks:
        stored = answers.get(walk.user, {})
        asked = asked_in_order(fake.texts(walk.user))
        # acknowledged: the bot went on to another question (or thanked them) after it
        acknowledged = asked if walk.thanked else asked[:-1]
        lost = [q for q in acknowledged if stored.get(q) != STORED[q]]
        outcome.answers_lost += len(lost)
        right = walk.thanked and runs.get(walk.user) == ["completed"] and asked == QUESTIONS and not lost
        outcome.resumed_right += right
        if not right:
            outcome.problems.append(f"villager {walk.user}: thanked {walk.thanked}, "
                                    f"runs {runs.get(walk.user)}, asked {asked}, lost {lost}")
            outcome.transcripts.append(transcript(fake, walk, stored))


class Quiet:
    """A logger silenced for a block."""

    def __init__(self, name: str) -> None:
        self.logger = logging.getLogger(name)
        self.level = self.logger.level

    async def __aenter__(self) -> None:
        self.logger.setLevel(logging.CRITICAL)

    async def __aexit__(self, *_: object) -> None:
        self.logger.setLevel(self.level)


def served(fake: FakeTelegram) -> int:
    return len({m.chat_id for m in list(fake.messages.values()) if m.text == NEWS.ru})


async def delivered(url: str, people: int, fake: FakeTelegram, deadline: float) -> None:
    """Until everyone has the broadcast and none of its rows is still to send (repeats of what a
    kill left unrecorded come last), or the deadline. The database cannot say when: it is asked."""
    db = Database.from_url(url)
    try:
        while time.monotonic() < deadline:
            if served(fake) >= people:
                async with db.transaction() as session:
                    left = await session.scalar(select(func.count()).select_from(OutboxMessage).where(
                        OutboxMessage.kind == KIND, OutboxMessage.status.in_(UNSENT)))
                if not left:
                    return
            await asyncio.sleep(0.5)
    finally:
        await db.dispose()


async def run_once(database: str, url: str, people: int, villagers: int, kills: int, folder: Path,
                   seed_: int = SEED) -> Outcome:
    await seed(url, people)
    outcome = Outcome(database, people, kills, villagers=villagers)
    fake = FakeTelegram()
    rng = random.Random(seed_)
    counts = Kills(url, fake, people)
    started = time.monotonic()
    deadline = started + BOUND
    # Quiet after uvicorn has set its loggers up: a killed process's half-sent request is no error
    async with serving(fake.app()) as api_url, Quiet("uvicorn.error"):
        bot = BotProcess(fake, api_url, url, folder)
        await bot.start()
        killer: asyncio.Task[None] | None = None
        try:
            await bot.serving()
            done = asyncio.Event()
            killer = asyncio.create_task(
                kill_at_random(bot, kills, rng, url, database == "postgresql", counts, outcome, done))
            walks = await asyncio.gather(*(villager(fake, FIRST_VILLAGER + n, deadline)
                                           for n in range(villagers)))
            await delivered(url, people, fake, deadline)
            done.set()  # the kills left are made at once: the count is what matters, not the moment
            await killer
            await delivered(url, people, fake, deadline)  # what the last kill left, if anything
            outcome.elapsed = time.monotonic() - started
        finally:
            if killer is not None and not killer.done():  # the walk failed: no more kills
                killer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await killer
            await bot.stop()
    answers, runs, statuses = await stored_answers(url)
    outcome.unsent = people - statuses.get("sent", 0)
    if outcome.unsent:
        outcome.problems.append(f"the broadcast's rows at the end: {statuses}")
    count_broadcast(fake, people, counts, outcome)
    count_surveys(fake, walks, answers, runs, outcome)
    return outcome


def figure(o: Outcome) -> Figure:
    return Figure("Crash and resume: SIGKILL at random moments during a broadcast and surveys",
                  f"{o.database}, {o.people} messages, {o.villagers} villagers, {o.kills} kills",
                  {"kills mid-broadcast": str(o.mid_broadcast), "lost": str(o.lost),
                   "duplicates": str(o.duplicates),
                   "max per kill": str(max(o.per_kill, default=0)), "bound per kill": str(o.bound),
                   "answers lost": str(o.answers_lost),
                   "surveys resumed right": f"{o.resumed_right}/{o.villagers}",
                   "claims lapsed": str(o.lapsed) if o.database == "postgresql" else "-",
                   "time": f"{o.elapsed:.0f} s"})


async def measure_crash_outcomes(people: int, kills: int, databases_: Sequence[str], villagers: int = 50,
                                 seed_: int = SEED) -> list[Outcome]:
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory() as name:
        for database in databases_:
            async with database_urls(Path(name), database) as url:
                outcomes.append(await run_once(database, url, people, villagers, kills, Path(name), seed_))
    return outcomes


async def measure_crash(people: int, kills: int, databases: Sequence[str] | None = None,
                        villagers: int = 50) -> list[Figure]:
    figures: list[Figure] = []
    for outcome in await measure_crash_outcomes(people, kills, databases or database_kinds(), villagers):
        figures.append(figure(outcome))
        print(tables(figures[-1:]), flush=True)
        for problem in outcome.problems[:10]:
            print("  ", problem, flush=True)
    return figures


if __name__ == "__main__":
    people_, kills_ = (int(a) for a in (sys.argv[1:3] if len(sys.argv) > 2 else ("2000", "10")))
    asyncio.run(measure_crash(people_, kills_))
