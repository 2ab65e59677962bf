"""Database ids carried in button data, which anyone can forge (Telegram's callback data).

Only 1-9 ASCII digits are an id: ``str.isdigit`` also accepts «²» or «٣», on which ``int``
fails or which no button of ours carries, and a longer number would not fit PostgreSQL's
``integer`` column in the query that looks it up.
"""

from __future__ import annotations

import re

_ID = re.compile(r"[0-9]{1,9}")


def parse_id(text: str) -> int | None:
    """The id ``text`` spells, or None when it is not 1-9 ASCII digits."""
    return int(text) if _ID.fullmatch(text) else None


def id_after(prefix: str, text: str) -> int | None:
    """The id in ``<prefix><id>`` (a button's context), or None."""
    return parse_id(text[len(prefix):]) if text.startswith(prefix) else None
