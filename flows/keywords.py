"""Command words in Kazakh, Russian and English, typed or sent as Telegram commands.

The engine's own commands are here; each feature's flow brings its own words
(:class:`flows.registry.FlowSpec`), and a :class:`Vocabulary` holds both for one bot.
"""

from __future__ import annotations

from collections.abc import Mapping

from flows.text import fold

# Menu items the engine answers itself, after the features' items.
BUILTIN_MENU_ITEMS: tuple[str, ...] = ("language", "help", "name")

COMMAND_WORDS: dict[str, tuple[str, ...]] = {
    "start": ("start", "бастау", "старт", "сәлем", "привет", "hello", "hi"),
    "menu": ("menu", "мәзір", "меню", "басты мәзір", "главное меню"),
    "language": ("language", "lang", "тіл", "язык", "тілді ауыстыру", "сменить язык"),
    "help": ("help", "көмек", "помощь"),
    "cancel": ("cancel", "болдырмау", "бас тарту", "тоқтату", "отмена", "отменить"),
    "back": ("back", "артқа", "назад"),
    "skip": ("skip", "өткізу", "өткізіп жіберу", "пропустить", "пропуск"),
    "stop": ("stop", "стоп", "тоқта", "unsubscribe"),
    "phone": ("phone", "телефон", "телефон нөмірі", "номер телефона"),
    "name": ("name", "атым", "есімім", "менің атым", "имя", "моё имя", "мое имя"),
    "centre": ("centre", "center", "орталық", "орталығым", "менің орталығым", "центр", "мой центр"),
}

_BY_WORD: dict[str, str] = {
    fold(word): command for command, words in COMMAND_WORDS.items() for word in words
}


def is_slash_command(text: str | None) -> bool:
    """``/menu`` and the like: a command even in the middle of a flow."""
    return text is not None and text.lstrip().startswith("/")


def _lookup(text: str | None, words: Mapping[str, str]) -> str | None:
    if not text:
        return None
    stripped = text.strip()
    if stripped.startswith("/"):
        name = stripped[1:].split(maxsplit=1)[0].split("@", 1)[0] if len(stripped) > 1 else ""
        return words.get(fold(name)) or ("start" if fold(name) == "start" else None)
    if len(stripped) > 40:
        return None
    return words.get(fold(stripped))


def parse_command(text: str | None) -> str | None:
    """The engine command a text names (``/language``, ``/language@clc_bot``, ``Тіл``), or None."""
    return _lookup(text, _BY_WORD)


class Vocabulary:
    """The engine's commands plus the words of one bot's flows (``курсы`` opens "courses")."""

    def __init__(self, flow_words: Mapping[str, tuple[str, ...]]) -> None:
        by_word = dict(_BY_WORD)
        for flow, words in flow_words.items():
            for word in (flow, *words):
                by_word.setdefault(fold(word), flow)
        self._by_word = by_word

    def parse(self, text: str | None) -> str | None:
        return _lookup(text, self._by_word)
