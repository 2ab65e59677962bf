"""Inbound Telegram, measured from outside and side by side with the bare framework (issue 18).

Each run starts a bot as its own process against the fake Bot API served here, then N virtual
villagers act in a closed loop (each waits for the answer before acting again):

* ``clc``: ``bench.bot_process`` (the real service, pacing lifted), the villagers walking the
  needs survey as people do (a button when the answer is one option, typed otherwise);
* ``echo``: ``bench.echo_bot``, bare python-telegram-bot answering each message, the villagers
  acting as many times as a survey takes, pressing a button or typing in the survey's order
  (``SURVEY_MIX``): a press costs a bot two Bot API calls (the answer, then a message), a
  typed answer one, so both bots make the same calls for the same actions; except that by
  webhook clc-bot answers a press in the webhook's HTTP response (``telegram_callback``), which
  the bare bot, like python-telegram-bot's own webhook server, does not.

by polling (the fake's ``getUpdates``) or by webhook (each villager's update posted to the bot,
concurrently, as Telegram does). Reported: actions per second, reply latency percentiles and
actions left unanswered (within ``WITHIN`` seconds). Bounded: ``ACTIONS_MAX`` actions a villager.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bench.table import Figure, tables
from bot.channels.telegram import SECRET_HEADER, webhook_secret
from flows.quiet_hours import NO_QUIET_HOURS
from storage.centres import set_quiet_hours
from storage.db import Database
from storage.migrate import upgrade_database
from storage.models import Centre
from tests.bot.fakes.server import free_port, serving
from tests.bot.fakes.telegram_api import FakeTelegram, SentMessage

WITHIN = 30.0
ACTIONS_MAX = 40
STARTUP = 60.0
# What a villager answers to the bot's last message: the first rule whose words it contains.
ANSWERS: tuple[tuple[str, str], ...] = (
    ("Выберите язык", "2"),
    ("Главное меню", "1"),
    ("Вы согласны", "1"),
    ("Чем вы сейчас занимаетесь", "5 7"),
    ("инвалидность", "2"),
    ("Укажите ваш пол", "1"),
    ("Сколько вам лет", "4"),
    ("В каком селе", "Талдыбулак"),
    ("раньше учились", "2"),
    ("Чему вы хотели бы научиться", "4 9"),
    ("Сколько времени в неделю", "3"),
    ("Когда вам удобно", "1 2"),
    ("Что мешает", "1"),
    ("узнавать о новых курсах", "1"),
    ("Что ещё вы хотели бы сказать", "пропустить"),
)
THANKS = "Спасибо! Ваши ответы сохранены."
# The needs survey walked by ANSWERS, typed (t) or by a button (b), action by action.
SURVEY_MIX = "tbbbtbbbtbtbtbbt"
DONE = "Готово"  # the button that ends a multiple choice


@dataclass
class Run:
    bot: str  # clc or echo
    mode: str  # polling or webhook
    database: str
    users: int
    actions: int = 0
    unanswered: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)  # what unanswered villagers saw last

    @property
    def per_second(self) -> float:
        return self.actions / self.elapsed if self.elapsed else 0.0

    def quantile(self, q: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100)[q - 1]


def answer_to(text: str) -> str | None:
    return next((answer for words, answer in ANSWERS if words in text), None)


class Telegram:
    """How a villager's action reaches the bot: the fake's update queue, or a webhook post."""

    def __init__(self, fake: FakeTelegram, webhook: str | None, secret: str) -> None:
        self.fake, self.webhook, self.secret = fake, webhook, secret
        # aiohttp, not httpx: at 50 concurrent posters httpx's pool capped the rate at 40-90
        # requests a second against a bare endpoint, aiohttp's at 550 (bench/inbound_sms.py).
        self.client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WITHIN))

    async def send(self, make: Callable[[], dict[str, object]]) -> None:
        update = make()
        if self.webhook is not None:  # played by Telegram: the update is posted, not polled
            self.fake.updates.remove(update)
            headers = {SECRET_HEADER: self.secret}
            async with self.client.post(self.webhook, json=update, headers=headers) as response:
                response.raise_for_status()
                # As Telegram does: a Bot API call in the response is made (telegram_callback).
                await self.fake.webhook_answered(response.status, response.headers.get("Content-Type", ""),
                                                 await response.read())


async def _answered(fake: FakeTelegram, user: int, seen: int, *, survey: bool) -> int:
    """Wait until the bot's whole answer has arrived; the number of messages then."""
    def complete() -> bool:
        texts = fake.texts(user)
        if len(texts) <= seen:
            return False
        return not survey or answer_to(texts[-1]) is not None or THANKS in texts[-1]
    await fake.wait_for(complete, within=WITHIN)
    return len(fake.chat(user))


