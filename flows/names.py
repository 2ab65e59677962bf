"""How the centre addresses a person: asked once after the language, changed from the menu.

Optional and skippable. A name is what a person would write on a register: letters (any
script), with spaces, hyphens, apostrophes or dots between them, at most ``MAX_NAME_CHARS``.
Digits never make a name, so a menu number typed at the name question still opens the menu.
"""

from __future__ import annotations

import datetime as dt
import re

from flows.events import N_, Choice, Inbound, Localized, Msg, Reply
from flows.keywords import COMMAND_WORDS
from flows.text import fold
from flows.yesno import NO_WORDS, YES_WORDS

MAX_NAME_CHARS = 60
MAX_NAME_WORDS = 4  # "Мария Ивановна Петрова" is three; a longer text is a sentence, not a name
# The question waits this long for its answer; a text days later is a new conversation.
ANSWER_WINDOW = dt.timedelta(hours=1)
# Replies that are not names: thanks, greetings, consent, refusals. "Рахмет" must not become
# the way the centre addresses someone.
NOT_NAMES = frozenset(fold(word) for word in (
    *YES_WORDS, *NO_WORDS, *COMMAND_WORDS["start"],
    "рахмет", "рақмет", "рахмет сізге", "спасибо", "благодарю", "thanks", "thank you",
    "жарайды", "жақсы", "хорошо", "ладно", "понятно", "түсінікті", "okay",
    "сәлеметсіз бе", "сәлеметсіздер ме", "салем", "здравствуйте", "здраствуйте", "добрый день",
    "қайырлы күн", "ассалаумағалейкум", "ассалаумағалейкүм",
    "не надо", "керек емес", "жоқ рахмет", "нет спасибо", "не хочу", "қаламаймын",
))
# A reply that means "I'd rather not say": the question closes and the menu stays.
SKIP_WORDS = frozenset(fold(word) for word in (
    *COMMAND_WORDS["skip"], *COMMAND_WORDS["back"], "не надо", "керек емес", "қаламаймын", "не хочу",
    "жоқ", "нет", "no",
))
# Short lower-case words that join a sentence, never a name: "хочу на курсы", "мен де барамын".
_SENTENCE_WORDS = frozenset(fold(word) for word in (
    "на", "в", "и", "не", "я", "мне", "хочу", "можно", "как", "что", "где",
    "мен", "сен", "және", "де", "да", "бар", "жоқ", "керек", "қалай", "не", "қайда", "маған",
))
NAME_CONTEXT = "name"
USE_PROFILE = "use_profile"
_ALLOWED = re.compile(r"^[^\W\d_]+(?:[ \-'’.]+[^\W\d_]+)*\.?$")


def clean_name(text: str | None) -> str | None:
    """The name as it will be stored, or None if the text is not a name."""
    if text is None:
        return None
    name = " ".join(text.split())
    if not name or len(name) > MAX_NAME_CHARS or len(name.split()) > MAX_NAME_WORDS:
        return None
    if not _ALLOWED.match(name):
        return None
    if fold(name) in NOT_NAMES or any(fold(word) in _SENTENCE_WORDS for word in name.split()[1:]):
        return None
    return name


def is_skip(text: str | None) -> bool:
    return text is not None and fold(" ".join(text.split()).lstrip("/")) in SKIP_WORDS


def still_waiting(asked_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether the name question, asked at the last step, still waits for its answer."""
    return asked_at is None or now - asked_at <= ANSWER_WINDOW


def name_prompt(event: Inbound, *, first_time: bool) -> Reply:
    """The question; on Telegram the profile's first name is offered as a button."""
    profile = clean_name(event.profile_name)
    choices = (Choice(USE_PROFILE, Localized(profile, profile)),) if profile else ()
    text = (
        N_("How should the centre address you? Write your name, or choose from the menu.")
        if first_time else N_("How should the centre address you? Write your name.")
    )
    return Reply(body=(Msg(text),), choices=choices, expects="text", context=NAME_CONTEXT)


def name_saved(name: str) -> Reply:
    return Reply(body=(Msg(N_("Thank you, {name}! The centre will address you so."), {"name": name}),))


def name_invalid() -> Reply:
    return Reply(body=(Msg(N_("Please write your name in letters, at most {count} of them."),
                           {"count": MAX_NAME_CHARS}),))
