"""``step()``: the pure heart of the bot. Same inputs, same outputs; no I/O, no clock.

The state (:class:`flows.events.State`, stored through ``flows.state``) is ``{"v", "seq",
"ctx", "stage", "flow", "data"}``: ``stage`` is ``"language"`` until the person picked one,
then ``"menu"`` or ``"flow"`` (a sub-flow of the bot's :class:`FlowRegistry`, named by
``flow``, which owns ``data``). ``ctx`` is the context of the last reply that carried choices;
a button pressed with another context is stale.

Which flows a step may touch depends only on the state, the event and the person's language,
never on the features' facts: :func:`facts_needed` answers it before the step, so the
dispatcher loads exactly those facts and runs the step once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from flows import centre_stage, centres, menu, names, sms_session
from flows.centre_stage import main_menu as _main_menu
from flows.centre_stage import menu_items as _menu_items
from flows.events import (
    LANGUAGES,
    AttachCentre,
    Facts,
    Inbound,
    LinkPhone,
    Reply,
    SetLanguage,
    SetName,
    Stage,
    State,
    Step,
)
from flows.keywords import is_slash_command, parse_command
from flows.phones import normalize_phone
from flows.registry import FlowRegistry, FlowStep
from flows.state import initial_state
from flows.text import match_option

# The profile-name button stays valid while the menu below it is the current prompt.
ALWAYS_VALID_CONTEXTS = frozenset({menu.LANGUAGE_CONTEXT, menu.MENU_CONTEXT, names.NAME_CONTEXT})
AT_MENU = ("menu", "name")  # at the name question the menu below it works too


def facts_needed(
    state: State | None, event: Inbound, language: str | None, flows: FlowRegistry
) -> frozenset[str]:
    """The fact groups this step may read: those of the flow it is in and of the flow it may
    open, and the session facts when the channel has opt-out words or idle resume."""
    current = state or initial_state()
    inside = current.get("flow") if current.get("stage") == "flow" else None
    needed = set(flows.needs(inside, _may_open(current, event, language, flows)))
    if event.capabilities:
        needed.add(sms_session.FACTS_GROUP)
    return frozenset(needed)


def _may_open(state: State, event: Inbound, language: str | None, flows: FlowRegistry) -> str | None:
    """The flow this event may open, by the same rules ``_route`` follows."""
    if language not in LANGUAGES:
        return None
    entry = _out_of_band_entry(state, event, flows)
    if entry is not None:
        return entry[0]
    if event.choice is not None:
        return event.choice if state.get("stage") in AT_MENU else None
    command = flows.vocabulary.parse(event.text)
    if command in flows.openable:
        return command
    if state.get("stage") in AT_MENU:
        return _parse_menu_item(event, flows)
    return None


def step(state: State | None, event: Inbound, now: dt.datetime, facts: Facts, flows: FlowRegistry) -> Step:
    current: State = {**state} if state else initial_state()
    current["seq"] = int(current.get("seq", 0)) + 1
    screened = sms_session.screen(event, facts)  # an opt-out silences everything else
    if not screened.proceed:
        return Step(state=current, replies=screened.replies, effects=screened.effects)
    linked = _deep_link_effects(event, facts)
    if linked:  # the link names the centre: this step already knows it
        facts = replace(facts, contact=replace(facts.contact, centre_slug=linked[0].slug))
    effects = (*screened.effects, *linked, *_phone_effects(event))
    replies, extra_effects = _route(current, event, now, facts, flows)
    replies = (*screened.replies, *replies, *screened.tail)
    for reply in replies:
        if reply.choices and not reply.notice:
            current["ctx"] = reply.context
    return Step(state=current, replies=replies, effects=(*effects, *extra_effects))


def _deep_link_effects(event: Inbound, facts: Facts) -> tuple[AttachCentre, ...]:
    slug = (event.start_payload or "").strip().lower()
    known = {option.slug for option in facts.centres}
    if slug and slug in known and facts.contact.centre_slug is None:
        return (AttachCentre(slug),)
    return ()


def _phone_effects(event: Inbound) -> tuple[LinkPhone, ...]:
    """A phone the person shared about themselves joins them with their SMS self."""
    e164 = normalize_phone(event.shared_phone) if event.shared_phone else None
    return (LinkPhone(e164),) if e164 else ()


Routed = tuple[tuple[Reply, ...], tuple[Any, ...]]


def _out_of_band_entry(
    state: State, event: Inbound, flows: FlowRegistry
) -> tuple[str, dict[str, Any]] | None:
    """A button on a message the bot sent on its own (a seat offer) opens the flow it belongs to."""
    if event.choice is None or not event.context or event.context == state.get("ctx"):
        return None
    return flows.out_of_band_entry(event.context)


def _route(state: State, event: Inbound, now: dt.datetime, facts: Facts, flows: FlowRegistry) -> Routed:
    if facts.contact.language in LANGUAGES:
        entry = _out_of_band_entry(state, event, flows)
        if entry is not None:
            state.update({"stage": "flow", "flow": entry[0], "data": entry[1], "ctx": event.context})
            return _resume_flow(state, event, now, facts, flows)
    if event.choice == names.USE_PROFILE and event.context == names.NAME_CONTEXT:
        return _take_name(state, event.profile_name, now, facts, flows)
    if event.choice is not None and _is_stale(state, event):
        return (menu.stale_button(), *_current_prompt(state, now, facts, flows)), ()
    if state.get("stage") == "language" or facts.contact.language not in LANGUAGES:
        return _language_stage(state, event, facts, flows)
    if _is_empty(event):
        # A session (re)opened with nothing said yet: show where the person stands.
        return _current_prompt(state, now, facts, flows), ()

    in_flow = state.get("stage") == "flow"
    if event.shared_phone is not None and not in_flow:
        ok = normalize_phone(event.shared_phone) is not None
        saved = menu.phone_saved() if ok else menu.phone_invalid()
        return (saved, *_current_prompt(state, now, facts, flows)), ()
    if sms_session.resumes_idle(state, event, now, facts, flows.vocabulary):
        return (sms_session.welcome_back(), *_current_prompt(state, now, facts, flows)), ()
    command = flows.vocabulary.parse(event.text) if event.choice is None else None
    if command == "phone" and (not in_flow or is_slash_command(event.text)):
        return (menu.phone_request(),), ()
    if state.get("stage") == "choose_language":
        if command is None:
            return _choose_language(state, event, facts, flows)
    if flows.opens_anywhere(command):  # «delete my data», even mid-survey or without a centre
        _, cancel_effects = _end_flow(state, now, facts, flows)
        replies, effects = _open_menu_item(state, str(command), event, now, facts, flows)
        return replies, (*cancel_effects, *effects)
    if command not in ("language", "help", "phone"):
        if state.get("stage") == "centre":
            return centre_stage.answer(state, event, command, facts, flows)
        if centres.needs_centre(facts) and not in_flow:
            _enter(state, "centre", data={})
            return (centres.prompt(facts),), ()
    if command == "centre" and centres.can_change(facts) and (not in_flow or is_slash_command(event.text)):
        _, cancel_effects = _end_flow(state, now, facts, flows)
        return _open_menu_item(state, "centre", event, now, facts, flows)[0], cancel_effects
    if state.get("stage") == "name":
        named = _answer_name(state, event, command, now, facts, flows)
        if named is not None:
            return named
    if command == "name" and (not in_flow or is_slash_command(event.text)):
        return _open_menu_item(state, "name", event, now, facts, flows)
    if command == "language":
        state["stage"] = "choose_language"
        return (menu.language_prompt(facts.contact.language, greet=False),), ()
    if command == "start" and in_flow:
        # A greeting or /start days later means "I'm back", not "throw my answers away".
        return _current_prompt(state, now, facts, flows), ()
    if command in ("start", "menu", "cancel"):
        return _back_to_menu(state, now, facts, flows)
    if command == "help":
        return (menu.help_text(), *_current_prompt(state, now, facts, flows)), ()
    if command in flows.openable and (not in_flow or is_slash_command(event.text)):
        _, cancel_effects = _end_flow(state, now, facts, flows)
        replies, effects = _open_menu_item(state, command, event, now, facts, flows)
        return replies, (*cancel_effects, *effects)
    if in_flow:
        return _resume_flow(state, event, now, facts, flows)
    return _menu_stage(state, event, now, facts, flows)


def _enter(state: State, stage: Stage, flow: str | None = None, data: dict[str, Any] | None = None) -> None:
    state.update({"stage": stage, "flow": flow, "data": data})


def _is_empty(event: Inbound) -> bool:
    return (
        event.text is None
        and event.choice is None
        and event.shared_phone is None
        and event.start_payload is None
    )


def _is_stale(state: State, event: Inbound) -> bool:
    if event.context in ALWAYS_VALID_CONTEXTS:
        return False
    current = state.get("ctx")
    return event.context is None or current is None or event.context != current


def _current_prompt(state: State, now: dt.datetime, facts: Facts, flows: FlowRegistry) -> tuple[Reply, ...]:
    stage = state.get("stage")
    if stage in ("language", "choose_language") or facts.contact.language not in LANGUAGES:
        hint = facts.contact.language or facts.default_language
        return (menu.language_prompt(hint, greet=False),)
    if stage == "centre":
        return (centres.prompt(facts, (state.get("data") or {}).get("matches")),)
    if stage == "flow":
        flow = flows.flow(state.get("flow"))
        if flow is not None:
            return flow.reprompt(state.get("data") or {}, now, facts)
    return (_main_menu(flows, facts),)


def _language_stage(state: State, event: Inbound, facts: Facts, flows: FlowRegistry) -> Routed:
    hint = event.language_hint if event.language_hint in LANGUAGES else None
    if state.get("stage") != "language" or (event.text is None and event.choice is None):
        _enter(state, "language")
        return (menu.language_prompt(hint, greet=True),), ()
    chosen = _parse_language(event)
    if chosen is None:
        if facts.contact.is_new or parse_command(event.text) == "start":
            return (menu.language_prompt(hint, greet=True),), ()
        return (menu.language_reprompt(hint),), ()
    if centres.needs_centre(facts):
        _enter(state, "centre", data={"then_name": facts.contact.name is None})
        return (menu.language_set(), centres.prompt(facts)), (SetLanguage(chosen),)
    if facts.contact.name is None:
        _enter(state, "name")
        ask = names.name_prompt(event, first_time=True)
        return (menu.language_set(), ask, _main_menu(flows, facts)), (SetLanguage(chosen),)
    _enter(state, "menu")
    return (menu.language_set(), _main_menu(flows, facts)), (SetLanguage(chosen),)


def _answer_name(
    state: State, event: Inbound, command: str | None, now: dt.datetime, facts: Facts, flows: FlowRegistry
) -> Routed | None:
    """The one message the name question waits for. A name is stored; a skip word closes the
    question. Anything else (a command, a menu number, «рахмет», a text days later) is read as
    the menu would read it (None), except right after choosing "My name", where a text that is
    no name is explained and asked again."""
    chosen = bool(state.get("data"))
    _enter(state, "menu")
    if event.choice is None and names.is_skip(event.text):
        return (_main_menu(flows, facts),), ()
    if event.choice is not None or command is not None:
        return None
    fresh = names.still_waiting(facts.get(sms_session.FACT_LAST_ACTIVITY, None), now)
    if not fresh or _parse_menu_item(event, flows, facts) is not None:
        return None
    name = names.clean_name(event.text)
    if name is not None:
        return (names.name_saved(name), _main_menu(flows, facts)), (SetName(name),)
    if chosen:
        _enter(state, "name", data={"chosen": True})
        return (names.name_invalid(), names.name_prompt(event, first_time=False)), ()
    return None


def _take_name(state: State, text: str | None, now: dt.datetime, facts: Facts, flows: FlowRegistry) -> Routed:
    """The profile's name, pressed on the name question's button."""
    name = names.clean_name(text)
    if name is None:
        return (names.name_invalid(), *_current_prompt(state, now, facts, flows)), ()
    if state.get("stage") == "name":
        _enter(state, "menu")
    return (names.name_saved(name), *_current_prompt(state, now, facts, flows)), (SetName(name),)


def _choose_language(state: State, event: Inbound, facts: Facts, flows: FlowRegistry) -> Routed:
    chosen = _parse_language(event)
    if chosen is None:
        return (menu.language_reprompt(facts.contact.language),), ()
    if centres.needs_centre(facts):
        _enter(state, "centre", data={})
        return (menu.language_set(), centres.prompt(facts)), (SetLanguage(chosen),)
    _enter(state, "menu")
    return (menu.language_set(), _main_menu(flows, facts)), (SetLanguage(chosen),)


def _parse_language(event: Inbound) -> str | None:
    if event.choice is not None:
        return event.choice if event.choice in LANGUAGES else None
    options = [
        (lang, (menu.LANGUAGE_NAMES[lang].kk, *menu.LANGUAGE_WORDS[lang]))
        for lang in LANGUAGES
    ]
    return match_option(event.text or "", options)


def _menu_stage(state: State, event: Inbound, now: dt.datetime, facts: Facts, flows: FlowRegistry) -> Routed:
    item = _parse_menu_item(event, flows, facts)
    if item is None:
        return (menu.menu_reprompt(_menu_items(flows, facts)), _main_menu(flows, facts)), ()
    return _open_menu_item(state, item, event, now, facts, flows)


def _parse_menu_item(event: Inbound, flows: FlowRegistry, facts: Facts | None = None) -> str | None:
    """Without facts (before they are loaded), the items every person has."""
    items = [item for item, _ in (_menu_items(flows, facts) if facts is not None else flows.menu_items)]
    if event.choice is not None:
        return event.choice if event.choice in items else None
    return match_option(event.text or "", [(item, ()) for item in items])


def _open_menu_item(
    state: State, item: str, event: Inbound, now: dt.datetime, facts: Facts, flows: FlowRegistry
) -> Routed:
    if item == "language":
        _enter(state, "choose_language")
        return (menu.language_prompt(facts.contact.language, greet=False),), ()
    if item == "centre":
        _enter(state, "centre", data={})
        return (centres.prompt(facts),), ()
    if item == "name":
        _enter(state, "name", data={"chosen": True})
        return (names.name_prompt(event, first_time=False), _main_menu(flows, facts)), ()
    flow = flows.flow(item)
    if flow is None:  # "help", or an item whose feature this bot was not built with
        _enter(state, "menu")
        return (menu.help_text(), _main_menu(flows, facts)), ()
    return _apply_flow_step(state, item, flow.start(event, now, facts), facts, flows)


def _resume_flow(state: State, event: Inbound, now: dt.datetime, facts: Facts, flows: FlowRegistry) -> Routed:
    flow = flows.flow(state.get("flow"))
    if flow is None:  # a flow removed by an upgrade: fall back to the menu, lose nothing stored
        _enter(state, "menu")
        return (_main_menu(flows, facts),), ()
    result = flow.resume(state.get("data") or {}, event, now, facts)
    return _apply_flow_step(state, flow.name, result, facts, flows)


def _apply_flow_step(state: State, name: str, result: FlowStep, facts: Facts, flows: FlowRegistry) -> Routed:
    if result.data is None:
        _enter(state, "menu")
        tail = (_main_menu(flows, facts),) if result.show_menu else ()
        return (*result.replies, *tail), result.effects
    _enter(state, "flow", name, result.data)
    return result.replies, result.effects


def _end_flow(state: State, now: dt.datetime, facts: Facts, flows: FlowRegistry) -> Routed:
    """Leave the running sub-flow, if any, keeping what it accepted (its cancel effects)."""
    flow = flows.flow(state.get("flow")) if state.get("stage") == "flow" else None
    data = state.get("data") or {}
    _enter(state, "menu")
    if flow is None:
        return (), ()
    result = flow.cancel(data, now, facts)
    return result.replies, result.effects


def _back_to_menu(state: State, now: dt.datetime, facts: Facts, flows: FlowRegistry) -> Routed:
    replies, effects = _end_flow(state, now, facts, flows)
    return (*replies, _main_menu(flows, facts)), effects