async def clc_villager(telegram: Telegram, user: int, run: Run) -> None:
    fake = telegram.fake
    seen, action = 0, lambda: fake.user_sends(user, "/start")
    for _ in range(ACTIONS_MAX):
        started, before = time.perf_counter(), seen
        await telegram.send(action)
        try:
            seen = await _answered(fake, user, seen, survey=True)
        except TimeoutError:
            run.unanswered += 1
            run.stuck.append(" | ".join(text[:60] for text in fake.texts(user)[-3:]))
            return
        run.actions += 1
        run.latencies.append(time.perf_counter() - started)
        if any(THANKS in text for text in fake.texts(user)[before:]):  # the menu may follow it
            return
        last = fake.chat(user)[-1]
        action = _next_action(fake, user, last, answer_to(last.text) or "меню")


def _next_action(
    fake: FakeTelegram, user: int, last: SentMessage, answer: str
) -> Callable[[], dict[str, object]]:
    buttons = last.buttons()
    several = any(label.startswith(DONE) for label, _ in buttons)  # a toggle only marks; typed it answers
    if answer.isdigit() and 0 < int(answer) <= len(buttons) and not several:
        data = buttons[int(answer) - 1][1]
        return lambda: fake.user_presses(user, last, data)
    return lambda: fake.user_sends(user, answer)


async def echo_villager(telegram: Telegram, user: int, run: Run, actions: int) -> None:
    fake = telegram.fake
    seen = 0
    for n in range(actions):
        started = time.perf_counter()
        last = fake.chat(user)[-1] if seen else None
        if last is not None and last.buttons() and SURVEY_MIX[n % len(SURVEY_MIX)] == "b":
            data = last.buttons()[0][1]
            await telegram.send(lambda last=last, data=data: fake.user_presses(user, last, data))
        else:
            await telegram.send(lambda n=n: fake.user_sends(user, f"ответ {n}"))
        try:
            seen = await _answered(fake, user, seen, survey=False)
        except TimeoutError:
            run.unanswered += 1
            return
        run.actions += 1
        run.latencies.append(time.perf_counter() - started)


