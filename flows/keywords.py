"""Command words in Kazakh, Russian and English, typed or sent as Telegram commands."""

from __future__ import annotations

from flows.text import fold

COMMAND_WORDS: dict[str, tuple[str, ...]] = {
    "start": ("start", "бастау", "старт", "сәлем", "привет", "hello", "hi"),
    "menu": ("menu", "мәзір", "меню", "басты мәзір", "главное меню"),
    "language": ("language", "lang", "тіл", "язык", "тілді ауыстыру", "сменить язык"),
    "help": ("help", "көмек", "помощь"),
    "cancel": ("cancel", "болдырмау", "бас тарту", "тоқтату", "отмена", "отменить"),
    "survey": ("survey", "сауалнама", "опрос", "анкета"),
    "courses": ("courses", "курстар", "курсы"),
    "my": ("my", "менің курстарым", "менің жазылуларым", "мои курсы", "мои записи"),
    "back": ("back", "артқа", "назад"),
    "skip": ("skip", "өткізу", "өткізіп жіберу", "пропустить", "пропуск"),
    "stop": ("stop", "стоп", "тоқта", "unsubscribe"),
    "phone": ("phone", "телефон", "телефон нөмірі", "номер телефона"),
    "manage": ("manage", "басқару", "управление", "фасилитатор"),
}

_BY_WORD: dict[str, str] = {
    fold(word): command for command, words in COMMAND_WORDS.items() for word in words
}


def parse_command(text: str | None) -> str | None:
    """The command a text names (``/language``, ``/language@clc_bot``, ``Тіл``), or None."""
    if not text:
        return None
    stripped = text.strip()
    if stripped.startswith("/"):
        name = stripped[1:].split(maxsplit=1)[0].split("@", 1)[0] if len(stripped) > 1 else ""
        return _BY_WORD.get(fold(name)) or ("start" if fold(name) == "start" else None)
    if len(stripped) > 40:
        return None
    return _BY_WORD.get(fold(stripped))


def is_slash_command(text: str | None) -> bool:
    return bool(text) and text.lstrip().startswith("/")  # type: ignore[union-attr]
