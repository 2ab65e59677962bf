"""Inbound events as the inbound log keeps them, and back (a recorded, unhandled update is
handled after a restart from its row alone); and the cleaning every event gets first."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, get_args

from flows.events import Capability, Inbound
from storage.inbound import Arrived
from storage.models import InboundMessage

_OPTIONAL = ("choice", "context", "language_hint", "shared_phone", "start_payload", "profile_name")
_CAPABILITIES: frozenset[str] = frozenset(get_args(Capability))
# Control characters cannot all be stored (NUL on PostgreSQL); line breaks are kept.
_UNSTORABLE = dict.fromkeys(range(0x20), None) | {ord("\n"): "\n", ord("\t"): " ", ord("\r"): None}


def _clean(text: str) -> str:
    if not text.isprintable():
        text = text.translate(_UNSTORABLE)
    # A lone surrogate (a JSON "\ud800") cannot be encoded to UTF-8: not stored, not logged.
    return text.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(text) else text


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)


def clean_event(event: Inbound) -> Inbound:
    fields = {name: getattr(event, name) for name in ("text", *_OPTIONAL)}
    cleaned = {name: _clean(value) for name, value in fields.items() if isinstance(value, str)}
    changed = {name: value for name, value in cleaned.items() if value != fields[name]}
    return replace(event, **changed) if changed else event  # type: ignore[arg-type]  # str fields only


def arrived(event: Inbound, provider_id: str | None, **extra: Any) -> Arrived:
    present = {name: getattr(event, name) for name in _OPTIONAL}
    payload: dict[str, Any] = {name: value for name, value in present.items() if value is not None}
    if event.capabilities:
        payload["capabilities"] = sorted(event.capabilities)
    return Arrived(event.channel, provider_id, event.address, event.text, payload | extra)


def event_from(row: InboundMessage) -> Inbound:
    payload = row.payload or {}
    optional = {name: payload[name] for name in _OPTIONAL if isinstance(payload.get(name), str)}
    stored = payload.get("capabilities")
    listed = stored if isinstance(stored, list) else []
    capabilities: frozenset[Capability] = frozenset(c for c in listed if c in _CAPABILITIES)
    return Inbound(row.channel, row.address, text=row.text, capabilities=capabilities, **optional)
