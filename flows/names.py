"""How the centre addresses a person: asked once after the language, changed from the menu.

Optional and skippable. A name is what a person would write on a register: letters (any
script), with spaces, hyphens, apostrophes or dots between them, at most ``MAX_NAME_CHARS``.
Digits never make a name, so a menu number typed at the name question still opens the menu.
"""

from __future__ import annotations

import re

from flows.events import N_, Choice, Inbound, Localized, Msg, Reply

MAX_NAME_CHARS = 60
MAX_NAME_WORDS = 4  # "Мария Ивановна Петрова" is three; a longer text is a sentence, not a name
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
    return name


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
