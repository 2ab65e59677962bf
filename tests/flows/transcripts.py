"""Golden transcripts at the engine level: a scripted conversation through the pure ``step()``.

A :class:`Transcript` feeds each villager turn to the engine and writes what a text channel
shows, rendered with the real catalogs exactly as the terminal simulator does (numbered
choices, ``render_numbered``):

* ``> text`` what the villager typed; ``> [label]`` a button they pressed;
* ``< line`` each line of the bot's replies;
* ``! Effect(field=value, ...)`` each effect the step asked the bot to apply;
* ``# note`` what changed in the world between two turns (the facts the script passes next).

The facts are plain data the test builds; a script changes them between turns with
:meth:`Transcript.change`, so a reader sees each change in the test and in the transcript.
The clock is :data:`NOW`, never the real one.

Everything that touches the engine's interface sits in one helper each, so a change of
``step()``'s signature, of ``Facts``/``ContactFacts``, of ``Inbound`` or of the state's shape
is fixed here once: :func:`run_step`, :func:`make_facts`, :func:`menu_state`, :func:`deliver`.

Set ``CLC_UPDATE_GOLDEN=1`` to rewrite the golden files after an intended wording change, then
read the diff before committing it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import Catalogs, Translator
from bot.render import render_numbered
from flows.engine import step
from flows.events import ContactFacts, Effect, Facts, Inbound, Msg, Reply, State, Step
from flows.registry import taken_over
from tests.flows.standard import DEMO, FLOWS

GOLDEN = Path(__file__).resolve().parent / "golden"
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # 14:00 in Almaty
ZONE = ZoneInfo("Asia/Almaty")  # the default CLC_TIMEZONE, pinned here for the golden files
CHANNEL, ADDRESS = "simulator", "sim:local"


# ---- the one place each for the engine's interface ----


def make_facts(
    language: str, extra: Mapping[str, Any], *, name: str | None = None, centre: str | None = "demo"
) -> Facts:
    """The only construction of ``Facts``/``ContactFacts``: a returning contact of ``centre``."""
    contact = ContactFacts(contact_id=1, language=language, is_new=False, centre_slug=centre, name=name)
    return Facts(contact=contact, default_language="kk", centres=(DEMO,), extra=dict(extra))


def run_step(
    state: State, facts: Facts, *, text: str | None = None, choice: str | None = None, context: str | None = None
) -> Step:
    """The only call to ``flows.engine.step`` (and the only ``Inbound``), at the fixed clock."""
    event = Inbound(CHANNEL, ADDRESS, text=text, choice=choice, context=context)
    return step(state, event, NOW, facts, FLOWS)


def menu_state() -> State:
    """A returning person's conversation, idle at the main menu."""
    return {"seq": 0, "ctx": "menu", "stage": "menu", "flow": None, "data": None}


def deliver(state: State, flow: str, data: dict[str, Any], context: str) -> State:
    """The state after the outbox delivered a question (a seat offer) to an idle conversation."""
    return taken_over(state, FLOWS, flow, data, context, seq_when_sent=state["seq"]) or state


# ---- the transcript ----


def effect_line(effect: Effect) -> str:
    fields = ", ".join(f"{f.name}={getattr(effect, f.name)!r}" for f in dataclasses.fields(effect))
    return f"! {type(effect).__name__}({fields})"


def untranslated(reply: Reply, tr: Translator) -> list[str]:
    """Message ids the catalog leaves in English (a msgid missing from it is shown as is)."""
    texts = [*reply.body, *(choice.label for choice in reply.choices)]
    missing = []
    for item in texts:
        if not isinstance(item, Msg) or (item.language or tr.language) != tr.language:
            continue
        if item.plural is not None and item.count is not None:
            shown = tr.translations.ngettext(item.key, item.plural, item.count)
            if shown in (item.key, item.plural):
                missing.append(item.key)
        elif tr.translations.gettext(item.key) == item.key:
            missing.append(item.key)
    return missing


class Transcript:
    """One or more scripted conversations in one language, written as ``>``/``<``/``!`` lines."""

    def __init__(self, catalogs: Catalogs, language: str) -> None:
        self.language = language
        self.tr = catalogs.translator(language, ZONE)
        self.lines: list[str] = []
        self.effects: list[Effect] = []
        self.last: Step | None = None
        self.state: State = menu_state()
        self.facts = make_facts(language, {})
        self.shown: list[Reply] = []

    def begin(self, title: str, extra: Mapping[str, Any], **contact: Any) -> None:
        """A new conversation (a person idle at the menu) with these facts."""
        if self.lines:
            self.lines.append("")
        self.lines.append(f"# {title}")
        self.state = menu_state()
        self.facts = make_facts(self.language, extra, **contact)
        self.shown = []

    def change(self, note: str, extra: Mapping[str, Any]) -> None:
        """The world changed between two turns: the next steps see these facts."""
        self.lines.append(f"# {note}")
        self.facts = make_facts(self.language, extra, name=self.facts.contact.name,
                                centre=self.facts.contact.centre_slug)

    def say(self, text: str) -> Step:
        self.lines.append(f"> {text}")
        return self._step(text=text)

    def press(self, choice: str, context: str) -> Step:
        """A button on an earlier message, shown by its label."""
        reply = next((r for r in reversed(self.shown) if r.context == context), None)
        assert reply is not None, f"no message with context {context!r} was shown"
        label = next(self.tr.text(c.label) for c in reply.choices if c.id == choice)
        self.lines.append(f"> [{label}]")
        return self._step(choice=choice, context=context)

    def delivered(self, note: str, reply: Reply, flow: str, data: dict[str, Any]) -> None:
        """A message the bot sends on its own (the outbox), taking an idle conversation over."""
        self.lines.append(f"# {note}")
        self._show((reply,))
        assert reply.context is not None
        self.state = deliver(self.state, flow, data, reply.context)

    def _step(self, **event: str) -> Step:
        result = run_step(self.state, self.facts, **event)
        self._show(result.replies)
        self.lines.extend(effect_line(effect) for effect in result.effects)
        self.effects.extend(result.effects)
        self.state, self.last = result.state, result
        return result

    def _show(self, replies: tuple[Reply, ...]) -> None:
        for reply in replies:
            missing = untranslated(reply, self.tr)
            assert not missing, f"not in the {self.language} catalog: {missing}"
            text = render_numbered(reply, self.tr)
            self.lines.extend(f"< {line}".rstrip() for line in text.splitlines())
            self.shown.append(reply)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def bot_text(self) -> str:
        """Only what the bot wrote, for checks that no placeholder or ``None`` leaked."""
        return "\n".join(line[2:] for line in self.lines if line.startswith("<"))


def check_golden(name: str, transcript: Transcript) -> None:
    """Compare with ``golden/<name>`` (``CLC_UPDATE_GOLDEN=1`` rewrites it)."""
    shown = transcript.bot_text()
    for leak in ("None", "{", "}"):
        assert leak not in shown, f"{leak!r} in what the bot wrote"
    path = GOLDEN / name
    text = transcript.text()
    if os.environ.get("CLC_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs; CLC_UPDATE_GOLDEN=1 rewrites it"
