"""One villager's phone on any of the three channels, so a journey is written once and run on all.

Each phone talks through its channel's real adapter: the terminal ``Simulator``, the real
python-telegram-bot Application against the fake Bot API, or signed Twilio webhooks with
replies through the real twilio client. ``choose`` picks an option by (part of) its label the
way that channel's user would: a button press on Telegram, its number typed elsewhere.
Messages the outbox delivers later (offers, notices, invitations) are read with ``inbox``.
"""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Protocol

from bot.channels.simulator import Simulator
from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.i18n import Catalogs
from storage.db import Database
from tests.bot.fakes.telegram_api import FakeTelegram, SentMessage
from tests.bot.sms_harness import SmsWorld, sms_world
from tests.bot.telegram_harness import ObservedChannel, Villager, running_bot
from tests.built import FEATURES, outbox_sender

OPTION = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)
# SMS puts short choices on one line without dots: "1 Иә 2 Жоқ".
COMPACT = re.compile(r"(?:^| )(\d+) (.+?)(?= \d+ |$)")
CHANNELS = ("simulator", "telegram", "sms")


class Phone(Protocol):
    async def open(self) -> str:
        """The first contact: a greeting, answered by the language question."""
        ...

    async def say(self, text: str) -> str: ...

    async def choose(self, *labels: str) -> str:
        """One option; several labels are a multiple choice, ended with its last option (done)."""
        ...

    def inbox(self) -> str:
        """What arrived since the last look without being asked (the outbox's deliveries)."""
        ...


class World(Protocol):
    def phone(self, n: int, language: str) -> Phone: ...

    async def deliver(self) -> int: ...


def number_of(label: str, shown: str) -> int:
    """The number a text channel shows before the last option whose label contains ``label``."""
    found = [number for number, text in options(shown) if label in text]
    assert found, f"no option {label!r} in:\n{shown}"
    return found[-1]


def options(shown: str) -> list[tuple[int, str]]:
    """The numbered options of a text: ``1. label`` lines, or SMS's ``1 label`` (several a line)."""
    found: list[tuple[int, str]] = []
    for line in shown.splitlines():
        dotted = OPTION.match(line)
        if dotted:
            found.append((int(dotted[1]), dotted[2]))
        elif line[:1].isdigit():
            found.extend((int(number), text) for number, text in COMPACT.findall(line))
    return found


class TextPhone:
    """A phone whose options are numbered lines: the simulator and SMS."""

    def __init__(self, send: Callable[[str | None], object], received: Callable[[], str]) -> None:
        self._send, self._received = send, received
        self.shown = ""

    async def open(self) -> str:
        return await self._said(None)

    async def say(self, text: str) -> str:
        return await self._said(text)

    async def choose(self, *labels: str) -> str:
        numbers = [number_of(label, self.shown) for label in labels]
        return await self._said(" ".join(str(n) for n in numbers))

    def inbox(self) -> str:
        return self._look()

    async def _said(self, text: str | None) -> str:
        await self._send(text)  # type: ignore[misc]
        return self._look()

    def _look(self) -> str:
        new = self._received()
        if options(new):
            self.shown = new
        return new


class SimulatorWorld:
    def __init__(self, database: Database, catalogs: Catalogs, clock: FakeClock) -> None:
        self.database, self.catalogs, self.clock = database, catalogs, clock
        self.terminals: list[Simulator] = []

    def phone(self, n: int, language: str) -> Phone:
        out = io.StringIO()
        terminal = Simulator(Dispatcher(self.database, FEATURES, clock=self.clock), self.catalogs, channel="simulator",
                             address=f"sim:{n}", language_hint=language, out=out, transcript=True)
        self.terminals.append(terminal)
        seen = [0]

        def received() -> str:
            text = out.getvalue()[seen[0]:]
            seen[0] = len(out.getvalue())
            lines = [line.removeprefix("< ").removeprefix("<") for line in text.splitlines()
                     if not line.startswith("> ")]
            return "\n".join(lines)

        return TextPhone(terminal.say, received)

    async def deliver(self) -> int:
        """Each terminal's own outbox, as ``clc-bot simulate`` runs it."""
        sent = 0
        for terminal in self.terminals:
            if terminal.contact_id is not None:
                sent += await outbox_sender(self.database, self.catalogs, {"simulator": terminal}, clock=self.clock,
                                           only_contact=terminal.contact_id).send_due()
        return sent


GREETING = {"kk": "сәлем", "ru": "привет"}


class SmsPhoneWorld:
    def __init__(self, world: SmsWorld, database: Database, catalogs: Catalogs, clock: FakeClock) -> None:
        self.world, self.database, self.catalogs, self.clock = world, database, catalogs, clock

    def phone(self, n: int, language: str) -> Phone:
        number = f"+7701{n:07d}"

        async def send(text: str | None) -> None:
            response = await self.world.text(number, text if text is not None else GREETING[language])
            assert response.status_code == 200, response.text

        return TextPhone(send, lambda: "\n".join(self.world.new_for(number)))

    async def deliver(self) -> int:
        return await outbox_sender(self.database, self.catalogs, {"sms": self.world.sender}, clock=self.clock).send_due()


class TelegramPhone:
    def __init__(self, villager: Villager) -> None:
        self.villager = villager
        self.seen = 0

    async def open(self) -> str:
        return self._text(await self.villager.says("/start"))

    async def say(self, text: str) -> str:
        return self._text(await self.villager.says(text))

    async def choose(self, *labels: str) -> str:
        message = self.villager.keyboard_message()
        if len(labels) == 1:
            return self._text(await self.villager.presses(labels[0], message))
        for label in labels:  # toggles edit the question in place
            await self.villager.presses(label, self.villager.fake.messages[message.message_id])
        edited = self.villager.fake.messages[message.message_id]
        return self._text(await self.villager.presses_number(len(edited.buttons()), edited))

    def inbox(self) -> str:
        return self._text([])

    def _text(self, answered: list[SentMessage]) -> str:
        chat = self.villager.fake.chat(self.villager.user_id)
        new, self.seen = chat[self.seen:], len(chat)
        return "\n".join(m.text for m in new or answered)


class TelegramWorld:
    def __init__(self, fake: FakeTelegram, channel: ObservedChannel, database: Database, catalogs: Catalogs,
                 clock: FakeClock) -> None:
        self.fake, self.channel, self.database, self.catalogs, self.clock = fake, channel, database, catalogs, clock

    def phone(self, n: int, language: str) -> Phone:
        return TelegramPhone(Villager(self.fake, self.channel, 1000 + n, language=language))

    async def deliver(self) -> int:
        senders = {"telegram": self.channel.sender}
        return await outbox_sender(self.database, self.catalogs, senders, clock=self.clock).send_due()


@asynccontextmanager
async def world_of(channel: str, database: Database, catalogs: Catalogs, clock: FakeClock) -> AsyncIterator[World]:
    if channel == "simulator":
        yield SimulatorWorld(database, catalogs, clock)
    elif channel == "sms":
        async with sms_world(database, catalogs, clock) as world:
            yield SmsPhoneWorld(world, database, catalogs, clock)
    else:
        fake = FakeTelegram()
        async with running_bot(fake, database, catalogs, clock) as running:
            yield TelegramWorld(fake, running, database, catalogs, clock)
