"""Replies to and from JSON, for the outbox (a queued message is rendered when it is sent)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from flows.events import Choice, Localized, Msg, Param, Reply, Text


def _param(value: Param) -> Any:
    if isinstance(value, Localized):
        return {"loc": [value.kk, value.ru]}
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    return value


def _param_back(value: Any) -> Param:
    if isinstance(value, dict):
        if "loc" in value:
            return Localized(*value["loc"])
        if "dt" in value:
            return dt.datetime.fromisoformat(value["dt"])
        if "d" in value:
            return dt.date.fromisoformat(value["d"])
    return value  # type: ignore[no-any-return]  # stored JSON: str, int or float, as encoded by _param


def encode_text(text: Text) -> dict[str, Any]:
    if isinstance(text, Localized):
        return {"loc": [text.kk, text.ru]}
    return {
        "key": text.key,
        "params": {name: _param(value) for name, value in text.params.items()},
        "plural": text.plural,
        "count": text.count,
        "language": text.language,
    }


def decode_text(data: dict[str, Any]) -> Text:
    if "loc" in data:
        return Localized(*data["loc"])
    return Msg(
        data["key"],
        {name: _param_back(value) for name, value in data.get("params", {}).items()},
        plural=data.get("plural"),
        count=data.get("count"),
        language=data.get("language"),
    )


def encode_reply(reply: Reply) -> dict[str, Any]:
    return {
        "body": [encode_text(part) for part in reply.body],
        "choices": [
            {"id": c.id, "label": encode_text(c.label), "selected": c.selected} for c in reply.choices
        ],
        "expects": reply.expects,
        "context": reply.context,
        "request_phone": reply.request_phone,
    }


def decode_reply(data: dict[str, Any]) -> Reply:
    return Reply(
        body=tuple(decode_text(part) for part in data["body"]),
        choices=tuple(
            Choice(c["id"], decode_text(c["label"]), c.get("selected", False))
            for c in data.get("choices", [])
        ),
        expects=data.get("expects", "none"),
        context=data.get("context"),
        request_phone=data.get("request_phone", False),
    )


def context_digest(context: str) -> str:
    """A short stable stand-in for a context, for channels whose button data is small
    (Telegram's callback data holds 64 bytes); the dispatcher turns it back (:func:`undigest`)."""
    return "#" + hashlib.sha1(context.encode()).hexdigest()[:16]


def undigest(context: str | None, current: str | None) -> str | None:
    """The context a pressed button meant: the current one when it carries its digest."""
    if context is None or current is None or not context.startswith("#"):
        return context
    return current if context == context_digest(current) else context
