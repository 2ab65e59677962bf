"""What is special about a conversation on a paid text channel (SMS), decided purely: opt-out
and idle resume. The engine applies them to events whose channel declares the capabilities
``stop_words`` and ``idle_resume`` (:class:`flows.events.Inbound`), never by channel name.

- STOP / СТОП / ТОҚТА opts the number out: confirmed once (:class:`OptOut`), then every later
  message from it is answered with nothing at all until START / СТАРТ / БАСТАУ
  (:class:`OptIn`, then the usual start). Carriers require it; a villager who said stop must
  not be charged or disturbed.
- An SMS conversation idle longer than ``sms.resume_after`` (default three days) does not
  take the next text as the answer to a question asked days ago: it says where the person
  stopped and shows that question again; a menu word starts over instead.

The facts (group ``session``) come from ``bot.features.sms``: ``session.opted_out`` (this
contact's number opted out) and ``session.resume_after`` (a timedelta); ``last_activity`` is
the dispatcher's, on every step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flows.events import N_, Effect, FactKey, Facts, Inbound, Msg, Reply, State
from flows.keywords import Vocabulary, parse_command
from flows.text import fold

FACTS_GROUP = "session"
FACT_OPTED_OUT: FactKey[bool] = FactKey("session.opted_out")
FACT_RESUME_AFTER: FactKey[dt.timedelta] = FactKey("session.resume_after")
FACT_LAST_ACTIVITY: FactKey[dt.datetime | None] = FactKey("last_activity")
DEFAULT_RESUME_AFTER = dt.timedelta(days=3)
# Only these end an opt-out: a greeting ("hello", "сәлем") is a start word, but not consent.
OPT_IN_WORDS = frozenset(fold(word) for word in ("start", "старт", "бастау"))


@dataclass(frozen=True)
class OptOut(Effect):
    """Send nothing of any kind to this address until it opts in again."""


@dataclass(frozen=True)
class OptIn(Effect):
    """The address said START after STOP: messages may flow again."""


@dataclass(frozen=True)
class Screened:
    """Replies and effects to put first, and whether the engine should go on routing."""

    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
    proceed: bool = True
    tail: tuple[Reply, ...] = ()  # replies to put after the engine's own


def opted_out_reply() -> Reply:
    return Reply(body=(Msg(N_("You will get no more messages from us. To start again, send START.")),))


def opted_in_reply() -> Reply:
    return Reply(body=(Msg(N_("Welcome back! You will get our messages again.")),))


def stop_hint() -> Reply:
    """Help over SMS also says how to stop: the person pays for, or may not want, every SMS."""
    return Reply(body=(Msg(N_("To get no more SMS from us, send STOP.")),))


def welcome_back() -> Reply:
    key = N_("Welcome back! This is where you stopped. Answer to continue, or send MENU to start over.")
    return Reply(body=(Msg(key),))


def screen(event: Inbound, facts: Facts) -> Screened:
    """Opt-out and opt-in, before anything else the engine does."""
    if "stop_words" not in event.capabilities or event.text is None:
        return Screened()
    command = parse_command(event.text)
    opted_out = facts.get(FACT_OPTED_OUT, False)
    if command == "stop":
        # Confirmed once; a second STOP gets silence like any other text.
        return Screened(proceed=False) if opted_out else Screened((opted_out_reply(),), (OptOut(),), False)
    if opted_out:
        if fold(event.text.lstrip("/")) in OPT_IN_WORDS:
            return Screened((opted_in_reply(),), (OptIn(),), True)
        return Screened(proceed=False)
    if command == "help":
        return Screened(tail=(stop_hint(),))
    return Screened()


def resumes_idle(state: State, event: Inbound, now: dt.datetime, facts: Facts, words: Vocabulary) -> bool:
    """True when this text reopens a flow left idle too long (commands keep their meaning)."""
    if "idle_resume" not in event.capabilities or state.get("stage") != "flow" or event.choice is not None:
        return False
    if words.parse(event.text) is not None:
        return False
    last = facts.get(FACT_LAST_ACTIVITY, None)
    limit = facts.get(FACT_RESUME_AFTER, DEFAULT_RESUME_AFTER)
    return isinstance(last, dt.datetime) and isinstance(limit, dt.timedelta) and now - last > limit


SessionEffect = OptOut | OptIn
