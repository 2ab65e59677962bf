"""The opt-in Latin transliteration: readable, and every Kazakh or Russian text fits GSM-7."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import bot.channels.translit as translit_module
from bot.channels.sms_segments import count_segments, is_gsm7
from bot.channels.translit import LETTERS, transliterate

KAZAKH_AND_RUSSIAN = "".join(LETTERS) + "".join(LETTERS).upper()


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Сәлеметсіз бе! Қай курсқа жазыласыз?", "Sälemetsiz be! Qay kursqa zhazylasyz?"),
        ("Жауап ретінде нөмірін жіберіңіз", "Zhauap retinde nömirin zhiberingiz"),
        ("Ғалым, Өскемен, Үржар, Ұлан, Һ", "Ghalym, Öskemen, Ürzhar, Ulan, H"),
        ("Ответьте номером", "Otvette nomerom"),
        ("Щучинск, Шымкент, Чапаев, Цветы, Хлеб", "Shchuchinsk, Shymkent, Chapaev, Tsvety, Khleb"),
        ("Юрий, Яна, Ёлка, подъезд, Эмба", "Yuriy, Yana, Yolka, podezd, Emba"),
        ("ЖОҚ", "ZHOQ"),
        ("ИӘ / ДА", "IÄ / DA"),
        ("Ж. Баласағұн", "Zh. Balasaghun"),
        ("«Курсы» — №5…", '"Kursy" - No5...'),
        ("1. Иә ✓", "1. Iä +"),
        ("Hello 123", "Hello 123"),
    ],
)
def test_readable_table(cyrillic: str, latin: str) -> None:
    assert transliterate(cyrillic) == latin
    assert is_gsm7(transliterate(cyrillic))


@given(st.text(alphabet=KAZAKH_AND_RUSSIAN + " .,!?-:0123456789\n«»—№…", max_size=300))
def test_every_kazakh_and_russian_text_becomes_gsm7(text: str) -> None:
    assert is_gsm7(transliterate(text))


def test_it_buys_more_than_twice_the_room() -> None:
    text = "Сіз қай уақытта оқи аласыз? 1. Таңертең 2. Күндіз 3. Кешке 4. Демалыс күндері"
    assert count_segments(text).segments == 2
    assert count_segments(transliterate(text)).segments == 1


def test_the_documented_table_matches_the_code() -> None:
    """Every letter of the code's table appears with its Latin in the module docstring and README."""
    doc = translit_module.__doc__ or ""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for letter, latin in LETTERS.items():
        shown = latin or "(none)"
        assert re.search(rf"{letter}\s+{re.escape(shown)}(\s|$)", doc), letter
        assert re.search(rf"\|\s*{letter}\s*\|\s*{re.escape(shown)}\s*\|", readme), letter
