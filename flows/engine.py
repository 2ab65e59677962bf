"""``step()``: the pure heart of the bot. Same inputs, same outputs; no I/O, no clock.

The state is ``{"seq", "ctx", "stage", "flow", "data"}``: ``stage`` is ``"language"`` until the
person picked one, then ``"menu"`` or ``"flow"`` (a registered sub-flow named by ``flow``, which
owns ``data``). ``ctx`` is the context of the last reply that carried choices; a button pressed
with another context is stale.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from flows import menu, sms_session
from flows.events import (
    LANGUAGES,
    AttachCentre,
    Facts,
    Inbound,
    LinkPhone,
    Reply,
    SetLanguage,
    State,
    Step,
)
from flows.keywords import parse_command
from flows.phones import normalize_phone
from flows.registry import COMMAND_ONLY, MENU_ITEMS, FlowStep, registered_flows
from flows.text import match_option

ALWAYS_VALID_CONTEXTS = frozenset({menu.LANGUAGE_CONTEXT, menu.MENU_CONTEXT})


def initial_state() -> State:
    return {"seq": 0, "ctx": None, "stage": "language", "flow": None, "data": None}


def step(state: State | None, event: Inbound, now: dt.datetime, facts: Facts) -> Step:
    current = dict(state) if state else initial_state()
    current["seq"] = int(current.get("seq", 0)) + 1
    screened = sms_session.screen(event, facts)  # SMS opt-out silences everything else
    if not screened.proceed:
        return Step(state=current, replies=screened.replies, effects=screened.effects)
    effects = (*screened.effects, *_deep_link_effects(event, facts), *_phone_effects(event))
    replies, extra_effects = _route(current, event, now, facts)
    replies = (*screened.replies, *replies, *screened.tail)
    for reply in replies:
        if reply.choices and not reply.notice:
            current["ctx"] = reply.context
    return Step(state=current, replies=replies, effects=(*effects, *extra_effects))


def _deep_link_effects(event: Inbound, facts: Facts) -> tuple[AttachCentre, ...]:
    slug = (event.start_payload or "").strip().lower()
    if slug and slug in facts.centre_slugs and facts.contact.centre_slug is None:
        return (AttachCentre(slug),)
    return ()


def _phone_effects(event: Inbound) -> tuple[LinkPhone, ...]:
    """A phone the person shared about themselves joins them with their SMS self."""
    e164 = normalize_phone(event.shared_phone) if event.shared_phone else None
    return (LinkPhone(e164),) if e164 else ()


Routed = tuple[tuple[Reply, ...], tuple[Any, ...]]


def _out_of_band(state: State, event: Inbound) -> str | None:
    """A button on a message the bot sent on its own (a seat offer) opens the flow it belongs to."""
    if event.choice is None or not event.context or event.context == state.get("ctx"):
        return None
    for flow in registered_flows().values():
        entry = getattr(flow, "entry_for_context", None)
        data = entry(event.context) if entry is not None else None
        if data is not None:
            state.update(stage="flow", flow=flow.name, data=data, ctx=event.context)
            return flow.name
    return None


def _route(state: State, event: Inbound, now: dt.datetime, facts: Facts) -> Routed:
    if facts.contact.language in LANGUAGES and _out_of_band(state, event) is not None:
        return _resume_flow(state, event, now, facts)
    if event.choice is not None and _is_stale(state, event):
        return (menu.stale_button(), *_current_prompt(state, now, facts)), ()
    if state.get("stage") == "language" or facts.contact.language not in LANGUAGES:
        return _language_stage(state, event, facts)
    if _is_empty(event):
        # A session (re)opened with nothing said yet: show where the person stands.
        return _current_prompt(state, now, facts), ()

    if event.shared_phone is not None and state.get("stage") != "flow":
        ok = normalize_phone(event.shared_phone) is not None
        return (menu.phone_saved() if ok else menu.phone_invalid(), *_current_prompt(state, now, facts)), ()
    if sms_session.resumes_idle(state, event, now, facts):
        return (sms_session.welcome_back(), *_current_prompt(state, now, facts)), ()
    command = parse_command(event.text) if event.choice is None else None
    if command == "phone" and (state.get("stage") != "flow" or _is_slash(event)):
        return (menu.phone_request(),), ()
    if state.get("stage") == "choose_language":
        if command is None:
            return _choose_language(state, event, facts)
    if command == "language":
        state.update(stage="choose_language")
        return (menu.language_prompt(facts.contact.language, greet=False),), ()
    if command == "start" and state.get("stage") == "flow":
        # A greeting or /start days later means "I'm back", not "throw my answers away".
        return _current_prompt(state, now, facts), ()
    if command in ("start", "menu", "cancel"):
        return _back_to_menu(state, now, facts)
    if command == "help":
        return (menu.help_text(), *_current_prompt(state, now, facts)), ()
    if command in (*MENU_ITEMS, *COMMAND_ONLY) and (state.get("stage") != "flow" or _is_slash(event)):
        _, cancel_effects = _end_flow(state, now, facts)
        replies, effects = _open_menu_item(state, command, event, now, facts)
        return replies, (*cancel_effects, *effects)
    if state.get("stage") == "flow":
        return _resume_flow(state, event, now, facts)
    return _menu_stage(state, event, now, facts)


def _is_empty(event: Inbound) -> bool:
    return (
        event.text is None
        and event.choice is None
        and event.shared_phone is None
        and event.start_payload is None
    )


def _is_slash(event: Inbound) -> bool:
    return bool(event.text) and event.text.lstrip().startswith("/")  # type: ignore[union-attr]


def context_digest(context: str) -> str:
    """A short stable stand-in for a context, for channels whose button data is small."""
    return "#" + hashlib.sha1(context.encode()).hexdigest()[:16]


def _is_stale(state: State, event: Inbound) -> bool:
    if event.context in ALWAYS_VALID_CONTEXTS:
        return False
    current = state.get("ctx")
    if event.context is None or current is None:
        return True
    return event.context not in (current, context_digest(current))


def _current_prompt(state: State, now: dt.datetime, facts: Facts) -> tuple[Reply, ...]:
    stage = state.get("stage")
    if stage in ("language", "choose_language") or facts.contact.language not in LANGUAGES:
        hint = facts.contact.language or facts.default_language
        return (menu.language_prompt(hint, greet=False),)
    if stage == "flow":
        flow = registered_flows().get(state.get("flow") or "")
        if flow is not None:
            return flow.reprompt(state["data"], now, facts)
    return (menu.main_menu(),)


def _language_stage(state: State, event: Inbound, facts: Facts) -> Routed:
    hint = event.language_hint if event.language_hint in LANGUAGES else None
    if state.get("stage") != "language" or (event.text is None and event.choice is None):
        state.update(stage="language", flow=None, data=None)
        return (menu.language_prompt(hint, greet=True),), ()
    chosen = _parse_language(event)
    if chosen is None:
        if facts.contact.is_new or parse_command(event.text) == "start":
            return (menu.language_prompt(hint, greet=True),), ()
        return (menu.language_reprompt(hint),), ()
    state.update(stage="menu", flow=None, data=None)
    return (menu.language_set(), menu.main_menu()), (SetLanguage(chosen),)


def _choose_language(state: State, event: Inbound, facts: Facts) -> Routed:
    chosen = _parse_language(event)
    if chosen is None:
        return (menu.language_reprompt(facts.contact.language),), ()
    state.update(stage="menu", flow=None, data=None)
    return (menu.language_set(), menu.main_menu()), (SetLanguage(chosen),)


def _parse_language(event: Inbound) -> str | None:
    if event.choice is not None:
        return event.choice if event.choice in LANGUAGES else None
    options = [
        (lang, (menu.LANGUAGE_NAMES[lang].kk, *menu.LANGUAGE_WORDS[lang]))
        for lang in LANGUAGES
    ]
    return match_option(event.text or "", options)


def _menu_stage(state: State, event: Inbound, now: dt.datetime, facts: Facts) -> Routed:
    item = _parse_menu_item(event)
    if item is None:
        return (menu.menu_reprompt(), menu.main_menu()), ()
    return _open_menu_item(state, item, event, now, facts)


def _parse_menu_item(event: Inbound) -> str | None:
    if event.choice is not None:
        return event.choice if event.choice in MENU_ITEMS else None
    return match_option(event.text or "", [(item, ()) for item in MENU_ITEMS])


def _open_menu_item(
    state: State, item: str, event: Inbound, now: dt.datetime, facts: Facts
) -> Routed:
    if item == "language":
        state.update(stage="choose_language", flow=None, data=None)
        return (menu.language_prompt(facts.contact.language, greet=False),), ()
    if item == "help":
        state.update(stage="menu", flow=None, data=None)
        return (menu.help_text(), menu.main_menu()), ()
    flow = registered_flows().get(item)
    if flow is None:
        state.update(stage="menu", flow=None, data=None)
        return (menu.coming_soon(), menu.main_menu()), ()
    return _apply_flow_step(state, item, flow.start(event, now, facts))


def _resume_flow(state: State, event: Inbound, now: dt.datetime, facts: Facts) -> Routed:
    flow = registered_flows().get(state.get("flow") or "")
    if flow is None:  # a flow removed by an upgrade: fall back to the menu, lose nothing stored
        state.update(stage="menu", flow=None, data=None)
        return (menu.main_menu(),), ()
    return _apply_flow_step(state, flow.name, flow.resume(state["data"], event, now, facts))


def _apply_flow_step(state: State, name: str, result: FlowStep) -> Routed:
    if result.data is None:
        state.update(stage="menu", flow=None, data=None)
        tail = (menu.main_menu(),) if result.show_menu else ()
        return (*result.replies, *tail), result.effects
    state.update(stage="flow", flow=name, data=result.data)
    return result.replies, result.effects


def _end_flow(state: State, now: dt.datetime, facts: Facts) -> Routed:
    """Leave the running sub-flow, if any, keeping what it accepted (its cancel effects)."""
    flow = registered_flows().get(state.get("flow") or "") if state.get("stage") == "flow" else None
    data = state.get("data") or {}
    state.update(stage="menu", flow=None, data=None)
    if flow is None:
        return (), ()
    result = flow.cancel(data, now, facts)
    return result.replies, result.effects


def _back_to_menu(state: State, now: dt.datetime, facts: Facts) -> Routed:
    replies, effects = _end_flow(state, now, facts)
    return (*replies, menu.main_menu()), effects
