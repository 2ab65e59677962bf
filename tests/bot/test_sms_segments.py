"""What an SMS costs: GSM-7 160/153 with double extension characters, UCS-2 70/67 in UTF-16 units."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.sms_segments import GSM7_BASIC, count_segments, is_gsm7


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 0),
        ("Hello, reply 1 or 2", "GSM-7", 19, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("Ответьте номером", "UCS-2", 16, 1),
        ("я" * 70, "UCS-2", 70, 1),
        ("я" * 71, "UCS-2", 71, 2),
        ("я" * 134, "UCS-2", 134, 2),
        ("я" * 135, "UCS-2", 135, 3),
        ("Жауап ретінде нөмірін жіберіңіз", "UCS-2", 31, 1),
        ("ә ғ қ ң ө ұ ү һ і", "UCS-2", 17, 1),
        # One Kazakh letter in a Latin text turns the whole message into UCS-2.
        ("a" * 69 + "қ", "UCS-2", 70, 1),
        ("a" * 70 + "қ", "UCS-2", 71, 2),
        ("Price: 5€ [a] {b} \\ ~ ^ |", "GSM-7", 34, 1),
        ("€" * 80, "GSM-7", 160, 1),
        ("€" * 81, "GSM-7", 162, 2),
        ("a" * 159 + "€", "GSM-7", 161, 2),
        ("😀", "UCS-2", 2, 1),
        ("😀" * 35, "UCS-2", 70, 1),
        ("😀" * 36, "UCS-2", 72, 2),
        ("Сәлем 😀", "UCS-2", 8, 1),
        ("àÄÖÑÜäöñü èéùìòÇØøÅåÆæßÉ", "GSM-7", 24, 1),
    ],
)
def test_encoding_units_and_segments(text: str, encoding: str, units: int, segments: int) -> None:
    count = count_segments(text)
    assert (count.encoding, count.units, count.segments) == (encoding, units, segments)


def test_a_double_unit_character_is_never_split_between_parts() -> None:
    # 152 letters + "€" fill a part to 154 > 153: the escape pair moves whole into part two.
    assert count_segments("a" * 152 + "€" + "a" * 153).segments == 3
    assert count_segments("я" * 66 + "😀" + "я" * 67).segments == 3


def test_per_segment_capacity() -> None:
    assert count_segments("a").per_segment == 160
    assert count_segments("a" * 200).per_segment == 153
    assert count_segments("я").per_segment == 70
    assert count_segments("я" * 100).per_segment == 67


def test_cyrillic_is_not_gsm7() -> None:
    assert is_gsm7("Hello") and not is_gsm7("Привет") and not is_gsm7("Сәлем")


@given(st.text(alphabet=sorted(GSM7_BASIC), max_size=600))
def test_basic_gsm_text_costs_160_then_153_per_part(text: str) -> None:
    count = count_segments(text)
    assert count.encoding == "GSM-7" and count.units == len(text)
    expected = 0 if not text else 1 if len(text) <= 160 else -(-len(text) // 153)
    assert count.segments == expected


@given(st.text(alphabet="абвгдеәғқңөұүһі ", max_size=400))
def test_cyrillic_text_costs_70_then_67_per_part(text: str) -> None:
    count = count_segments(text)
    expected = 0 if not text else 1 if len(text) <= 70 else -(-len(text) // 67)
    assert count.segments == expected
