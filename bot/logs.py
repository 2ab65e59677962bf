"""Logging set-up that never prints a secret: known secret values are masked in every record.

At INFO and above, people appear by their contact or identity id only: never a phone number,
an address or what they wrote (those logs may be shared; the database holds the rest).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from types import TracebackType

QUIET_LOGGERS = ("httpx", "twilio", "alembic")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_BOT_TOKEN_IN_URL = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")
# What a database error quotes of the row it failed on: SQLAlchemy's "[parameters: (…)]" line
# (one line: the values are reprs), PostgreSQL's DETAIL "Key (address)=(tel:+7…)" and
# "Failing row contains (…)". A failed INSERT of an inbound message or a survey answer would
# otherwise put a phone number or what someone typed into the traceback.
_PERSONAL_IN_ERRORS = (
    (re.compile(r"^\[parameters: .*$", re.MULTILINE), "[parameters: hidden from the logs]"),
    (re.compile(r"(Key \([^)]*\)=)\(.*?\)(?= already exists| is (?:not present|still referenced)|\.?$)",
                re.MULTILINE), r"\1(…)"),
    (re.compile(r"(Failing row contains )\(.*\)", re.MULTILINE), r"\1(…)"),
)
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def mask(self, text: str) -> str:
        masked = _BOT_TOKEN_IN_URL.sub("/bot***", text)
        for secret in self.secrets:
            masked = masked.replace(secret, "***")
        return masked

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.mask(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def without_personal_data(text: str) -> str:
    for pattern, replacement in _PERSONAL_IN_ERRORS:
        text = pattern.sub(replacement, text)
    return text


class PrivateFormatter(logging.Formatter):
    """Masks secrets and the values a database error quotes in tracebacks, which the filter
    cannot reach: the formatter writes them after the filters ran."""

    def __init__(self, redact: RedactSecrets) -> None:
        super().__init__(FORMAT)
        self.redact = redact

    def formatException(self, ei: ExcInfo) -> str:
        return self.redact.mask(without_personal_data(super().formatException(ei)))

    def formatStack(self, stack_info: str) -> str:
        return self.redact.mask(super().formatStack(stack_info))


def configure_logging(level: str, secrets: Iterable[str] = ()) -> None:
    redact = RedactSecrets(secrets)
    handler = logging.StreamHandler()
    handler.setFormatter(PrivateFormatter(redact))
    handler.addFilter(redact)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO (Telegram's, with the token, went through it until
    # bot.channels.telegram_http; other clients still may). The twilio
    # client logs 11 INFO lines per SMS (the URL with the Account SID, the recipient's number,
    # headers): no phone number or message text may reach the logs at INFO or above.
    for noisy in QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # APScheduler logs every tick at INFO ("Running job …") and a tick skipped behind a long
    # job at WARNING: noise in the service, and in the simulator it would print over the
    # villager's conversation. Our jobs log their own failures (``bot.scheduler``).
    logging.getLogger("apscheduler").setLevel(max(logging.ERROR, root.level))
