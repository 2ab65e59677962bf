"""The terminal simulator: chat with the bot as a villager, buttons shown as numbered options.

Interactive on a terminal; with ``--transcript`` (or when stdin is not a terminal) it prints a
transcript instead: ``> `` before what the villager typed, ``< `` before each line of the bot,
which is also the format of the golden transcript tests.

The simulator is also its person's channel for messages that are not an immediate answer
(a seat offer, a questionnaire invitation): ``send`` prints them as they are delivered.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from typing import TextIO

from bot.channels.addresses import SIMULATOR, SMS, SMS_CAPABILITIES, phone_address
from bot.channels.base import PartSent
from bot.dispatcher import Dispatcher
from bot.i18n import Catalogs, Translator
from bot.render import render_numbered
from flows.errors import RetryLater
from flows.events import N_, Inbound, Msg, Reply

SIM_CHANNEL = SIMULATOR
SIM_ADDRESS = "sim:local"
QUIT_WORDS = frozenset({"/quit", "/exit", "/q"})


def sim_identity(phone: str | None) -> tuple[str, str]:
    """``--phone`` makes the simulator stand in for that phone over SMS: one contact, two ways."""
    if phone is None:
        return SIM_CHANNEL, SIM_ADDRESS
    return SMS, phone_address(phone)


class Simulator:
    def __init__(
        self,
        dispatcher: Dispatcher,
        catalogs: Catalogs,
        *,
        channel: str,
        address: str,
        language_hint: str | None,
        out: TextIO,
        transcript: bool,
    ) -> None:
        self.dispatcher = dispatcher
        self.catalogs = catalogs
        self.channel = channel
        self.address = address
        self.language_hint = language_hint
        self.out = out
        self.transcript = transcript
        self.contact_id: int | None = None
        self.waiting_for_input = False

    async def say(self, text: str | None) -> None:
        if self.transcript and text is not None:
            self.out.write(f"> {text}\n")
        event = Inbound(self.channel, self.address, text=text, language_hint=self.language_hint,
                        capabilities=SMS_CAPABILITIES if self.channel == SMS else frozenset())
        handled = await self.dispatcher.handle(event)
        self.contact_id = handled.contact_id or self.contact_id
        self.show(handled.replies, self.catalogs.translator(handled.language))

    async def send(
        self, address: str, replies: Sequence[Reply], tr: Translator, *, skip: int = 0,
        on_part: PartSent | None = None,
    ) -> list[str]:
        """The outbox's delivery to this terminal's person (``bot.channels.base.Sender``): all
        replies print at once, as one part."""
        if address != self.address:
            raise RetryLater(f"{address} is not this terminal's person", retry_after=60)
        if skip >= 1:
            return []
        if self.waiting_for_input and not self.transcript:
            self.out.write("\n")  # the message arrives while the prompt waits: start a clean line
        self.show(tuple(replies), tr)
        if self.waiting_for_input and not self.transcript:
            self.out.write("> ")
            self.out.flush()
        provider_id = f"{self.address}:{len(replies)}"
        if on_part is not None:
            await on_part(1, 1, provider_id)
        return [provider_id]

    def show(self, replies: tuple[Reply, ...], tr: Translator) -> None:
        for reply in replies:
            text = render_numbered(reply, tr)
            if self.transcript:
                self.out.write("".join(f"< {line}".rstrip() + "\n" for line in text.splitlines()))
            else:
                self.out.write(text + "\n\n")
        self.out.flush()

    async def run(self, lines: TextIO) -> None:
        if not self.transcript:
            intro = Msg(N_("Terminal simulator. Type your answer and press Enter; /quit to leave."))
            self.out.write(self.catalogs.translator(self.language_hint).text(intro) + "\n\n")
        await self.say(None)
        loop = asyncio.get_running_loop()
        while True:
            if not self.transcript:
                self.out.write("> ")
                self.out.flush()
            self.waiting_for_input = True
            line = await loop.run_in_executor(None, lines.readline)
            self.waiting_for_input = False
            if not line or line.strip().lower() in QUIT_WORDS:
                return
            await self.say(line.rstrip("\r\n"))


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()
