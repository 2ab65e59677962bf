"""The sub-flows the main menu can start, each a small self-describing type.

A feature registers its flow here under a menu item name; until then the menu item answers
"coming soon". A flow owns ``state["data"]`` while it runs and hands control back to the menu
by returning ``data=None``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from flows.events import Effect, Facts, Inbound, Reply

MENU_ITEMS: tuple[str, ...] = ("survey", "courses", "my", "language", "help")
# Flows opened only by their command (``/manage``), never listed in the villagers' menu.
COMMAND_ONLY: tuple[str, ...] = ("manage",)
# Views that only show things, by flow: nothing is lost if a question delivered later (a seat
# offer, a questionnaire invitation) takes the conversation over. Not "my"'s leave confirmation
# or another offer still waiting for its answer.
BROWSING_VIEWS: Mapping[str, frozenset[str]] = {
    "courses": frozenset({"list", "detail"}),
    "my": frozenset({"list", "item"}),
}


@dataclass(frozen=True)
class FlowStep:
    """What a sub-flow answers: its next data (None once it has ended), replies and effects."""

    data: dict[str, Any] | None
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
    show_menu: bool = True  # once ended, show the main menu after the replies


class Flow(Protocol):
    name: str

    def start(self, event: Inbound, now: dt.datetime, facts: Facts) -> FlowStep:
        """Begin (the menu item was chosen); may end at once."""
        ...

    def resume(
        self, data: dict[str, Any], event: Inbound, now: dt.datetime, facts: Facts
    ) -> FlowStep:
        """Handle the person's next input while this flow runs."""
        ...

    def reprompt(self, data: dict[str, Any], now: dt.datetime, facts: Facts) -> tuple[Reply, ...]:
        """Show the current prompt again (after help, a language change or a stale button)."""
        ...

    def cancel(self, data: dict[str, Any], now: dt.datetime, facts: Facts) -> FlowStep:
        """The person left; keep what was accepted and end."""
        ...


def taken_over(
    state: Mapping[str, Any], flow: str, data: dict[str, Any], context: str, *, seq_when_sent: object
) -> dict[str, Any] | None:
    """The state in which a just-delivered question waits for its answer, so a typed "1"
    answers what the person just read.

    None leaves the conversation alone: when it is busy with something else (a survey half
    answered, a facilitator's reason), or when the person took a step since the message was
    sent (``seq`` moved on), since they are reading that step's answer, not the question. The
    message's buttons still work from any state.
    """
    if state.get("seq") != seq_when_sent:
        return None
    stage, view = state.get("stage"), (state.get("data") or {}).get("view")
    if stage == "menu" or (stage == "flow" and view in BROWSING_VIEWS.get(state.get("flow") or "", ())):
        return {**state, "stage": "flow", "flow": flow, "data": data, "ctx": context}
    return None


@cache
def registered_flows() -> Mapping[str, Flow]:
    """Flows by menu item; imported lazily so a feature module can import from flows freely."""
    flows: dict[str, Flow] = {}
    for flow in _load_features():
        flows[flow.name] = flow
    return flows


def _load_features() -> list[Flow]:
    # Each feature adds its import here.
    from flows.courses.browse import CoursesFlow
    from flows.courses.manage import ManageFlow
    from flows.courses.mine import MyEnrolmentsFlow
    from flows.questionnaire.runner import SurveyFlow

    return [CoursesFlow(), MyEnrolmentsFlow(), SurveyFlow(), ManageFlow()]
