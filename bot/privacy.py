"""How long the bot keeps personal data, said in the person's language.

A questionnaire text may contain ``{retention}``: the facts loader of the survey feature fills
it with the configured retention period (``CLC_RETENTION_DAYS``), so the consent states the
period the retention job actually applies, never a fixed one. ``flows/`` stays pure: it only
ever sees the filled text.
"""

from __future__ import annotations

from typing import Any

from babel.units import format_unit

from flows.events import LANGUAGES

PLACEHOLDER = "{retention}"
YEAR_DAYS = 365
MONTH_DAYS = 30


def retention_period(days: int, language: str) -> str:
    """«2 жыл» / «2 года» for 730 days; whole months (540: «18 ай» / «18 месяцев»); otherwise
    days (400: «400 күн» / «400 дней»), since rounding would promise less than is kept."""
    if days % YEAR_DAYS == 0:
        count, unit = days // YEAR_DAYS, "duration-year"
    elif days % MONTH_DAYS == 0:
        count, unit = days // MONTH_DAYS, "duration-month"
    else:
        count, unit = days, "duration-day"
    return str(format_unit(count, unit, length="long", locale=language))


def fill_retention(definition: Any, days: int) -> Any:
    """The questionnaire definition (as stored, JSON) with ``{retention}`` filled in every text:
    each language's text (``kk``, ``ru``, and the same under ``sms``) gets its own wording."""
    periods = {language: retention_period(days, language) for language in LANGUAGES}

    def walk(value: Any, language: str | None) -> Any:
        if isinstance(value, dict):
            return {key: walk(item, key if key in periods else language) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item, language) for item in value]
        if isinstance(value, str) and language is not None and PLACEHOLDER in value:
            return value.replace(PLACEHOLDER, periods[language])
        return value

    return walk(definition, None)
