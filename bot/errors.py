"""What can go wrong when talking to the outside world, mapped to what the bot should do.

::

    ClcError
    ├── ConfigError              bad or missing setting: one line, exit status 2
    ├── CatalogError             a translation catalog is missing or incomplete at start
    └── DeliveryError            sending a message failed
        ├── Unreachable          the address will never accept it (blocked bot, opted out,
        │                        invalid number): mark the identity, do not retry
        ├── RetryLater           throttled or temporarily failing: retry after ``retry_after`` s
        └── PermanentFailure     this message cannot be sent (too long, malformed): give up on it
"""

from __future__ import annotations


class ClcError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigError(ClcError):
    """A setting is wrong or missing; the message names the variable."""


class CatalogError(ClcError):
    """A translation catalog cannot be used; the message names the file and the msgid."""


class DeliveryError(ClcError):
    """Sending failed; subclasses say whether and when to try again."""


class Unreachable(DeliveryError):
    """The recipient cannot be reached on this address (blocked the bot, texted STOP)."""


class RetryLater(DeliveryError):
    def __init__(self, message: str, retry_after: float = 5.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentFailure(DeliveryError):
    """This message will never be accepted as it is; retrying would only duplicate work."""
