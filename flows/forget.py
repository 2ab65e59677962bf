"""«Деректерімді өшіру» / «Удалить мои данные»: a person erases what the centre keeps about them.

The consent promises it, so it takes one word and one confirmation, on every channel. It does
what a facilitator's ``clc-admin contact forget`` does (``storage.erasure``); afterwards the
person is a stranger to the bot, and a new message starts afresh with the language question.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flows.events import N_, Choice, Effect, Facts, Inbound, Msg, Reply
from flows.registry import FlowSpec, FlowStep
from flows.text import match_option
from flows.yesno import yes_or_no

FORGET_CONTEXT = "forget"
# An answer later than this is not taken as the confirmation: nothing irreversible on a stale "yes".
CONFIRM_WITHIN = dt.timedelta(minutes=15)
WORDS = (
    "forget", "forget me", "delete my data",
    "деректерімді өшіру", "деректерді өшіру", "мәліметтерімді өшіру", "мені өшіру",
    "удалить мои данные", "удалить данные", "удали мои данные", "забудь меня",
)


@dataclass(frozen=True)
class ForgetMe(Effect):
    """Erase this person's personal data now (the step's contact, and everyone merged into it)."""


def _confirm() -> Reply:
    return Reply(
        body=(
            Msg(
                N_(
                    "Delete your data? Your name, phone number, your answers and everything you wrote "
                    "to the bot will be deleted, and you will leave your courses and waiting lists. "
                    "This cannot be undone."
                )
            ),
        ),
        choices=(Choice(id="yes", label=Msg(N_("Yes, delete"))), Choice(id="no", label=Msg(N_("No, keep")))),
        expects="choice",
        context=FORGET_CONTEXT,
    )


def _deleted() -> Reply:
    return Reply(
        body=(Msg(N_("Your data has been deleted. If you write to the bot again, we start afresh.")),)
    )


def _kept() -> Reply:
    return Reply(body=(Msg(N_("Nothing was deleted.")),))


def _stale(data: dict[str, Any], now: dt.datetime) -> bool:
    try:
        asked = dt.datetime.fromisoformat(str(data.get("asked")))
    except ValueError:
        return True
    return now - asked > CONFIRM_WITHIN


class ForgetFlow:
    name = "forget"

    def start(self, event: Inbound, now: dt.datetime, facts: Facts) -> FlowStep:
        return FlowStep(data={"view": "confirm", "asked": now.isoformat()}, replies=(_confirm(),))

    def resume(self, data: dict[str, Any], event: Inbound, now: dt.datetime, facts: Facts) -> FlowStep:
        if _stale(data, now):
            # A "1" or «да» the next day most likely means something else: ask again.
            return self.start(event, now, facts)
        if event.choice is not None:
            answer: str | None = event.choice
        else:
            text = event.text or ""
            answer = match_option(text, [("yes", ()), ("no", ())]) or yes_or_no(text)
        if answer == "yes":
            return FlowStep(data=None, replies=(_deleted(),), effects=(ForgetMe(),), show_menu=False)
        if answer == "no":
            return FlowStep(data=None, replies=(_kept(),))
        return FlowStep(data=data, replies=(_confirm(),))

    def reprompt(self, data: dict[str, Any], now: dt.datetime, facts: Facts) -> tuple[Reply, ...]:
        return (_confirm(),)

    def cancel(self, data: dict[str, Any], now: dt.datetime, facts: Facts) -> FlowStep:
        return FlowStep(data=None)


FORGET = FlowSpec(flow=ForgetFlow(), menu_label=None, words=WORDS, anywhere=True)
