"""The service's own logging (``bot.logs.configure_logging``, as ``clc-bot run`` calls it), captured.

What the service's handler writes (formatted, secrets masked, tracebacks included) goes to a
buffer instead of stderr, and every record that reaches the root logger is kept as well, so a
test can check both what a person reading the logs would see and which loggers spoke.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from bot.logs import QUIET_LOGGERS, configure_logging

# Library loggers configure_logging sets a level on; restored afterwards for the next test.
TOUCHED = (*QUIET_LOGGERS, "apscheduler")


class ServiceLogs(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.written = io.StringIO()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def text(self) -> str:
        """Everything the service's handler printed: messages, exceptions and tracebacks."""
        return self.written.getvalue()


@contextmanager
def service_logs(level: str = "INFO", secrets: Iterable[str] = ()) -> Iterator[ServiceLogs]:
    root = logging.getLogger()
    handlers, root_level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in TOUCHED}
    configure_logging(level, secrets)
    service_handler = root.handlers[0]
    assert isinstance(service_handler, logging.StreamHandler)
    captured = ServiceLogs()
    service_handler.setStream(captured.written)
    root.addHandler(captured)
    try:
        yield captured
    finally:
        root.handlers[:], root.level = handlers, root_level
        for name, previous in levels.items():
            logging.getLogger(name).setLevel(previous)


def digits_pattern(phone: str) -> re.Pattern[str]:
    """A phone number's national digits (the last ten) written in any usual way: with or without
    +7 or 8 before them, spaces, dashes, dots or brackets between the digits."""
    national = re.sub(r"\D", "", phone)[-10:]
    return re.compile(r"[\s().-]{0,2}".join(national))


def leaks(text: str, *, phones: Iterable[str] = (), private: Iterable[str] = ()) -> list[str]:
    """The lines of ``text`` showing a phone number (any format) or any of the ``private`` strings."""
    patterns = [digits_pattern(phone) for phone in phones]
    # as typed, and as JSON writes it (a stored answer's value: "\u049a\u044b…")
    secrets = [form for s in private if s for form in (s, json.dumps(s)[1:-1])]
    return [
        line for line in text.splitlines()
        if any(p.search(line) for p in patterns) or any(s in line for s in secrets)
    ]
