"""The data that crosses the boundary between channels and the pure conversation engine.

A channel adapter turns what arrived into an :class:`Inbound` event; :func:`flows.engine.step`
answers with a :class:`Step`: the next conversation state, the replies to show (message ids
and parameters, never rendered text) and the effects the dispatcher must apply in the same
transaction as the state. Nothing here knows about Telegram, Twilio or the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from typing_extensions import TypedDict  # pydantic validates it on Python 3.11 (flows.state)

from flows.errors import FeatureError

LANGUAGES: tuple[str, ...] = ("kk", "ru")
Language = Literal["kk", "ru"]


def N_(message_id: str) -> str:
    """Mark a message id for ``pybabel extract`` without translating it (rendering is in bot/)."""
    return message_id


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural message pair for ``pybabel extract`` (keyword ``NP_:1,2``)."""
    return singular, plural


@dataclass(frozen=True)
class Localized:
    """A text that comes from data (a questionnaire, a course title), given in both languages."""

    kk: str
    ru: str
    # A shorter wording for channels that pay per character (SMS), from the data's ``sms:``;
    # not part of equality: it is the same text, said more briefly.
    short: Localized | None = field(default=None, compare=False)

    def get(self, language: str) -> str:
        return self.kk if language == "kk" else self.ru


Param = str | int | float | dt.date | dt.datetime | Localized


@dataclass(frozen=True)
class Msg:
    """A gettext message id with its parameters, translated when rendered.

    ``plural`` and ``count`` select an ``ngettext`` form; ``count`` is also available to the
    template as ``{count}``. ``language`` forces one language whatever the contact's is (the
    language question is asked in both).
    """

    key: str
    params: Mapping[str, Param] = field(default_factory=dict)
    plural: str | None = None
    count: int | None = None
    language: str | None = None


def plural_msg(forms: tuple[str, str], count: int, **params: Param) -> Msg:
    """A message whose form depends on ``count`` (Kazakh has 2 plural forms, Russian 3)."""
    return Msg(forms[0], params, plural=forms[1], count=count)


Text = Msg | Localized


@dataclass(frozen=True)
class Choice:
    """One answer the villager can pick: a button on Telegram, a numbered line over SMS.

    ``id`` is short and stable (it travels in Telegram callback data, at most 64 bytes with
    its context); ``selected`` marks a toggled option of a multiple-choice question.
    """

    id: str
    label: Text
    selected: bool = False


Expects = Literal["choice", "choices", "text", "number", "date", "phone", "none"]


@dataclass(frozen=True)
class Reply:
    """One outgoing message as data.

    ``context`` names the prompt the choices belong to; a button pressed later carries it
    back so that a press on an old message is recognised instead of being re-applied.
    ``edit`` asks channels that can to replace the message whose button was pressed
    (multiple-choice toggles) rather than send a new one. ``notice`` marks a short remark
    that Telegram shows as a pop-up on the pressed button instead of a new message.
    """

    body: tuple[Text, ...]
    choices: tuple[Choice, ...] = ()
    expects: Expects = "none"
    context: str | None = None
    edit: bool = False
    request_phone: bool = False
    notice: bool = False
    # How to answer was already said earlier in this run (the first question of a survey):
    # channels that pay per character leave the instructions out.
    brief: bool = False


Capability = Literal["stop_words", "idle_resume"]
"""What a channel's conversations need from the engine, whatever the channel is called.

``stop_words``: the person pays for or may not want every message, so STOP / СТОП opts the
address out and START opts it in (carriers require it for SMS). ``idle_resume``: a text days
after the last one is not taken as the answer to a question asked back then.
"""


@dataclass(frozen=True)
class Inbound:
    """What a person did, whatever the channel.

    ``text`` is what they typed; ``choice`` is the id of a button they pressed, with the
    ``context`` of the reply that carried it. ``language_hint`` is the channel's guess
    (Telegram's ``language_code``); ``shared_phone`` is a phone number the person shared
    about themselves; ``start_payload`` is a deep-link parameter (``/start <slug>``).
    ``channel`` and ``address`` identify the person for the dispatcher; the engine never
    looks at them, only at ``capabilities``.
    """

    channel: str
    address: str
    text: str | None = None
    choice: str | None = None
    context: str | None = None
    language_hint: str | None = None
    shared_phone: str | None = None
    start_payload: str | None = None
    capabilities: frozenset[Capability] = frozenset()
    profile_name: str | None = None  # the name the person gave the channel (Telegram's first name)


@dataclass(frozen=True)
class ContactFacts:
    """What the engine may know about the person it is talking to."""

    contact_id: int
    language: str | None
    is_new: bool
    centre_slug: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class CentreOption:
    """A learning centre a person may belong to, as the centre choice shows it."""

    slug: str
    name: Localized
    settlement: str
    district: str = ""


T = TypeVar("T")


class FactKey(str, Generic[T]):
    """The typed name of one fact a feature's loader provides: ``courses.open`` is in group
    ``courses``; a flow names the groups it needs and reads each key with :meth:`Facts.get`.
    A plain ``str`` underneath, so facts stay a JSON-like mapping a test can write by hand."""

    __slots__ = ()

    @property
    def group(self) -> str:
        return self.split(".", 1)[0]


@dataclass(frozen=True)
class Facts:
    """Everything from the outside world that one step may need, loaded by the dispatcher.

    ``extra`` holds the features' facts by key name, loaded because a flow or the engine
    named their group (:func:`flows.engine.facts_needed`); a test builds only what it needs.
    """

    contact: ContactFacts
    default_language: str = "kk"
    # Every centre of the installation, in the order the centre choice lists them.
    centres: tuple[CentreOption, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    # The fact groups the dispatcher loaded for this step; None when a test wrote ``extra`` by
    # hand. Reading a key of a group that was not loaded is a bug in a flow's ``needs``.
    loaded: frozenset[str] | None = None

    def get(self, key: FactKey[T], default: T) -> T:
        if self.loaded is not None and key.group not in self.loaded:
            raise FeatureError(f"fact {key!r} read, but its group was not loaded for this step")
        value = self.extra.get(key, default)
        return value  # type: ignore[no-any-return]  # extra is filled by the loader of key's group


# ---- effects: what the dispatcher applies in the same transaction as the new state ----


@dataclass(frozen=True)
class Effect:
    """Base of every effect; the dispatcher looks up an applier by the concrete type."""


@dataclass(frozen=True)
class SetLanguage(Effect):
    language: str


@dataclass(frozen=True)
class AttachCentre(Effect):
    slug: str


@dataclass(frozen=True)
class LinkPhone(Effect):
    """Join this identity's contact with the one reachable at ``phone`` (E.164)."""

    phone: str


@dataclass(frozen=True)
class SetName(Effect):
    """How the centre addresses this person (None forgets it)."""

    name: str | None


# The engine's own effects: the core feature has exactly one applier each.
CoreEffect = SetLanguage | AttachCentre | LinkPhone | SetName


Stage = Literal["language", "choose_language", "centre", "name", "menu", "flow"]


class State(TypedDict, total=False):
    """A conversation's state: plain JSON data, saved after every step (see ``flows.state``).

    ``v`` is the envelope's version; ``seq`` counts steps; ``ctx`` is the context of the last
    reply that carried choices; ``stage`` says where the person is; while ``stage`` is
    ``"flow"``, the sub-flow ``flow`` owns ``data``.
    """

    v: int
    seq: int
    ctx: str | None
    stage: Stage
    flow: str | None
    data: dict[str, Any] | None


@dataclass(frozen=True)
class Step:
    state: State
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
