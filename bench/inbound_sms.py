"""Inbound SMS, measured from outside and side by side with a bare endpoint (issue 18, benchmark 1).

Each run starts a process and N virtual villagers (phones +7701…) who act in a closed loop, each
waiting for the answer before acting again, at most ``ACTIONS_MAX`` actions a villager and
``WITHIN`` seconds for an answer (longer: unanswered, and that villager stops):

* the bot: ``bench.bot_process`` with the Twilio settings, sending its replies through the real
  twilio client to the suite's fake Twilio API served here. A villager posts a signed inbound
  webhook (the form fields Twilio sends, ``X-Twilio-Signature`` as twilio's ``RequestValidator``
  computes it), and its action is answered when the fake Twilio has received the bot's reply
  for its number. The villagers walk the needs survey in Russian, typing numbers or words as
  the SMS asks, and stop at the thanks. ``CLC_TWILIO_SEGMENTS_PER_SECOND`` is lifted to 1000
  (a long code's 1 a second would set the pace, not the bot);
* the bare endpoint: ``bench.sms_echo``, Starlette answering each POST with TwiML echoing the
  body; each villager sends as many messages as the bot's villagers took on average, and the
  ``<Message>`` in the HTTP response is the answer.

Reported: actions per second for both and their ratio, latency percentiles (until the reply
reached the fake Twilio, or the TwiML came back), actions left unanswered, and how many villagers
reached the survey's thanks. Both sides get one warm-up exchange (from a phone that is not a
villager) before the clock starts, so that a first request's imports and connections are not
counted as the framework's latency.

``databases`` of :func:`measure_sms` maps a row's name to where its fresh database is made: a
``sqlite…`` URL means a new SQLite file in a temporary folder, any other URL names a PostgreSQL
server on which a new database is created for the run (``CREATE DATABASE``, dropped after).
By default: SQLite, and PostgreSQL on ``CLC_BENCH_DATABASE_URL`` if it is set.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.requests import Request
from starlette.responses import JSONResponse

from bench.inbound import ACTIONS_MAX, STARTUP, THANKS, WITHIN, Run, one_centre
from bench.sms_echo import PATH as ECHO_PATH
from bench.table import Figure, tables
from bot.channels.sms import INBOUND_PATH
from tests.bot.fakes.server import free_port, serving
from tests.bot.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, PUBLIC_URL, FakeTwilio, signed

ROOT = Path(__file__).resolve().parents[1]
SEGMENTS_PER_SECOND = 1000  # the most CLC_TWILIO_SEGMENTS_PER_SECOND allows; the default is 1
BENCHMARK = "Inbound SMS: the bot against a bare TwiML endpoint"
FIRST = "Привет"
# What a villager texts back to the bot's last SMS: the first rule whose words it contains.
# SMS says things briefly (bot/channels/sms_wording.py), so these are SMS's words, not Telegram's.
ANSWERS: tuple[tuple[str, str], ...] = (
    ("Выберите язык", "2"),
    ("Согласны?", "1"),
    ("Род занятий", "5 7"),
    ("инвалидность", "нет"),
    ("Укажите ваш пол", "1"),
    ("Сколько вам лет", "4"),
    ("В каком селе", "Талдыбулак"),
    ("раньше учились", "2"),
    ("Чему хотите научиться", "4 9"),
    ("Сколько часов в неделю", "3"),
    ("Когда удобно", "1 2"),
    ("Что мешает", "1"),
    ("о новых курсах", "1"),
    ("пожелания", "пропустить"),
    ("Меню", "1"),  # after the language (and anything unexpected): the menu's first item, the survey
)


def answer_to(body: str) -> str | None:
    return next((answer for words, answer in ANSWERS if words in body), None)


@dataclass
class SmsRun(Run):
    finished: int = 0  # villagers who reached the survey's thanks


@dataclass
class WatchedTwilio(FakeTwilio):
    """The suite's fake Twilio API that also wakes whoever waits for a number's SMS."""

    received: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    _noted: int = 0
    _waiting: dict[str, asyncio.Event] = field(default_factory=dict)

    async def _create(self, request: Request) -> JSONResponse:
        response = await super()._create(request)
        for sent in self.sent[self._noted:]:  # requests interleave: note each accepted SMS once
            self.received[sent.to].append(sent.body)
            if sent.to in self._waiting:
                self._waiting.pop(sent.to).set()
        self._noted = len(self.sent)
        return response

    async def wait(self, phone: str, done: Callable[[list[str]], bool], within: float) -> float:
        """Wait until ``done(what the phone received)`` holds; the moment it did."""
        deadline = time.perf_counter() + within
        while not done(self.received[phone]):
            event = self._waiting.setdefault(phone, asyncio.Event())
            await asyncio.wait_for(event.wait(), max(0.0, deadline - time.perf_counter()))
        return time.perf_counter()


class Villagers:
    """How a villager's SMS reaches a webhook: posted and signed as Twilio does.

    Posted with aiohttp: on this loopback, httpx's pool made the bare endpoint look ten times
    slower than it is (its own overhead, a few hundred requests a second at most).
    """

    def __init__(self, url: str, signed_as: str) -> None:
        self.url, self.signed_as = url, signed_as
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=WITHIN))

    async def text(self, phone: str, body: str) -> str:
        """The webhook's answer (raises if it is not 2xx, or does not come within WITHIN)."""
        sid = "SM" + uuid.uuid4().hex
        params = {"ToCountry": "KZ", "ToState": "", "SmsMessageSid": sid, "NumMedia": "0", "SmsSid": sid,
                  "SmsStatus": "received", "Body": body, "To": FROM_NUMBER, "NumSegments": "1",
                  "MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": phone, "FromCountry": "KZ",
                  "ApiVersion": "2010-04-01"}
        headers = signed(self.signed_as, params)
        async with self.session.post(self.url, data=params, headers=headers, raise_for_status=True) as answer:
            return await answer.text()

    async def close(self) -> None:
        await self.session.close()


