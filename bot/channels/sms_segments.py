"""How many SMS a text costs: GSM-7 (160 / 153 per part) or UCS-2 (70 / 67 per part).

A text is GSM-7 only when every character is in the GSM 03.38 basic set or its extension
table; extension characters (``€ [ ] { } \\ ~ ^ |`` and form feed) are sent as an escape plus
the character, so they count 2. Any other character (Cyrillic, Kazakh letters, emoji) makes
the *whole* message UCS-2, counted in UTF-16 code units: an emoji outside the BMP counts 2.

A multi-part message loses 7 septets (GSM-7) or 3 UTF-16 units (UCS-2) per part to the
concatenation header. Parts are cut the way phones and Twilio cut them: an escape pair or a
surrogate pair is never split, so a 2-unit character moves whole into the next part.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

Encoding = Literal["GSM-7", "UCS-2"]
LIMITS: dict[Encoding, tuple[int, int]] = {"GSM-7": (160, 153), "UCS-2": (70, 67)}


@dataclass(frozen=True)
class SegmentCount:
    """``units``: septets (GSM-7) or UTF-16 code units (UCS-2); ``segments``: SMS billed."""

    encoding: Encoding
    units: int
    segments: int

    @property
    def per_segment(self) -> int:
        single, multi = LIMITS[self.encoding]
        return single if self.segments <= 1 else multi


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def _unit_sizes(text: str, encoding: Encoding) -> list[int]:
    if encoding == "GSM-7":
        return [2 if char in GSM7_EXTENSION else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def count_segments(text: str) -> SegmentCount:
    """The encoding, length in units and number of SMS of ``text`` (0 segments when empty)."""
    encoding: Encoding = "GSM-7" if is_gsm7(text) else "UCS-2"
    sizes = _unit_sizes(text, encoding)
    units = sum(sizes)
    single, multi = LIMITS[encoding]
    if units == 0:
        return SegmentCount(encoding, 0, 0)
    if units <= single:
        return SegmentCount(encoding, units, 1)
    segments, used = 1, 0
    for size in sizes:  # pack whole characters: a pair never straddles two parts
        if used + size > multi:
            segments, used = segments + 1, 0
        used += size
    return SegmentCount(encoding, units, segments)
