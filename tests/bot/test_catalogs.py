"""Every message the code can show exists in natural Kazakh and Russian, placeholders intact."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from bot.i18n import LOCALES_DIR, Catalogs, catalog_paths, compile_catalog, read_catalog
from flows.errors import CatalogError
from flows.events import Msg, plural_msg

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w*)\}")
KAZAKH_LETTERS = set("әғқңөұүһі")


def code_msgids() -> set[str]:
    """What ``pybabel extract`` would find: N_() and the singular of NP_()."""
    found: set[str] = set()
    for package in ("flows", "bot"):
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / package, keywords={"N_": None, "NP_": (1, 2)}, comment_tags=()
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_msgid_in_the_code_is_translated(language: str) -> None:
    catalog = read_catalog(catalog_paths(language)[0], language)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0]) for m in catalog
        if m.id and all(m.string if isinstance(m.string, tuple) else (m.string,)) and not m.fuzzy
    }
    assert sorted(code_msgids() - translated) == []


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_placeholders_match_between_msgid_and_msgstr(language: str) -> None:
    catalog = read_catalog(catalog_paths(language)[0], language)
    mismatched = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for text in strings:
            found = set(PLACEHOLDER.findall(text))
            if len(ids) > 1:  # a plural form may leave out {count} ("one day" → "бір күн")
                found, wanted = found - {"count"}, expected - {"count"}
            else:
                wanted = expected
            if found != wanted:
                mismatched.append((ids[0], text))
    assert mismatched == []


MSGID = re.compile(r'^msgid ((?:".*"\n?)+)', re.M)


def test_no_duplicate_msgids_in_the_catalog_files() -> None:
    for language in ("kk", "ru"):
        text = catalog_paths(language)[0].read_text(encoding="utf-8")
        ids = ["".join(re.findall(r'"(.*)"', block)) for block in MSGID.findall(text)]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        assert duplicated == [], f"{language}: duplicated msgids"


def test_kazakh_catalog_is_kazakh_not_russian() -> None:
    kk = {m.id: m.string for m in read_catalog(catalog_paths("kk")[0], "kk") if m.id}
    ru = {m.id: m.string for m in read_catalog(catalog_paths("ru")[0], "ru") if m.id}
    copied = [msgid for msgid, text in kk.items() if text == ru.get(msgid) and re.search(r"[а-я]{3}", str(text))]
    assert copied == []
    used = set(" ".join(str(text) for text in kk.values()).lower())
    assert len(KAZAKH_LETTERS & used) >= 6, "Kazakh texts should use the Kazakh letters"


def test_plural_forms_kazakh_two_russian_three(tmp_path: Path) -> None:
    shutil.copytree(LOCALES_DIR, tmp_path / "locales")
    forms = {
        "kk": '"{count} орын"\nmsgstr[1] "{count} орын"',
        "ru": '"{count} место"\nmsgstr[1] "{count} места"\nmsgstr[2] "{count} мест"',
    }
    for language, strings in forms.items():
        po = catalog_paths(language, tmp_path / "locales")[0]
        assert read_catalog(po, language).num_plurals == {"kk": 2, "ru": 3}[language]
        po.write_text(po.read_text(encoding="utf-8") + (
            f'\nmsgid "{{count}} seat"\nmsgid_plural "{{count}} seats"\nmsgstr[0] {strings}\n'
        ), encoding="utf-8")
    loaded = Catalogs.load(locales_dir=tmp_path / "locales")
    seats = ("{count} seat", "{count} seats")
    ru, kk = loaded.translator("ru"), loaded.translator("kk")
    assert [ru.text(plural_msg(seats, n)) for n in (1, 3, 5, 21)] == ["1 место", "3 места", "5 мест", "21 место"]
    assert [kk.text(plural_msg(seats, n)) for n in (1, 5)] == ["1 орын", "5 орын"]


def test_dates_and_numbers_follow_the_language(catalogs: Catalogs) -> None:
    import datetime as dt

    moment = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)  # 14:30 in Almaty
    assert catalogs.translator("ru").param(moment) == "2 марта, 14:30"
    assert catalogs.translator("kk").param(moment) == "2 наурыз, 14:30"
    assert catalogs.translator("ru").param(12345) == "12\xa0345"


def test_a_missing_catalog_is_an_error_not_a_silent_fallback(tmp_path: Path) -> None:
    shutil.copytree(LOCALES_DIR, tmp_path / "locales")
    (tmp_path / "locales" / "ru" / "LC_MESSAGES" / "messages.po").unlink()
    with pytest.raises(CatalogError, match="ru/LC_MESSAGES/messages.po: translation catalog is missing"):
        Catalogs.load(locales_dir=tmp_path / "locales")


def test_an_untranslated_message_stops_the_start(tmp_path: Path) -> None:
    shutil.copytree(LOCALES_DIR, tmp_path / "locales")
    po = tmp_path / "locales" / "kk" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "Brand new text"\nmsgstr ""\n', encoding="utf-8")
    with pytest.raises(CatalogError, match="untranslated message.*Brand new text"):
        Catalogs.load(locales_dir=tmp_path / "locales")


def test_a_stale_mo_is_recompiled(tmp_path: Path) -> None:
    shutil.copytree(LOCALES_DIR, tmp_path / "locales")
    locales = tmp_path / "locales"
    compile_catalog("ru", locales)
    po, mo = catalog_paths("ru", locales)
    text = po.read_text(encoding="utf-8").replace(
        'msgid "Help"\nmsgstr "Помощь"', 'msgid "Help"\nmsgstr "Справка"'
    )
    po.write_text(text, encoding="utf-8")
    import os

    os.utime(mo, (1, 1))  # older than the .po
    tr = Catalogs.load(locales_dir=locales).translator("ru")
    assert tr.text(Msg("Help")) == "Справка"
