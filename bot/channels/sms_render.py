"""Replies as SMS text: short wordings, compact numbered choices, how to answer, segment counts,
optional Latin.

Every segment is paid for (70 Cyrillic characters, 67 per part of a longer message), so SMS
says each text in its short form where it has one (``sms:`` in questionnaires,
:mod:`bot.channels.sms_wording` for the bot's own messages), puts short choices on one line
(``1 Иә 2 Жоқ``), and says how to answer only once per survey run (``Reply.brief``).

The main menu comes after most answers: over SMS it is short labels without "send the number"
(its numbered lines say it, and the language question before it asked for a number), and when
it would push the SMS past two segments it becomes a one-line pointer («мәзір» brings it).

All replies of one step go out as one SMS body (one concatenated message keeps them in order,
which separate SMS do not, and wastes less of the last segment), split only past Twilio's
1,600-character limit at reply boundaries. Lines are joined by single newlines: over SMS every
character is paid for. A question longer than two segments is logged, so the wording can be
shortened where it allows.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.channels.sms_segments import SegmentCount, count_segments
from bot.channels.sms_wording import MENU_POINTER, short_form
from bot.channels.translit import transliterate
from bot.i18n import Translator
from bot.render import CHECK, answer_hint
from flows.events import Msg, Reply
from flows.menu import MENU_CONTEXT
from flows.questionnaire.answers import DONE

log = logging.getLogger(__name__)
MAX_BODY = 1600
QUESTION_BUDGET = 2
ONE_LINE = 40  # choices joined on one line up to this width: about one line of a phone screen


@dataclass(frozen=True)
class SmsText:
    body: str
    count: SegmentCount


def reply_text(reply: Reply, tr: Translator, *, latin: bool = False) -> str:
    """One reply: its paragraphs (short forms where they exist), its choices, how to answer."""
    lines = [tr.text(short_form(item)).strip() for item in reply.body]
    shown = len(reply.choices)
    if reply.expects == "choices" and shown and reply.choices[-1].id == DONE:
        shown -= 1  # "1 3 5" in one SMS is the whole answer: no "done" line to pay for
    if shown:
        lines.extend(choice_lines([_choice_label(reply, index, tr) for index in range(shown)]))
        hint = answer_hint(reply)
        # Said once per survey run, not at every question; never under the main menu.
        if hint is not None and not reply.brief and reply.context != MENU_CONTEXT:
            lines.append(_hint_text(reply, hint, tr))
    text = "\n".join(line for line in lines if line)
    return transliterate(text) if latin else text


def choice_lines(labels: Sequence[str]) -> list[str]:
    """``1 Иә 2 Жоқ`` on one line when short; else a line each, with ``1.`` if a label is a number."""
    numbered = [f"{number} {label}" for number, label in enumerate(labels, 1)]
    starts_with_digit = any(label[:1].isdigit() for label in labels)
    if not starts_with_digit and len(" ".join(numbered)) <= ONE_LINE:
        return [" ".join(numbered)]
    if starts_with_digit:  # "2 18–29" would read as one number
        return [f"{number}. {label}" for number, label in enumerate(labels, 1)]
    return numbered


def _choice_label(reply: Reply, index: int, tr: Translator) -> str:
    choice = reply.choices[index]
    label = tr.text(short_form(choice.label))
    return f"{label} {CHECK}" if choice.selected else label


def _hint_text(reply: Reply, hint: Msg, tr: Translator) -> str:
    """In every language the body is written in: the language question is asked in both."""
    languages = list(dict.fromkeys(
        part.language for part in reply.body if isinstance(part, Msg) and part.language
    ))
    if len(languages) < 2:
        return tr.text(short_form(hint))
    return " / ".join(tr.text(short_form(replace(hint, language=language))) for language in languages)


def render_sms(replies: Sequence[Reply], tr: Translator, *, latin: bool = False) -> list[SmsText]:
    """The SMS bodies for one step's replies (usually one), each with its segment count."""
    shown = [reply for reply in replies if not reply.notice]
    texts = [reply_text(reply, tr, latin=latin) for reply in shown]
    if len(shown) > 1 and shown[-1].context == MENU_CONTEXT and _over_budget(texts):
        pointer = tr.text(Msg(MENU_POINTER))
        pointed = [*texts[:-1], transliterate(pointer) if latin else pointer]
        if not _over_budget(pointed):  # else the answer alone is long: the menu costs little more
            texts = pointed
    for reply, text in zip(shown, texts, strict=True):
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


def _over_budget(texts: Sequence[str]) -> bool:
    """Whether these replies, sent as one SMS, cost more than a question may."""
    return count_segments("\n\n".join(text for text in texts if text)).segments > QUESTION_BUDGET


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
