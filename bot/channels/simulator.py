"""The terminal simulator: chat with the bot as a villager, buttons shown as numbered options.

Interactive on a terminal; with ``--transcript`` (or when stdin is not a terminal) it prints a
transcript instead: ``> `` before what the villager typed, ``< `` before each line of the bot,
which is also the format of the golden transcript tests.

The simulator is also its person's channel for messages that are not an immediate answer
(a seat offer, a questionnaire invitation): ``send`` prints them as they are delivered.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import stat
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
        self.language = language_hint
        self.waiting_for_input = False

    async def say(self, text: str | None) -> None:
        if self.transcript and text is not None:
            self.out.write(f"> {text}\n")
        event = Inbound(self.channel, self.address, text=text, language_hint=self.language_hint,
                        capabilities=SMS_CAPABILITIES if self.channel == SMS else frozenset())
        handled = await self.dispatcher.handle(event)
        self.contact_id = handled.contact_id or self.contact_id
        self.language = handled.language
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
        typed = LineReader(lines)
        while True:
            if not self.transcript:
                self.out.write("> ")
                self.out.flush()
            self.waiting_for_input = True
            line = await typed.readline()
            self.waiting_for_input = False
            if not line or line.strip().lower() in QUIT_WORDS:
                return
            await self.say(line.rstrip("\r\n"))

    def goodbye(self) -> None:
        """The last line, however the simulator ends (/quit, Ctrl-D, Ctrl-C)."""
        if self.waiting_for_input and not self.transcript:
            self.out.write("\n")  # Ctrl-C at the prompt: leave the prompt's line
        self.out.write(self.catalogs.translator(self.language).text(Msg(N_("Goodbye!"))) + "\n")
        self.out.flush()


class LineReader:
    """Typed lines, read by the event loop itself when input is a terminal or a pipe.

    A thread blocked in ``readline`` cannot be interrupted: Ctrl-C would cancel the
    conversation but ``asyncio.run`` would still wait for that thread, that is for Enter.
    Waiting with ``add_reader`` instead, Ctrl-C ends the simulator at once. Files and
    in-memory text never block, so they are read directly.
    """

    def __init__(self, lines: TextIO) -> None:
        self.lines = lines
        self.fd = _pollable_fd(lines)
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.pending = ""
        self.ended = False

    async def readline(self) -> str:
        if self.fd is None:
            return self.lines.readline()
        while "\n" not in self.pending and not self.ended:
            await self._readable(self.fd)
            chunk = os.read(self.fd, 4096)
            self.ended = not chunk
            self.pending += self.decoder.decode(chunk, final=self.ended)
        line, newline, self.pending = self.pending.partition("\n")
        return line + newline

    @staticmethod
    async def _readable(fd: int) -> None:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, wake)
        try:
            await ready
        finally:
            loop.remove_reader(fd)


def _pollable_fd(lines: TextIO) -> int | None:
    """The descriptor to wait on: a terminal, a pipe or a socket. None when reading cannot block
    (a file, /dev/null, a StringIO: epoll refuses files and devices) or the loop cannot wait on
    it (Windows)."""
    try:
        fd = lines.fileno()
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        return None
    if sys.platform == "win32":
        return None
    mode = os.fstat(fd).st_mode
    return fd if os.isatty(fd) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) else None


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()
