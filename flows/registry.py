"""The sub-flows a bot is built with, each a small self-describing type, and their registry.

A feature describes each of its flows with a :class:`FlowSpec`: the flow, its menu label (or
none for a flow opened only by its command, like ``/manage``), its command words, the facts
its steps read and its browsing views. The bot builds one :class:`FlowRegistry` from the
features it was given and passes it to :func:`flows.engine.step`; nothing registers itself.
A flow owns ``state["data"]`` while it runs and hands control back to the menu by returning
``data=None``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from flows.events import Effect, Facts, Inbound, Reply, State
from flows.keywords import BUILTIN_MENU_ITEMS, Vocabulary


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


class OutOfBand(Protocol):
    """A flow whose buttons may arrive on messages the bot sent on its own (a seat offer)."""

    def entry_for_context(self, context: str) -> dict[str, Any] | None:
        """The data to resume with when a button carries ``context``; None if it is not ours."""
        ...


@dataclass(frozen=True)
class FlowSpec:
    """Everything the engine must know about one flow.

    ``needs`` names the fact groups its steps read (``"courses"`` for ``courses.open`` and
    ``courses.mine``): the dispatcher loads exactly those before a step that touches the flow.
    ``browsing_views`` are views that only show things: a question delivered later (a seat
    offer, a questionnaire invitation) may take such a conversation over without losing work.
    """

    flow: Flow
    menu_label: str | None
    words: tuple[str, ...]
    needs: frozenset[str] = frozenset()
    browsing_views: frozenset[str] = frozenset()
    out_of_band: OutOfBand | None = None
    # Its words open it from anywhere: in the middle of another flow (a survey's free-text
    # answer), before a centre is chosen. For what a person must always be able to ask for.
    anywhere: bool = False

    @property
    def name(self) -> str:
        return self.flow.name


@dataclass(frozen=True)
class FlowRegistry:
    """The flows one bot was built with, by name, in menu order."""

    specs: tuple[FlowSpec, ...] = ()
    by_name: Mapping[str, FlowSpec] = field(init=False)
    vocabulary: Vocabulary = field(init=False)

    def __post_init__(self) -> None:
        by_name: dict[str, FlowSpec] = {}
        for spec in self.specs:
            if spec.name in by_name or spec.name in BUILTIN_MENU_ITEMS:
                raise ValueError(f"two flows named {spec.name!r}")
            by_name[spec.name] = spec
        object.__setattr__(self, "by_name", by_name)
        object.__setattr__(self, "vocabulary", Vocabulary({spec.name: spec.words for spec in self.specs}))

    @classmethod
    def of(cls, specs: Iterable[FlowSpec]) -> FlowRegistry:
        return cls(tuple(specs))

    def flow(self, name: str | None) -> Flow | None:
        spec = self.by_name.get(name or "")
        return spec.flow if spec is not None else None

    @property
    def menu_items(self) -> tuple[tuple[str, str | None], ...]:
        """(item, label) in menu order: the features' items, then language and help."""
        items = [(spec.name, spec.menu_label) for spec in self.specs if spec.menu_label is not None]
        return (*items, *((item, None) for item in BUILTIN_MENU_ITEMS))

    @property
    def openable(self) -> frozenset[str]:
        """Every flow a command may open, in the menu or not."""
        return frozenset(self.by_name)

    def opens_anywhere(self, name: str | None) -> bool:
        spec = self.by_name.get(name or "")
        return spec is not None and spec.anywhere

    def needs(self, *names: str | None) -> frozenset[str]:
        found: set[str] = set()
        for name in names:
            spec = self.by_name.get(name or "")
            if spec is not None:
                found |= spec.needs
        return frozenset(found)

    def out_of_band_entry(self, context: str) -> tuple[str, dict[str, Any]] | None:
        for spec in self.specs:
            if spec.out_of_band is not None:
                data = spec.out_of_band.entry_for_context(context)
                if data is not None:
                    return spec.name, data
        return None

    def is_browsing(self, flow: str | None, view: object) -> bool:
        spec = self.by_name.get(flow or "")
        return spec is not None and view in spec.browsing_views


def taken_over(
    state: State, registry: FlowRegistry, flow: str, data: dict[str, Any], context: str, *,
    seq_when_sent: object,
) -> State | None:
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
    if stage in ("menu", "name") or (stage == "flow" and registry.is_browsing(state.get("flow"), view)):
        return {**state, "stage": "flow", "flow": flow, "data": data, "ctx": context}
    return None
