"""Replies as SMS text: numbered choices, how to answer, segment counts, optional Latin.

All replies of one step go out as one SMS body (one concatenated message keeps them in order,
which separate SMS do not, and wastes less of the last segment), split only past Twilio's
1,600-character limit at reply boundaries. Lines are joined by single newlines: over SMS every
character is paid for. A question longer than two segments is logged, so the wording can be
shortened where it allows.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.channels.sms_segments import SegmentCount, count_segments
from bot.channels.translit import transliterate
from bot.i18n import Translator
from bot.render import answer_hint, choice_label, render_body
from flows.events import Msg, Reply
from flows.questionnaire.answers import DONE

log = logging.getLogger(__name__)
MAX_BODY = 1600
QUESTION_BUDGET = 2


@dataclass(frozen=True)
class SmsText:
    body: str
    count: SegmentCount


def reply_text(reply: Reply, tr: Translator, *, latin: bool = False) -> str:
    """One reply: its paragraphs, then ``1. …`` lines, then the answering hint."""
    lines = [render_body(reply, tr).replace("\n\n", "\n")]
    shown = len(reply.choices)
    if reply.expects == "choices" and shown and reply.choices[-1].id == DONE:
        shown -= 1  # "1 3 5" in one SMS is the whole answer: no "done" line to pay for
    if reply.choices:
        lines.extend(f"{n}. {choice_label(reply, n - 1, tr)}" for n in range(1, shown + 1))
        hint = answer_hint(reply)
        if hint is not None:
            lines.append(_hint_text(reply, hint, tr))
    text = "\n".join(line for line in lines if line)
    return transliterate(text) if latin else text


def _hint_text(reply: Reply, hint: Msg, tr: Translator) -> str:
    """In every language the body is written in: the language question is asked in both."""
    languages = list(dict.fromkeys(
        part.language for part in reply.body if isinstance(part, Msg) and part.language
    ))
    if len(languages) < 2:
        return tr.text(hint)
    return " / ".join(tr.text(Msg(hint.key, language=language)) for language in languages)


def render_sms(replies: Sequence[Reply], tr: Translator, *, latin: bool = False) -> list[SmsText]:
    """The SMS bodies for one step's replies (usually one), each with its segment count."""
    texts = [reply_text(reply, tr, latin=latin) for reply in replies if not reply.notice]
    for reply, text in zip((r for r in replies if not r.notice), texts, strict=True):
        count = count_segments(text)
        if reply.choices and count.segments > QUESTION_BUDGET:
            log.warning(
                "SMS question %s needs %d segments (%s, %d units); consider shorter wording",
                reply.context, count.segments, count.encoding, count.units,
            )
    bodies: list[str] = []
    for text in texts:
        if not text:
            continue
        if bodies and len(bodies[-1]) + 2 + len(text) <= MAX_BODY:
            bodies[-1] = f"{bodies[-1]}\n\n{text}"
        else:
            bodies.extend(_cut(text))
    return [SmsText(body, count_segments(body)) for body in bodies]


def _cut(text: str) -> list[str]:
    """A single reply over 1,600 characters: cut at line ends (questions are far shorter)."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > MAX_BODY:
            parts.append(line[:MAX_BODY])
            line = line[MAX_BODY:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > MAX_BODY:
            parts.append(current)
            candidate = line
        current = candidate
    if current:
        parts.append(current)
    return parts
