"""Replies shaped for Telegram: inline keyboards, compact callback data, 4,096-character parts.

Texts go out without a parse mode, so nothing a villager or a facilitator wrote can break the
markup and no escaping is needed.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.codec import context_digest
from bot.i18n import Translator
from bot.render import choice_label, render_body
from flows.events import N_, Msg, Reply

MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
MAX_BUTTONS = 100
SEPARATOR = "|"


def callback_data(context: str | None, choice_id: str) -> str:
    """``<context>|<choice>``; a context that would not fit travels as its digest."""
    data = f"{context or ''}{SEPARATOR}{choice_id}"
    if len(data.encode()) > MAX_CALLBACK_BYTES and context:
        data = f"{context_digest(context)}{SEPARATOR}{choice_id}"
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: choice id {choice_id!r}")
    return data


def parse_callback(data: str | None) -> tuple[str | None, str] | None:
    """``(context, choice)`` from a button's data; None when it is not ours."""
    if not data or SEPARATOR not in data:
        return None
    context, choice = data.split(SEPARATOR, 1)
    return (context or None), choice


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Parts of at most ``limit`` characters, cut at a paragraph, else a line, else a space."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), 0) or max(window.rfind("\n"), 0) or max(window.rfind(" "), 0)
        if cut < limit // 4:  # no good boundary: cut hard rather than send tiny parts
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest.strip() or not parts:
        parts.append(rest.rstrip())
    return parts


def inline_keyboard(reply: Reply, tr: Translator) -> InlineKeyboardMarkup | None:
    if not reply.choices:
        return None
    labels = [choice_label(reply, index, tr) for index in range(len(reply.choices))]
    buttons = [
        InlineKeyboardButton(label[:64], callback_data=callback_data(reply.context, choice.id))
        for label, choice in zip(labels, reply.choices, strict=True)
    ][:MAX_BUTTONS]
    short = all(len(label) <= 14 for label in labels)
    per_row = 2 if short else 1  # short labels (languages, yes/no) side by side
    return InlineKeyboardMarkup([buttons[i : i + per_row] for i in range(0, len(buttons), per_row)])


def share_phone_keyboard(tr: Translator) -> ReplyKeyboardMarkup:
    label = tr.text(Msg(N_("Share my phone number")))
    return ReplyKeyboardMarkup(
        [[KeyboardButton(label, request_contact=True)]], resize_keyboard=True, one_time_keyboard=True
    )


def message_text(reply: Reply, tr: Translator) -> str:
    return render_body(reply, tr) or "…"
