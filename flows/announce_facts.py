"""What the facilitators' ``/announce`` flow reads from its facts and the one effect it asks for.

The bot loads ``announce.centres`` only for a contact with a facilitator role (None for anyone
else), and ``announce.preview`` only once the audience is chosen: the preview of the texts and
audience stored in the conversation, computed by the bot from who would receive it now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flows.audience import Audience
from flows.events import Effect, FactKey, Facts, Localized, Text

FACTS_GROUP = "announce"
# None: this contact is no facilitator.
CENTRES_KEY: FactKey[tuple[AnnounceCentre, ...] | None] = FactKey("announce.centres")
# None until the audience is chosen (and for a state the bot could not read).
PREVIEW_KEY: FactKey[BroadcastPreview | None] = FactKey("announce.preview")

@dataclass(frozen=True)
class AnnounceCourse:
    id: int
    title: Localized


@dataclass(frozen=True)
class AnnounceCentre:
    id: int
    name: Localized
    timezone: str  # the centre's zone: a time typed by its facilitator is local to it
    courses: tuple[AnnounceCourse, ...] = ()

    def course(self, course_id: object) -> AnnounceCourse | None:
        return next((c for c in self.courses if c.id == course_id), None)


@dataclass(frozen=True)
class Texts:
    """The announcement in each language; one text for everyone is the same text twice."""

    kk: str
    ru: str

    @property
    def one_for_all(self) -> bool:
        return self.kk == self.ru


@dataclass(frozen=True)
class BroadcastPreview:
    """Who would receive ``texts`` sent to ``audience`` now, as lines ready to show.

    ``lines`` (recipients by channel and language, SMS segments per language, those skipped and
    why) are written by the bot, which knows the channels; the flow only shows them. The preview
    says which audience and texts it was computed for, so an outdated one is never shown.
    """

    centre_id: int
    audience: Audience
    texts: Texts
    recipients: int
    total_segments: int
    lines: tuple[Text, ...] = ()


@dataclass(frozen=True)
class CreateBroadcast(Effect):
    """Queue the broadcast: now (``send_at`` None) or at ``send_at`` (UTC). The applier checks
    again that ``centre_id`` is one of the facilitator's centres and the course is that centre's."""

    centre_id: int
    texts: Texts
    audience: Audience
    send_at: dt.datetime | None = None


def staff_centres(facts: Facts) -> tuple[AnnounceCentre, ...] | None:
    found = facts.get(CENTRES_KEY, None)
    return found if isinstance(found, tuple) else None


def find_centre(facts: Facts, centre_id: object) -> AnnounceCentre | None:
    return next((c for c in staff_centres(facts) or () if c.id == centre_id), None)


def preview_for(
    facts: Facts, centre_id: int, audience: Audience, texts: Texts
) -> BroadcastPreview | None:
    found = facts.get(PREVIEW_KEY, None)
    if isinstance(found, BroadcastPreview) and (found.centre_id, found.audience, found.texts) == (
            centre_id, audience, texts):
        return found
    return None
