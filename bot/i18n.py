"""Translation catalogs (Babel/gettext) and turning message data into text for one language.

At start every ``locales/<lang>/LC_MESSAGES/messages.po`` is compiled to ``.mo`` when the
``.mo`` is missing or older, then loaded and checked: ``Translations.load`` would silently hand
back a do-nothing catalog, so a missing file or an untranslated msgid is a :class:`CatalogError`.
One :class:`Translator` per language; nothing is installed globally.
"""

from __future__ import annotations

import datetime as dt
import gettext
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from flows.errors import CatalogError
from flows.events import LANGUAGES, Localized, Msg, Param, Text
from flows.timezones import DEFAULT_TIMEZONE

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


def catalog_paths(language: str, locales_dir: Path = LOCALES_DIR) -> tuple[Path, Path]:
    folder = locales_dir / language / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


def read_catalog(po_path: Path, language: str) -> Catalog:
    if not po_path.is_file():
        raise CatalogError(f"{po_path}: translation catalog is missing")
    with po_path.open("rb") as handle:
        return read_po(handle, locale=language)


def untranslated(catalog: Catalog) -> list[str]:
    """Msgids with an empty or fuzzy translation (any plural form)."""
    missing: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def compile_catalog(language: str, locales_dir: Path = LOCALES_DIR) -> Path:
    """Write the ``.mo`` from the ``.po`` when missing or stale; check completeness first."""
    po_path, mo_path = catalog_paths(language, locales_dir)
    catalog = read_catalog(po_path, language)
    missing = untranslated(catalog)
    if missing:
        raise CatalogError(
            f"{po_path}: {len(missing)} untranslated message(s), first: {missing[0]!r}"
        )
    if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
        # Its own file per process: several processes (test workers, the bot and clc-admin)
        # may compile at once, and the rename makes whichever finishes last win whole.
        tmp = mo_path.with_suffix(f".mo.{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            write_mo(handle, catalog)
        tmp.replace(mo_path)
    return mo_path


@dataclass(frozen=True)
class Translator:
    """Renders message data in one language; dates in the centre's time zone."""

    language: str
    translations: gettext.GNUTranslations
    zone: ZoneInfo
    catalogs: Catalogs

    def text(self, item: Text) -> str:
        if isinstance(item, Localized):
            return item.get(self.language)
        if item.language and item.language != self.language:
            return self.catalogs.translator(item.language, self.zone).text(item)
        return self.message(item)

    def message(self, msg: Msg) -> str:
        if msg.plural is not None and msg.count is not None:
            template = self.translations.ngettext(msg.key, msg.plural, msg.count)
        else:
            template = self.translations.gettext(msg.key)
        values = {name: self.param(value) for name, value in msg.params.items()}
        if msg.count is not None:
            values.setdefault("count", self.param(msg.count))
        return template.format_map(values) if values else template

    def param(self, value: Param) -> str:
        if isinstance(value, Localized):
            return value.get(self.language)
        if isinstance(value, dt.datetime):
            local = value.astimezone(self.zone)
            return format_datetime(local, "d MMMM, HH:mm", locale=self.language)
        if isinstance(value, dt.date):
            return format_date(value, "d MMMM y", locale=self.language)
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int | float):
            return format_decimal(value, locale=self.language)
        return str(value)


class Catalogs:
    """The loaded, checked catalogs of every supported language."""

    def __init__(self, translations: Mapping[str, gettext.GNUTranslations], zone: ZoneInfo) -> None:
        self._translations = dict(translations)
        self.zone = zone

    @classmethod
    def load(cls, zone: ZoneInfo | None = None, locales_dir: Path = LOCALES_DIR) -> Catalogs:
        loaded: dict[str, gettext.GNUTranslations] = {}
        for language in LANGUAGES:
            mo_path = compile_catalog(language, locales_dir)
            with mo_path.open("rb") as handle:
                loaded[language] = gettext.GNUTranslations(handle)
        return cls(loaded, zone or ZoneInfo(DEFAULT_TIMEZONE))

    def translator(self, language: str | None, zone: ZoneInfo | None = None) -> Translator:
        chosen = language if language in self._translations else LANGUAGES[0]
        return Translator(chosen, self._translations[chosen], zone or self.zone, self)
