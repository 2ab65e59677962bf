"""The engine's centre stage: the answer to "which village's centre is yours?", and the main
menu, whose last item ("My learning centre") exists only when there is a choice of centre."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flows import centres, menu, names
from flows.events import AttachCentre, Facts, Inbound, Reply, State
from flows.registry import FlowRegistry

Routed = tuple[tuple[Reply, ...], tuple[Any, ...]]


def menu_items(flows: FlowRegistry, facts: Facts) -> menu.MenuItems:
    """The features' items, the engine's own, and "My centre" last (so that the numbers of the
    others never depend on how many centres there are) when there is a choice of centre."""
    return (*flows.menu_items, *((("centre", None),) if centres.can_change(facts) else ()))


def main_menu(flows: FlowRegistry, facts: Facts) -> Reply:
    return menu.main_menu(menu_items(flows, facts))


def answer(state: State, event: Inbound, command: str | None, facts: Facts, flows: FlowRegistry) -> Routed:
    """A button, a number or a village's name; a part of a name searches. Without a centre
    yet there is no way round the question (the engine still lets help, language and «delete
    my data» through)."""
    data = state.get("data") or {}
    matches = data.get("matches")
    if command in ("start", "menu", "cancel", "back"):
        if facts.contact.centre_slug is not None:
            state.update({"stage": "menu", "flow": None, "data": None})
            return (main_menu(flows, facts),), ()
        state.update({"stage": "centre", "flow": None, "data": {**data, "matches": None}})
        return (centres.prompt(facts),), ()
    option = centres.chosen(facts, event, matches)
    if option is None:
        found = centres.search(facts, event.text)[: centres.MAX_LISTED] if event.choice is None else ()
        if found:
            state.update({"stage": "centre", "flow": None, "data": {**data, "matches": list(found)}})
            return (centres.prompt(facts, found),), ()
        return (centres.not_found(), centres.prompt(facts, matches)), ()
    settled = replace(facts, contact=replace(facts.contact, centre_slug=option.slug))
    done = (AttachCentre(option.slug),)
    if data.get("then_name") and facts.contact.name is None:
        state.update({"stage": "name", "flow": None, "data": None})
        ask = names.name_prompt(event, first_time=True)
        return (centres.centre_set(option), ask, main_menu(flows, settled)), done
    state.update({"stage": "menu", "flow": None, "data": None})
    return (centres.centre_set(option), main_menu(flows, settled)), done
