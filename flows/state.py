"""The stored conversation state: a typed, versioned envelope and the migrations to it.

Every step's state is written as JSON (``to_json``) and read back through ``from_json``,
which brings a state stored by an older release up to :data:`STATE_VERSION` and checks its
shape, so the engine only ever sees a :class:`flows.events.State` it understands.

Versions:

- 0 (no ``v``): the same keys as version 1; written before the envelope had a version.
- 1: ``{"v": 1, "seq", "ctx", "stage", "flow", "data"}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import TypeAdapter, ValidationError

from flows.errors import StateError
from flows.events import State

STATE_VERSION = 1
_ADAPTER: TypeAdapter[State] = TypeAdapter(State)


def initial_state() -> State:
    return {"v": STATE_VERSION, "seq": 0, "ctx": None, "stage": "language", "flow": None, "data": None}


def _from_0(raw: dict[str, Any]) -> dict[str, Any]:
    return {**initial_state(), **raw, "v": 1}


# Each migration takes a state of version N to N + 1.
MIGRATIONS: Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _from_0}


def from_json(raw: Mapping[str, Any] | None) -> State | None:
    """The stored state, migrated to the current version; None when nothing was stored."""
    if raw is None:
        return None
    current = dict(raw)
    version = int(current.get("v", 0))
    if version > STATE_VERSION:
        raise StateError(f"conversation state version {version} is newer than this release ({STATE_VERSION})")
    while version < STATE_VERSION:
        current = MIGRATIONS[version](current)
        version = int(current["v"])
    try:
        return _ADAPTER.validate_python(current)
    except ValidationError as exc:
        raise StateError(f"conversation state cannot be read: {exc}") from None


def to_json(state: State) -> dict[str, Any]:
    return {**initial_state(), **state, "v": STATE_VERSION}
