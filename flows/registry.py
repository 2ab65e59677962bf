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
