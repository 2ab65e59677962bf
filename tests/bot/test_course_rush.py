"""A rush for the last seat: 30 villagers press «Записаться» at once for a course with one seat.

Through the real :class:`Dispatcher` on the real clock, in one process (30 concurrent steps,
SQLite and PostgreSQL) and in two OS processes (15 each, each with its own engine, as two
``clc-bot`` would run; PostgreSQL, where the race was). Exactly one is seated, the other 29 are
told positions 1..29, each the position the committed list gives them (as ``clc-admin course
learners`` shows it), and nobody is told «Извините, у нас произошла ошибка».
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.dispatcher import Dispatcher
from bot.i18n import Catalogs
from storage import courses as repo
from storage.db import Database
from storage.models.courses import Course
from tests.built import FEATURES
from tests.conftest import Chat
from tests.storage.courses_helpers import make_centre, make_course

PEOPLE = 30
ROOT = Path(__file__).resolve().parents[2]
SEATED = "Готово! У вас есть место на курсе «Компьютерная грамотность»."
POSITION = re.compile(r"Ваш номер в очереди: (\d+)\.")
APOLOGY = "Извините, у нас произошла ошибка"


@dataclass(frozen=True)
class Answer:
    address: str
    contact_id: int | None
    failed: bool
    text: str


async def at_the_enrol_button(database: Database, catalogs: Catalogs) -> int:
    """A one-seat course and 30 villagers (in Russian) each looking at its «Записаться» button."""
    async with database.transaction() as session:
        course = await make_course(session, await make_centre(session), capacity=1)
    dispatcher = Dispatcher(database, FEATURES)

    async def walk(n: int) -> str:
        chat = Chat(dispatcher, catalogs, address=f"sim:{n}")
        await chat.send("русский")  # a first message naming a language chooses it
        await chat.send("курсы")
        return await chat.say("1")  # the course's details

    details = await asyncio.gather(*(walk(n) for n in range(PEOPLE)))
    assert all("осталось 1 свободное место" in text and "1. Записаться" in text for text in details), details
    return course.id


async def committed(database: Database, course_id: int) -> tuple[set[int], dict[int, int]]:
    """Seat holders and waiting positions by contact, read as ``clc-admin course learners`` does."""
    async with database.transaction() as session:
        course = await session.get(Course, course_id)
        assert course is not None
        holders = {row.contact_id for row in await repo.seat_holders(session, course_id)}
        waiting = {row.contact_id: position for position, row in await repo.waiting_list(session, course)}
    return holders, waiting


async def assert_fair(database: Database, course_id: int, answers: Sequence[Answer]) -> None:
    assert len(answers) == PEOPLE
    apologies = [a.address for a in answers if a.failed or APOLOGY in a.text]
    assert apologies == [], f"{len(apologies)} of {PEOPLE} were told the apology"
    assert all(a.contact_id is not None for a in answers)
    seated = {a.contact_id for a in answers if SEATED in a.text}
    told: dict[int, int] = {}
    for answer in answers:
        found = POSITION.search(answer.text)
        if found and answer.contact_id is not None:
            told[answer.contact_id] = int(found[1])
    assert len(seated) == 1 and len(told) == PEOPLE - 1, [a.text for a in answers]
    assert sorted(told.values()) == list(range(1, PEOPLE))
    holders, waiting = await committed(database, course_id)
    assert holders == seated
    wrong = {who: (position, waiting.get(who)) for who, position in told.items() if waiting.get(who) != position}
    assert wrong == {}, "told position ≠ committed position (told, committed)"


async def test_thirty_press_enrol_at_once_in_one_process(database: Database, catalogs: Catalogs) -> None:
    course_id = await at_the_enrol_button(database, catalogs)
    dispatcher = Dispatcher(database, FEATURES)  # the real clock: the step's time is the real moment
    chats = [Chat(dispatcher, catalogs, address=f"sim:{n}") for n in range(PEOPLE)]
    texts = await asyncio.gather(*(chat.say("1") for chat in chats))  # «Записаться», all at once
    answers = []
    for chat, said in zip(chats, texts, strict=True):
        assert chat.last is not None
        answers.append(Answer(chat.address, chat.last.contact_id, chat.last.failed, said))
    await assert_fair(database, course_id, answers)


async def _start(url: str, schema: str, addresses: Sequence[str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.bot.rush_worker", url, schema, *addresses, cwd=ROOT,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def _ready(process: asyncio.subprocess.Process) -> None:
    assert process.stdout is not None and process.stderr is not None
    ready = await asyncio.wait_for(process.stdout.readline(), timeout=60)
    assert ready == b"ready\n", ready + await process.stderr.read()


async def _answers(process: asyncio.subprocess.Process) -> tuple[list[Answer], str]:
    stdout, stderr = await asyncio.wait_for(process.communicate(b"go\n"), timeout=60)
    assert process.returncode == 0, stderr.decode()
    return [Answer(**json.loads(line)) for line in stdout.decode().splitlines()], stderr.decode()


async def test_thirty_press_enrol_at_once_in_two_processes(database: Database, catalogs: Catalogs) -> None:
    if database.is_sqlite:  # the worker runs on SQLite too (schema "-"), but two more interpreters
        pytest.skip("two processes: PostgreSQL only (SQLite serialises whole transactions; time budget)")
    url = database.engine.url.render_as_string(hide_password=False)
    async with database.transaction() as session:
        schema = str(await session.scalar(text("SELECT current_schema()")))
    addresses = [f"sim:{n}" for n in range(PEOPLE)]
    # Both processes start (and import) while the villagers walk to the button.
    processes = [await _start(url, schema, addresses[half::2]) for half in (0, 1)]
    try:
        course_id = await at_the_enrol_button(database, catalogs)
        for process in processes:
            await _ready(process)
        results = await asyncio.gather(*(_answers(process) for process in processes))
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
    await assert_fair(database, course_id, [answer for answers, _ in results for answer in answers])
    logs = "".join(log for _, log in results)
    assert "Traceback" not in logs, logs
