"""The SMS short wordings stay attached to the texts they shorten.

``bot.channels.sms_wording`` is keyed by the full message ids the flows use. Its own ``N_()``
keeps a key in the catalogs even after the flow's text was reworded, so the catalogs cannot tell:
the code outside that module must still use every key, or SMS silently falls back to the long text.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

from bot.channels.sms_wording import OMIT, SHORT, SHORT_PLURAL, short_form
from flows.events import Msg, plural_msg

ROOT = Path(__file__).resolve().parents[2]
WORDING = ROOT / "bot" / "channels" / "sms_wording.py"
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def msgids_used_elsewhere() -> set[str]:
    found: set[str] = set()
    for package in ("flows", "bot"):
        for file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / package, keywords={"N_": None, "NP_": (1, 2)}, comment_tags=()
        ):
            if (ROOT / package / file).resolve() != WORDING:
                found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_shortened_message_id_is_still_used_by_the_code() -> None:
    used = msgids_used_elsewhere()
    assert sorted(set(SHORT) - used) == []
    assert sorted(set(SHORT_PLURAL) - used) == []


def test_a_short_form_uses_only_the_parameters_of_the_text_it_replaces() -> None:
    pairs = [(key, short) for key, short in SHORT.items() if short != OMIT]
    pairs += [(key, form) for key, forms in SHORT_PLURAL.items() for form in forms]
    extra = {key: short for key, short in pairs if not set(PLACEHOLDER.findall(short)) <= set(PLACEHOLDER.findall(key))}
    assert extra == {}


def test_short_forms_replace_plain_and_plural_messages() -> None:
    assert short_form(Msg("Send the number of your answer.")) == Msg("Send the number.")
    seats = plural_msg(("{title}: {count} seat left", "{title}: {count} seats left"), 3, title="x")
    assert short_form(seats) == plural_msg(("{title}: {count} free seat", "{title}: {count} free seats"), 3, title="x")
    assert short_form(Msg("Not a shortened text")) == Msg("Not a shortened text")
