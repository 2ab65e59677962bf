"""``clc-bot run`` killed with SIGKILL at random moments while villagers answer the needs survey
on Telegram, by polling and by webhook: nothing they said is lost or stored twice, every message
is answered, and no answer lands on a question they did not see (issue 13 §1-2).

The villagers are the fake Bot API's users. Each reads the bot's last message and answers it
(``ANSWERS``), then waits for the bot's next message, as a person does; a restarted process owes
them what the killed one did not send. By webhook, the test plays Telegram: it posts each update
until it is answered 2xx, one at a time, in order. The kills are seeded, so a failure repeats.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import random
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.channels.telegram import SECRET_HEADER, webhook_secret
from storage.db import Database
from storage.models import ChannelIdentity, InboundMessage
from storage.models.surveys import SurveyAnswer, SurveyRun
from tests.bot.fakes.server import free_port, serving
from tests.bot.fakes.telegram_api import FakeTelegram

BIN = Path(sys.executable).parent
VILLAGERS = (1101, 1102, 1103)
KILLS = 3
THANKS = "Спасибо! Ваши ответы сохранены."
# What a villager answers to the bot's last message: the first rule whose words it contains.
ANSWERS: tuple[tuple[str, str], ...] = (
    ("Выберите язык", "2"),
    ("Главное меню", "1"),
    ("Вы согласны", "да"),
    ("Чем вы сейчас занимаетесь", "5;7"),
    ("инвалидность", "нет"),
    ("Укажите ваш пол", "женский"),
    ("Сколько вам лет", "4"),
    ("В каком селе", "Талдыбулак"),
    ("раньше учились", "нет"),
    ("Чему вы хотели бы научиться", "4 9"),
    ("Сколько времени в неделю", "3"),
    ("Когда вам удобно", "1 2"),
    ("Что мешает", "1"),
    ("узнавать о новых курсах", "1"),
    ("Что ещё вы хотели бы сказать", "пропустить"),
)
WEBHOOK_PATH = "/tg/hook"
SAID_AGAIN = "Похоже, моё последнее сообщение до вас не дошло."


def answer_to(text: str) -> str | None:
    return next((answer for words, answer in ANSWERS if words in text), None)


def transcripts(fake: FakeTelegram, said: list[tuple[int, int, str]]) -> str:
    """Each villager's conversation in order, for a failure's report."""
    lines = []
    for user in VILLAGERS:
        texts = fake.texts(user)
        answers = {seen: text for who, seen, text in said if who == user}
        for index, text in enumerate(texts):
            lines.append(f"{user} < {text[:70]!r}")
            if index + 1 in answers:
                lines.append(f"{user} > {answers[index + 1]}")
    return "\n".join(lines)


class Bot:
    """``clc-bot run`` as a process that can be killed and started again."""

    def __init__(self, env: dict[str, str], cwd: Path, args: tuple[str, ...]) -> None:
        self.env, self.cwd, self.args = env, cwd, args
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.log = (cwd / "clc-bot.log").open("ab")  # every start's, for a failure's report

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            str(BIN / "clc-bot"), "run", *self.args, env=self.env, cwd=self.cwd,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=self.log,
        )
        self.starts += 1

    async def kill(self) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            await self.kill()
        self.log.close()


async def villager(fake: FakeTelegram, user_id: int, said: list[tuple[int, int, str]]) -> int:
    """Answers what it reads until the survey thanks it; returns how many messages it sent.

    A process killed after Telegram took a reply and before it could note so sends that reply
    again after the restart (at least once is the most any sender can promise; the test counts
    those repeats): like a person, the villager does not answer again a question it has just
    answered, it waits for the next. Unless the bot says its message did not reach them: then
    their answer was not applied (it answered something they may not have seen), and they
    answer the question that follows. Bounded: 60 answers, and 30 s at most for each message.
    """
    fake.user_sends(user_id, "/start")
    sent, seen, answered, said_again = 1, 0, "", False
    while sent < 60:
        try:
            await fake.wait_for(lambda seen=seen: len(fake.chat(user_id)) > seen, within=30)
        except TimeoutError:
            raise AssertionError(f"villager {user_id} waits in vain after: {said[-3:]}, "
                                 f"{[t[:50] for t in fake.texts(user_id)[-4:]]}") from None
        texts = fake.texts(user_id)
        if any(THANKS in text for text in texts[seen:]):
            return sent
        said_again = said_again or any(SAID_AGAIN in text for text in texts[seen:])
        seen = len(texts)
        answer = answer_to(texts[-1])
        # None: the rest of a reply in several messages is on its way
        if answer is not None and (texts[-1] != answered or said_again):
            said.append((user_id, seen, answer))
            fake.user_sends(user_id, answer)
            sent, answered, said_again = sent + 1, texts[-1], False
    raise AssertionError(f"villager {user_id} never reached the end of the survey: {fake.texts(user_id)}")


def repeats(texts: list[str]) -> int:
    """Messages that are the message just before them again."""
    return sum(1 for before, text in itertools.pairwise(texts) if text == before)


async def kill_at_random(bot: Bot, ready: Callable[[], Awaitable[None]], rng: random.Random) -> None:
    for _ in range(KILLS):
        await ready()
        await asyncio.sleep(rng.uniform(0.1, 0.8))
        await bot.kill()
        await bot.start()
    await ready()


async def telegram_posts_to_webhook(fake: FakeTelegram, url: str, secret: str) -> None:
    """Telegram's side of a webhook: each update again and again until answered 2xx, in order."""
    async with httpx.AsyncClient(timeout=10) as client:
        while True:
            if not fake.updates:
                await fake.wait_for(lambda: bool(fake.updates), within=60)
            try:
                response = await client.post(url, json=fake.updates[0], headers={SECRET_HEADER: secret})
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code == 200:
                fake.updates.pop(0)
            else:
                await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def bot_with_telegram(
    fake: FakeTelegram, sqlite_url: str, cwd: Path, *, webhook: bool
) -> AsyncIterator[tuple[Bot, Callable[[], Awaitable[None]]]]:
    async with serving(fake.app()) as api_url:
        env = {**os.environ, "CLC_DATABASE_URL": sqlite_url, "CLC_TELEGRAM_TOKEN": fake.token,
               "CLC_TELEGRAM_API_URL": api_url, "CLC_OUTBOX_INTERVAL_SECONDS": "0.5",
               "CLC_LOG_LEVEL": "INFO"}
        args: tuple[str, ...] = ()
        poster: asyncio.Task[None] | None = None
        if webhook:
            port = free_port()
            env |= {"CLC_HTTP_HOST": "127.0.0.1", "CLC_HTTP_PORT": str(port)}
            args = ("--webhook", f"https://clc.example.org{WEBHOOK_PATH}")
            poster = asyncio.create_task(telegram_posts_to_webhook(
                fake, f"http://127.0.0.1:{port}{WEBHOOK_PATH}", webhook_secret(fake.token)))
        bot = Bot(env, cwd, args)
        method = "setWebhook" if webhook else "getUpdates"

        async def ready() -> None:  # this start of the process is serving
            starts = bot.starts
            await fake.wait_for(lambda: sum(m == method for m, _ in fake.calls) >= starts, within=30)

        await bot.start()
        try:
            yield bot, ready
        finally:
            if poster is not None:
                poster.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await poster
            await bot.stop()


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
async def test_sigkill_at_random_moments_loses_no_answer_and_answers_every_message(
    sqlite_url: str, tmp_path: Path, webhook: bool
) -> None:
    fake = FakeTelegram()
    rng = random.Random(13)
    async with bot_with_telegram(fake, sqlite_url, tmp_path, webhook=webhook) as (bot, ready):
        await ready()
        killer = asyncio.create_task(kill_at_random(bot, ready, rng))
        said: list[tuple[int, int, str]] = []
        sent = await asyncio.gather(*(villager(fake, user_id, said) for user_id in VILLAGERS))
        await killer
    assert bot.starts == KILLS + 1

    db = Database.from_url(sqlite_url)
    try:
        async with db.transaction() as session:
            unhandled = await session.scalar(
                select(func.count()).select_from(InboundMessage).where(InboundMessage.handled_at.is_(None)))
            inbound = await session.scalar(select(func.count()).select_from(InboundMessage))
            answers: dict[int, dict[str, Any]] = {}
            rows = await session.execute(
                select(ChannelIdentity.address, SurveyAnswer.question_id, SurveyAnswer.value)
                .join(SurveyRun, SurveyRun.id == SurveyAnswer.run_id)
                .join(ChannelIdentity, ChannelIdentity.contact_id == SurveyRun.contact_id))
            for address, question, value in rows:
                answers.setdefault(int(address.removeprefix("telegram:")), {})[question] = value
            runs = (await session.scalars(select(SurveyRun.status))).all()
    finally:
        await db.dispose()
    assert unhandled == 0
    assert inbound == sum(sent), "every update the villagers sent is in the log exactly once"
    assert sorted(runs) == ["completed"] * len(VILLAGERS), "one survey each, finished"
    expected = answers[VILLAGERS[0]]
    assert {user: answers[user] for user in VILLAGERS} == {user: expected for user in VILLAGERS}, (
        transcripts(fake, said))
    assert expected["situation"] == ["pensioner", "homemaker"] and expected["disability"] == "no"
    # A reply is sent again only by a kill between Telegram's "ok" and the row marked sent.
    assert sum(repeats(fake.texts(user)) for user in VILLAGERS) <= KILLS