def _answered(seen: int) -> Callable[[list[str]], bool]:
    """The bot's whole answer has arrived: something new, ending with a question or the thanks."""
    def done(received: list[str]) -> bool:
        return len(received) > seen and (answer_to(received[-1]) is not None or THANKS in received[-1])
    return done


async def clc_villager(villagers: Villagers, fake: WatchedTwilio, phone: str, run: SmsRun) -> None:
    said, seen = FIRST, 0
    for _ in range(ACTIONS_MAX):
        started = time.perf_counter()
        posted = asyncio.create_task(villagers.text(phone, said))
        replied = asyncio.create_task(fake.wait(phone, _answered(seen), WITHIN))
        # Both, as Twilio has it: the webhook answered 2xx, and the reply SMS went out (the
        # latency is the reply's); a failed post or no reply within WITHIN: unanswered.
        done, pending = await asyncio.wait({posted, replied}, return_when=asyncio.FIRST_EXCEPTION)
        failed = next((task.exception() for task in done if task.exception() is not None), None)
        if failed is not None:
            for task in pending:
                task.cancel()
            run.unanswered += 1
            received = fake.received[phone]
            run.stuck.append(f"{failed!r}: " + " | ".join(body[:60] for body in received[-2:]))
            return
        run.actions += 1
        run.latencies.append(replied.result() - started)
        received = fake.received[phone]
        if any(THANKS in body for body in received[seen:]):
            run.finished += 1
            return
        seen = len(received)
        said = answer_to(received[-1]) or "меню"


async def echo_villager(villagers: Villagers, phone: str, run: SmsRun, actions: int) -> None:
    for n in range(actions):
        said = f"ответ {n}"
        started = time.perf_counter()
        try:
            answer = await villagers.text(phone, said)
        except (aiohttp.ClientError, TimeoutError) as error:
            run.unanswered += 1
            run.stuck.append(repr(error))
            return
        if f"<Message>{said}</Message>" not in answer:
            run.unanswered += 1
            run.stuck.append(answer[:120])
            return
        run.actions += 1
        run.latencies.append(time.perf_counter() - started)


def phone(n: int) -> str:
    return f"+7701{n:07d}"


WARM_UP = phone(9_999_999)  # not a villager: one exchange before the clock starts, for both


def _environment(extra: dict[str, str]) -> dict[str, str]:
    """This environment without the caller's own CLC_ settings (a Telegram token, another
    database), except the benchmarks' (CLC_BENCH_…)."""
    kept = {key: value for key, value in os.environ.items()
            if not key.startswith("CLC_") or key.startswith("CLC_BENCH_")}
    return {**kept, "PYTHONPATH": str(ROOT), **extra}


@asynccontextmanager
async def process(name: str, command: list[str], env: dict[str, str], port: int,
                  folder: Path) -> AsyncIterator[None]:
    """A process serving HTTP on ``port``, ready once its ``/healthz`` answers; stopped by SIGTERM."""
    log_path = folder / f"{name}.log"
    with log_path.open("wb") as log:
        started = await asyncio.create_subprocess_exec(
            *command, env=env, cwd=folder, stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log)
        try:
            await _ready(started, f"http://127.0.0.1:{port}/healthz", log_path)
            yield
        finally:
            with suppress(ProcessLookupError):
                started.terminate()
            try:
                await asyncio.wait_for(started.wait(), 30)
            except TimeoutError:
                started.kill()
                await started.wait()


