"""Kazakh and Russian in Latin letters that fit GSM-7: 160 characters per SMS instead of 70.

Opt-in (``CLC_SMS_TRANSLITERATE``), for centres that prefer cost over script. The table keeps
words readable to someone who reads Cyrillic and knows a little Latin: Russian follows the
familiar passport-style spelling (``zh``, ``kh``, ``ts``, ``ch``, ``sh``, ``ya``); Kazakh
letters follow the 2021 Kazakh Latin alphabet where GSM-7 has the letter (``ä ö ü``, ``q``)
and a plain digraph where it has not (``gh``, ``ng``).

=======  ======  =======  ======  =======  ======  =======  ======
Cyrillic Latin   Cyrillic Latin   Cyrillic Latin   Cyrillic Latin
=======  ======  =======  ======  =======  ======  =======  ======
а        a       ә        ä       б        b       в        v
г        g       ғ        gh      д        d       е        e
ё        yo      ж        zh      з        z       и        i
й        y       к        k       қ        q       л        l
м        m       н        n       ң        ng      о        o
ө        ö       п        p       р        r       с        s
т        t       у        u       ұ        u       ү        ü
ф        f       х        kh      һ        h       ц        ts
ч        ch      ш        sh      щ        shch    ъ        (none)
ы        y       і        i       ь        (none)  э        e
ю        yu      я        ya
=======  ======  =======  ======  =======  ======  =======  ======

Capitals keep their case: ``Ж`` → ``Zh`` in a word, ``ЖОҚ`` → ``ZHOQ`` in capitals.
Typography outside GSM-7 is simplified too: ``« » „ “ ”`` → ``"``, ``‘ ’`` → ``'``,
``— –`` → ``-``, ``…`` → ``...``, ``№`` → ``No``, ``✓`` → ``+``. Anything else is left as it
is (an emoji keeps the message UCS-2, and the segment count says so).
"""

from __future__ import annotations

LETTERS: dict[str, str] = {
    "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "gh", "д": "d", "е": "e",
    "ё": "yo", "ж": "zh", "з": "z", "и": "i", "й": "y", "к": "k", "қ": "q", "л": "l",
    "м": "m", "н": "n", "ң": "ng", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ұ": "u", "ү": "ü", "ф": "f", "х": "kh", "һ": "h", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e",
    "ю": "yu", "я": "ya",
}
PUNCTUATION: dict[str, str] = {
    "«": '"', "»": '"', "„": '"', "“": '"', "”": '"', "‘": "'", "’": "'",
    "—": "-", "–": "-", "…": "...", "№": "No", "✓": "+", "\u00a0": " ",
}


def _is_upper_letter(char: str) -> bool:
    return char.isalpha() and char.isupper()


def transliterate(text: str) -> str:
    """``Сәлеметсіз бе! Қай курс?`` → ``Sälemetsiz be! Qay kurs?``."""
    out: list[str] = []
    for index, char in enumerate(text):
        lower = char.lower()
        if lower in LETTERS:
            latin = LETTERS[lower]
            if char != lower and latin:
                before = text[index - 1] if index > 0 else ""
                after = text[index + 1] if index + 1 < len(text) else ""
                in_capitals = _is_upper_letter(after) or (_is_upper_letter(before) and not after.isalpha())
                latin = latin.upper() if in_capitals else latin[0].upper() + latin[1:]
            out.append(latin)
        else:
            out.append(PUNCTUATION.get(char, char))
    return "".join(out)