@asynccontextmanager
async def bot_process(
    bot: str, fake: FakeTelegram, api_url: str, database_url: str, webhook_port: int | None, folder: Path
) -> AsyncIterator[None]:
    secret = webhook_secret(fake.token)
    if bot == "clc":
        command = [sys.executable, "-m", "bench.bot_process"]
        if webhook_port is not None:
            command += ["--webhook", "https://clc.example.org/tg/hook"]
    else:
        command = [sys.executable, "-m", "bench.echo_bot", api_url, fake.token]
        if webhook_port is not None:
            command += ["--webhook", str(webhook_port), secret]
    env = {**os.environ, "CLC_DATABASE_URL": database_url, "CLC_TELEGRAM_TOKEN": fake.token,
           "CLC_TELEGRAM_API_URL": api_url, "CLC_LOG_LEVEL": "WARNING",
           "CLC_HTTP_PORT": str(webhook_port or free_port()), "PYTHONPATH": str(Path.cwd())}
    log = (folder / f"{bot}.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        *command, env=env, cwd=folder, stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        ready = "setWebhook" if webhook_port is not None else "getUpdates"
        await fake.wait_for(lambda: any(method == ready for method, _ in fake.calls), within=STARTUP)
        if webhook_port is not None:  # its HTTP server answers once the webhook is set
            await asyncio.sleep(0.5)
        yield
    finally:
        with suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()
        log.close()


async def one_centre(database_url: str) -> None:
    """The usual village installation: one centre, which every new person belongs to."""
    db = Database.from_url(database_url)
    try:
        await upgrade_database(db.engine)
        await add_one_centre(db)
    finally:
        await db.dispose()


async def add_one_centre(db: Database) -> None:
    """``one_centre`` on a database migrated already. Without quiet hours: a benchmark runs at
    any hour, and at night a broadcast would (rightly) wait for the morning."""
    async with db.transaction() as session:
        if await session.scalar(select(Centre.id).limit(1)) is None:
            centre = Centre(slug="aksu", name_kk="Ақсу", name_ru="Аксу", oblast="Алматы облысы",
                            district="Еңбекшіқазақ", settlement="Ақсу", created_at=dt.datetime.now(dt.UTC))
            set_quiet_hours(centre, NO_QUIET_HOURS)
            session.add(centre)


async def measure(bot: str, mode: str, users: int, database: str, database_url: str, folder: Path,
                  actions: int = 17) -> Run:
    """One run; ``actions``: how many each echo villager makes (a survey's worth)."""
    if bot == "clc":
        await one_centre(database_url)
    fake = FakeTelegram()
    run = Run(bot, mode, database, users)
    webhook_port = free_port() if mode == "webhook" else None
    async with serving(fake.app()) as api_url, \
            bot_process(bot, fake, api_url, database_url, webhook_port, folder):
        path = "/tg/hook" if bot == "clc" else "/hook"
        telegram = Telegram(fake, f"http://127.0.0.1:{webhook_port}{path}" if webhook_port else None,
                            webhook_secret(fake.token))
        started = time.perf_counter()
        villagers = [clc_villager(telegram, 50000 + n, run) if bot == "clc"
                     else echo_villager(telegram, 50000 + n, run, actions) for n in range(users)]
        await asyncio.gather(*villagers)
        run.elapsed = time.perf_counter() - started
        await telegram.client.close()
    return run


@asynccontextmanager
async def database_urls(folder: Path, name: str) -> AsyncIterator[str]:
    """A fresh database for one run: a SQLite file, or a new PostgreSQL database on the server
    ``CLC_BENCH_DATABASE_URL`` names, dropped afterwards."""
    if name == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / f'{uuid.uuid4().hex[:8]}.db'}"
        return
    base = os.environ["CLC_BENCH_DATABASE_URL"]
    fresh = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{fresh}"'))
        yield str(make_url(base).set(database=fresh).render_as_string(hide_password=False))
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)'))
        await admin.dispose()


def databases() -> list[str]:
    return ["sqlite", *(["postgresql"] if os.environ.get("CLC_BENCH_DATABASE_URL") else [])]


async def postgres_version() -> str | None:
    url = os.environ.get("CLC_BENCH_DATABASE_URL")
    if not url:
        return None
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return str(await connection.scalar(text("SHOW server_version")))
    finally:
        await engine.dispose()


def _figure(bot: Run, echo: Run) -> Figure:
    return Figure(
        f"Inbound Telegram ({bot.mode}): the bot against a bare python-telegram-bot echo bot",
        f"{bot.database}, {bot.users} villagers",
        {"bot actions/s": f"{bot.per_second:.1f}", "echo actions/s": f"{echo.per_second:.1f}",
         "ratio": f"{bot.per_second / echo.per_second:.2f}" if echo.per_second else "-",
         "p50": f"{bot.quantile(50) * 1000:.0f} ms", "p95": f"{bot.quantile(95) * 1000:.0f} ms",
         "p99": f"{bot.quantile(99) * 1000:.0f} ms",
         "unanswered": f"{bot.unanswered} (echo {echo.unanswered})",
         "actions": f"{bot.actions} (echo {echo.actions})"})


async def measure_telegram(
    users: Sequence[int], modes: Sequence[str] = ("polling", "webhook")
) -> list[Figure]:
    """Each number of villagers, each mode, each database: the bot, then the echo bot, side by side."""
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for mode in modes:
            for database in databases():
                for n in users:
                    async with database_urls(folder, database) as url:
                        bot = await measure("clc", mode, n, database, url, folder)
                    actions = max(1, round(bot.actions / max(1, n)))
                    echo = await measure("echo", mode, n, database, "sqlite+aiosqlite://", folder, actions)
                    figures.append(_figure(bot, echo))
                    print(tables(figures[-1:]), flush=True)
    return figures
