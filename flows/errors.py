"""Every error this project raises on purpose, in one tree under :class:`ClcError`.

It lives at the bottom layer (``flows``, which imports nothing of ours) so that ``storage``,
``bot`` and ``admin_cli.py`` all raise and catch the same classes. ``clc-bot`` and
``clc-admin`` turn any ``ClcError`` into one plain line, never a traceback; anything else is a
bug and keeps its traceback.

::

    ClcError
    ├── ConfigError              bad or missing setting: one line, exit status 2
    │   └── DatabaseURLError     the database URL cannot be used
    ├── CatalogError             a translation catalog is missing or incomplete at start
    ├── DataError                a file or text a person wrote is not valid (every problem named)
    │   ├── QuestionnaireError   a questionnaire file: each problem with file, line, question
    │   ├── ExpressionError      a relevance / constraint expression
    │   ├── CourseFileError      a course file or course flags
    │   ├── PolicyError          a waiting-list policy string
    │   └── StateError           a stored conversation state no migration can read
    ├── Refused                  an action that cannot be done as asked, now
    │   ├── CourseError          closed course, not on the list, seat taken …
    │   ├── RunClosed            an answer for a survey run that is no longer in progress
    │   └── OutputError          a result file cannot be written as asked (it exists, no such
    │                            directory: ``bot.results.files``)
    ├── StaleFacts               what a step was told no longer holds: run it again
    ├── RefusedWebhook           a webhook request refused before it reaches the bot (unsigned,
    │                            too large, not a form): answered with its HTTP status
    │                            (``bot.channels.twilio_request``, also a Starlette HTTPException)
    ├── FeatureError             features that do not fit together (a bug in how a bot is built)
    ├── DatabaseError            the database cannot do what was asked
    │   ├── DatabaseUnavailable  cannot connect, open or create it: the URL (no password)
    │   │                        and what to do, one line, exit status 2
    │   ├── DatabaseBusyError    locked longer than the busy timeout (SQLite)
    │   └── NestedTransactionError  a transaction opened inside another (a bug)
    └── DeliveryError            sending a message failed
        ├── Unreachable          the address will never accept it (blocked bot, opted out,
        │                        invalid number): mark the identity, do not retry
        ├── RetryLater           throttled or temporarily failing: retry after ``retry_after`` s
        │   └── ChannelPaused    not tried: the channel is silent after a 429 (not counted as
        │                        an attempt; ``bot.channels.pause``)
        └── PermanentFailure     this message cannot be sent (too long, malformed): give up on it

The data errors also derive from ``ValueError`` and the refusals from ``ValueError`` /
``RuntimeError`` as before, so code that validates with ``except ValueError`` keeps working.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class ClcError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigError(ClcError):
    """A setting is wrong or missing; the message names the variable."""


class DatabaseURLError(ConfigError, ValueError):
    """The configured database URL cannot be used; the message says why."""


class CatalogError(ClcError):
    """A translation catalog cannot be used; the message names the file and the msgid."""


class DataError(ClcError, ValueError):
    """Something a person wrote (a file, a flag, an expression) is not valid."""


@dataclass(frozen=True)
class Problem:
    """One problem of a file a person wrote (a questionnaire, a course file): where and what."""

    file: str
    line: int | None
    question: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        who = f" question '{self.question}':" if self.question else ""
        return f"{where}:{who} {self.message}"


class QuestionnaireError(DataError):
    """Every problem of a questionnaire file; ``problems`` keeps them one by one."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class ExpressionError(DataError):
    """The expression is not valid; the message says where and why."""


class CourseFileError(DataError):
    """Every problem of a course file, one per line, each with the file and line."""


class PolicyError(DataError):
    """A policy string that cannot be used; the message says why."""


class StateError(DataError):
    """A stored state that no migration can read (a newer release wrote it, or it is damaged)."""


class Refused(ClcError):
    """A request that is well formed but cannot be done now; the message says why."""


class CourseError(Refused, ValueError):
    """A request on a course that cannot be done as asked (closed course, not on the list …)."""


class RunClosed(Refused, RuntimeError):
    """An answer or status change for a run that is no longer in progress (completed runs are final)."""


class StaleFacts(ClcError):
    """What the step was told no longer holds under the lock: roll back and run it again.

    Because ``step`` is pure, re-running it on fresh facts gives the person the true answer
    (a seat taken meanwhile becomes a waiting-list place, a closed course says so).
    """


class FeatureError(ClcError):
    """The features a bot was built with do not fit together: two appliers for one effect, a
    flow that needs facts no feature loads, an effect whose feature is missing."""


class DatabaseError(ClcError):
    """The database cannot do what was asked."""


class DatabaseUnavailable(DatabaseError):
    """The database cannot be reached, opened or created (server down, no such database, a
    folder missing or read-only); the message names the URL without its password and the fix."""


class DatabaseBusyError(DatabaseError):
    """The database stayed locked longer than the busy timeout."""


class NestedTransactionError(DatabaseError, RuntimeError):
    """Code opened a transaction while its task already held one (a bug, never user input)."""


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