async def _ready(started: asyncio.subprocess.Process, url: str, log: Path) -> None:
    deadline = time.perf_counter() + STARTUP
    async with httpx.AsyncClient(timeout=1) as client:
        while time.perf_counter() < deadline:
            if started.returncode is not None:
                break
            with suppress(httpx.HTTPError):
                if (await client.get(url)).status_code == 200:
                    return
            await asyncio.sleep(0.05)
    stopped = f"exit {started.returncode}"
    raise RuntimeError(f"{url} did not answer within {STARTUP:.0f} s ({stopped}):\n{_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-2000:]


async def measure_bot(users: int, database: str, database_url: str, folder: Path) -> SmsRun:
    """One run of the bot: ``users`` villagers walking the needs survey by SMS."""
    await one_centre(database_url)
    fake = WatchedTwilio()
    run = SmsRun("clc", "webhook", database, users)
    port = free_port()
    async with serving(fake.app) as api_url:
        env = _environment({
            "CLC_DATABASE_URL": database_url, "CLC_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "CLC_TWILIO_AUTH_TOKEN": AUTH_TOKEN, "CLC_TWILIO_FROM": FROM_NUMBER,
            "CLC_TWILIO_API_URL": api_url, "CLC_PUBLIC_URL": PUBLIC_URL, "CLC_HTTP_PORT": str(port),
            "CLC_LOG_LEVEL": "WARNING", "CLC_TWILIO_SEGMENTS_PER_SECOND": str(SEGMENTS_PER_SECOND)})
        async with process("clc-sms", [sys.executable, "-m", "bench.bot_process"], env, port, folder):
            villagers = Villagers(f"http://127.0.0.1:{port}{INBOUND_PATH}", PUBLIC_URL + INBOUND_PATH)
            await villagers.text(WARM_UP, FIRST)  # a first request pays for imports and connections
            await fake.wait(WARM_UP, _answered(0), WITHIN)
            started = time.perf_counter()
            await asyncio.gather(*(clc_villager(villagers, fake, phone(n), run) for n in range(users)))
            run.elapsed = time.perf_counter() - started
            await villagers.close()
    return run


async def measure_echo(users: int, database: str, actions: int, folder: Path) -> SmsRun:
    """One run of the bare endpoint: ``users`` villagers sending ``actions`` SMS each."""
    run = SmsRun("echo", "webhook", database, users)
    port = free_port()
    command = [sys.executable, "-m", "bench.sms_echo", str(port)]
    async with process("sms-echo", command, _environment({}), port, folder):
        villagers = Villagers(f"http://127.0.0.1:{port}{ECHO_PATH}", PUBLIC_URL + ECHO_PATH)
        await villagers.text(WARM_UP, FIRST)
        started = time.perf_counter()
        await asyncio.gather(*(echo_villager(villagers, phone(n), run, actions) for n in range(users)))
        run.elapsed = time.perf_counter() - started
        await villagers.close()
    return run


@asynccontextmanager
async def fresh_database(folder: Path, url: str) -> AsyncIterator[str]:
    """A new, empty database for one run: a SQLite file, or a database created on the PostgreSQL
    server ``url`` names (with AUTOCOMMIT, as CREATE DATABASE needs) and dropped afterwards."""
    if url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{folder / f'sms_{uuid.uuid4().hex[:8]}.db'}"
        return
    fresh = f"bench_sms_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{fresh}"'))
        yield make_url(url).set(database=fresh).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)'))
        await admin.dispose()


def default_databases() -> dict[str, str]:
    postgresql = os.environ.get("CLC_BENCH_DATABASE_URL")
    return {"sqlite": "sqlite", **({"postgresql": postgresql} if postgresql else {})}


def _ms(run: SmsRun, q: int) -> str:
    return f"{run.quantile(q) * 1000:.0f} ms"


def figure(bot: SmsRun, bare: SmsRun) -> Figure:
    return Figure(BENCHMARK, f"{bot.database}, {bot.users} villagers", {
        "bot actions/s": f"{bot.per_second:.1f}", "bare actions/s": f"{bare.per_second:.1f}",
        "ratio": f"{bot.per_second / bare.per_second:.2f}" if bare.per_second else "-",
        **{f"p{q}": f"{_ms(bot, q)} (bare {_ms(bare, q)})" for q in (50, 95, 99)},
        "unanswered": f"{bot.unanswered} (bare {bare.unanswered})",
        "actions": f"{bot.actions} (bare {bare.actions})",
        "reached the thanks": f"{bot.finished}/{bot.users}",
        "SMS pace": f"{SEGMENTS_PER_SECOND} segments/s (default 1)"})


async def measure_sms(users: Sequence[int], databases: Mapping[str, str] | None = None) -> list[Figure]:
    """Each database, each number of villagers: the bot on a fresh database, then the bare
    endpoint with as many actions a villager as the bot's villagers took."""
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for database, url in (default_databases() if databases is None else databases).items():
            for n in users:
                async with fresh_database(folder, url) as fresh:
                    bot = await measure_bot(n, database, fresh, folder)
                actions = max(1, round(bot.actions / max(1, n)))
                bare = await measure_echo(n, database, actions, folder)
                figures.append(figure(bot, bare))
                print(tables(figures[-1:]), flush=True)
                for stuck in bot.stuck[:5]:
                    print(f"  unanswered: {stuck}", flush=True)
    return figures


if __name__ == "__main__":  # python -m bench.inbound_sms [N …]
    asyncio.run(measure_sms([int(n) for n in sys.argv[1:]] or [10]))
