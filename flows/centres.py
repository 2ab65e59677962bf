"""Which learning centre a person belongs to, when the bot serves more than one.

Courses, announcements and reports are per centre, so a person without a centre is asked for
one before anything else (a deep link or a facilitator's import sets it without
asking). Villagers know their village, not the centre's official name: the options are
labelled by settlement, and a typed village name is accepted as well as the option's number.
With more centres than a short numbered list can hold, the person types the village's name
and chooses among the matches.
"""

from __future__ import annotations

from collections.abc import Sequence

from flows.events import N_, CentreOption, Choice, Facts, Inbound, Localized, Msg, Reply
from flows.text import fold, match_option, parse_option_number

CENTRE_CONTEXT = "centre"
# A numbered list or a keyboard of buttons stays readable up to about this many lines.
MAX_LISTED = 8
# A typed village name shorter than this matches too many places to be a search.
MIN_SEARCH = 3


def needs_centre(facts: Facts) -> bool:
    return facts.contact.centre_slug is None and len(facts.centres) > 1


def can_change(facts: Facts) -> bool:
    return len(facts.centres) > 1


def _label(option: CentreOption, options: Sequence[CentreOption]) -> Localized:
    """The village's name; the district too when two centres share a village name."""
    twins = sum(1 for other in options if fold(other.settlement) == fold(option.settlement))
    text = f"{option.settlement} ({option.district})" if twins > 1 and option.district else option.settlement
    return Localized(kk=text, ru=text)


def _words(option: CentreOption) -> tuple[str, ...]:
    return (option.settlement, option.name.kk, option.name.ru, option.slug)


def shown(facts: Facts, matches: Sequence[str] | None) -> tuple[CentreOption, ...]:
    """The options on screen: the matches of the last search, or all when they fit."""
    if matches is not None:
        return tuple(o for o in facts.centres if o.slug in matches)
    return facts.centres if len(facts.centres) <= MAX_LISTED else ()


def prompt(facts: Facts, matches: Sequence[str] | None = None) -> Reply:
    options = shown(facts, matches)
    if not options:
        return Reply(
            body=(Msg(N_("Which village do you live in? Write its name and I will find its centre.")),),
            expects="text",
        )
    current = facts.contact.centre_slug
    return Reply(
        body=(Msg(N_("Which village's learning centre is yours? Choose it, or write the village's name.")),),
        choices=tuple(
            Choice(id=o.slug, label=_label(o, options), selected=(o.slug == current)) for o in options
        ),
        expects="choice",
        context=CENTRE_CONTEXT,
    )


def chosen(facts: Facts, event: Inbound, matches: Sequence[str] | None) -> CentreOption | None:
    """The centre this answer names: a button, an option's number, or a village's exact name."""
    by_slug = {o.slug: o for o in facts.centres}
    if event.choice is not None:  # a button of this list or of an earlier one (the same context)
        return by_slug.get(event.choice)
    text = event.text or ""
    if parse_option_number(text) is not None:
        slug = match_option(text, [(o.slug, ()) for o in shown(facts, matches)])
        return by_slug.get(slug) if slug is not None else None
    # A village's exact name, on screen or not; two villages of one name are asked about
    # (``search`` lists both, with their districts) rather than one picked silently.
    key = fold(text)
    named = [o for o in facts.centres if key and any(fold(word) == key for word in _words(o))]
    return named[0] if len(named) == 1 else None


def search(facts: Facts, text: str | None) -> tuple[str, ...]:
    """The centres whose village or name contains what was typed (folded), in list order."""
    key = fold(text or "")
    if len(key) < MIN_SEARCH:
        return ()
    return tuple(o.slug for o in facts.centres if any(key in fold(word) for word in _words(o)))


def not_found() -> Reply:
    return Reply(body=(Msg(N_("I could not find a learning centre for that village.")),))


def centre_set(option: CentreOption) -> Reply:
    return Reply(body=(Msg(N_("Done: your learning centre is {centre}."), {"centre": option.name}),))
