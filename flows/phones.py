"""Phone numbers as villagers write them, normalised to E.164 (Kazakhstan shares +7 with Russia)."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "KZ"


def normalize_phone(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """``8 701 123 45 67``, ``87011234567``, ``+7 701 123 4567`` → ``+77011234567``.

    None when the text is not a valid number (``is_valid_number``, not merely possible).
    """
    if not raw or len(raw) > 40:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

