"""The replies of the first conversation: language choice, main menu, help."""

from __future__ import annotations

from collections.abc import Sequence

from flows.events import LANGUAGES, N_, Choice, Localized, Msg, Reply

MenuItems = Sequence[tuple[str, str | None]]
"""(item, label msgid) in menu order; None for the engine's own items (language, help)."""

LANGUAGE_CONTEXT = "lang"
MENU_CONTEXT = "menu"

LANGUAGE_NAMES: dict[str, Localized] = {
    "kk": Localized(kk="Қазақша", ru="Қазақша"),
    "ru": Localized(kk="Русский", ru="Русский"),
}
# Also accepted when typed, besides the option number and the names above.
LANGUAGE_WORDS: dict[str, tuple[str, ...]] = {
    "kk": ("Қазақша", "қазақ", "қазақ тілі", "казахский", "kazakh", "kz", "kk"),
    "ru": ("Русский", "орысша", "орыс тілі", "русский язык", "russian", "ru"),
}

BUILTIN_LABELS: dict[str, str] = {
    "language": N_("Language"),
    "help": N_("Help"),
    "name": N_("My name"),
    "centre": N_("My learning centre"),
}


def language_order(hint: str | None) -> tuple[str, ...]:
    """The greeting's paragraphs in reading order: the channel's hint (or current language) first."""
    if hint in LANGUAGES:
        return (hint, *(lang for lang in LANGUAGES if lang != hint))
    return LANGUAGES


def language_choices(hint: str | None) -> tuple[Choice, ...]:
    """Always 1 Қазақша, 2 Русский, so a typed number means the same on every screen."""
    return tuple(
        Choice(id=lang, label=LANGUAGE_NAMES[lang], selected=(lang == hint)) for lang in LANGUAGES
    )


def language_prompt(hint: str | None, *, greet: bool) -> Reply:
    """Asked in both languages at once: the person may not read the other one."""
    key = N_("Hello! Please choose your language.") if greet else N_("Please choose your language.")
    return Reply(
        body=tuple(Msg(key, language=lang) for lang in language_order(hint)),
        choices=language_choices(hint),
        expects="choice",
        context=LANGUAGE_CONTEXT,
    )


def language_reprompt(hint: str | None) -> Reply:
    return Reply(
        body=tuple(Msg(N_("Please answer 1 or 2."), language=lang) for lang in language_order(hint)),
        choices=language_choices(None),
        expects="choice",
        context=LANGUAGE_CONTEXT,
    )


def language_set() -> Reply:
    return Reply(body=(Msg(N_("Done: I will write to you in English.")),))


def main_menu(items: MenuItems) -> Reply:
    return Reply(
        body=(Msg(N_("Main menu. What would you like to do?")),),
        choices=tuple(Choice(id=item, label=Msg(label or BUILTIN_LABELS[item])) for item, label in items),
        expects="choice",
        context=MENU_CONTEXT,
    )


def menu_reprompt(items: MenuItems) -> Reply:
    return Reply(
        body=(
            Msg(
                N_("I did not understand. Send a number from 1 to {count}, or a menu word."),
                {"count": len(items)},
            ),
        )
    )


def help_text() -> Reply:
    return Reply(
        body=(
            Msg(
                N_(
                    "This bot belongs to the Community Learning Centre in your village. Here you can answer "
                    "the needs survey, find courses and enrol, and follow your waiting list.\n"
                    "Words that work at any time: menu, language, help, cancel.\n"
                    "To delete everything the centre keeps about you, write: delete my data."
                )
            ),
        )
    )


def stale_button() -> Reply:
    return Reply(body=(Msg(N_("That button belongs to an earlier message.")),), notice=True)


def phone_request() -> Reply:
    return Reply(
        body=(Msg(N_("Press the button below to share your phone number. Then we know you on SMS too.")),),
        request_phone=True,
    )


def phone_saved() -> Reply:
    return Reply(body=(Msg(N_("Thank you, your phone number is saved.")),))


def phone_invalid() -> Reply:
    return Reply(body=(Msg(N_("That phone number does not look right.")),))
