"""``/announce``: a facilitator writes an announcement, chooses who gets it, sees a preview and
confirms; it goes out now or at a local time they type.

``data["view"]`` is ``centre`` (only for someone with several centres), ``mode`` (one text or
Kazakh and Russian), ``text`` / ``text_kk`` / ``text_ru``, ``audience``, ``course`` (whose
learners, or who is interested in its subject), ``when``, ``at`` (a typed time) and ``preview``,
the confirmation. Every prompt has Back (one prompt up) and Cancel (nothing is sent); only the
confirmation yields :class:`CreateBroadcast`, which the bot applies after checking again that the
centre is the facilitator's. Anyone without the role gets the same refusal as ``/manage``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from flows.announce_facts import (
    FACTS_GROUP,
    AnnounceCentre,
    BroadcastPreview,
    CreateBroadcast,
    Texts,
    find_centre,
    preview_for,
    staff_centres,
)
from flows.announce_views import (
    BOTH,
    CANCEL,
    DONE_NOW,
    EVERYONE,
    INTERESTED,
    LATER,
    LEARNERS,
    SEND,
    TEXT_VIEWS,
    at_reply,
    audience_reply,
    centres_reply,
    course_reply,
    example_times,
    mode_reply,
    preview_reply,
    say,
    text_reply,
    texts_replies,
    too_long,
    when_reply,
)
from flows.audience import MAX_TEXT, Audience
from flows.courses.common import BACK, number_reprompt, pick
from flows.events import N_, Facts, Inbound, Reply, plural_msg
from flows.registry import FlowSpec, FlowStep

Data = dict[str, Any]
REFUSED = N_("This part is for the centre's staff.")  # the words /manage uses
CANCELLED = N_("Cancelled: nothing was sent.")
PAST = N_("That time has already passed. Please write a later one.")
EMPTY = N_("The announcement cannot be empty. Please write its text.")
TYPED_TIME = re.compile(r"^(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?\s+(\d{1,2})[:.](\d{2})$")


class AnnounceFlow:
    name = "announce"

    def start(self, event: Inbound, now: dt.datetime, facts: Facts) -> FlowStep:
        centres = staff_centres(facts)
        if not centres:
            return FlowStep(None, (say(REFUSED),))
        data: Data = {"view": "centre"} if len(centres) > 1 else {"view": "mode", "centre": centres[0].id}
        return FlowStep(data, self.reprompt(data, now, facts))

    def cancel(self, data: Data, now: dt.datetime, facts: Facts) -> FlowStep:
        return FlowStep(None, (say(CANCELLED),))

    def reprompt(self, data: Data, now: dt.datetime, facts: Facts) -> tuple[Reply, ...]:
        view, centre = str(data.get("view")), find_centre(facts, data.get("centre"))
        if view == "centre" or centre is None:
            return (centres_reply(staff_centres(facts) or ()),)
        if view in ("text", "text_kk", "text_ru"):
            return (text_reply(view),)
        if view == "audience":
            return (audience_reply(centre),)
        if view == "course":
            return (course_reply(centre, str(data.get("pick"))),)
        if view == "when":
            return (when_reply(),)
        if view == "at":
            return (at_reply(*example_times(now, ZoneInfo(centre.timezone))),)
        if view == "preview":
            preview = _preview(data, facts)
            if preview is not None:
                return (*texts_replies(preview.texts), preview_reply(preview, _send_at(data)))
        return (mode_reply(),)

    def resume(self, data: Data, event: Inbound, now: dt.datetime, facts: Facts) -> FlowStep:
        centres = staff_centres(facts)
        centre = find_centre(facts, data.get("centre"))
        if not centres or (data.get("view") != "centre" and centre is None):
            return FlowStep(None, (say(REFUSED),))  # the role (or this centre) was taken away meanwhile
        prompt = self.reprompt(data, now, facts)[-1]
        view = str(data.get("view"))
        chosen = pick(event, prompt.choices)
        typed = (event.text or "").strip()
        if chosen == CANCEL:
            return self.cancel(data, now, facts)
        if chosen == BACK:
            return self._back(data, now, facts)
        if view in TEXT_VIEWS and event.choice is None:
            assert centre is not None
            return self._typed(data, typed, centre, now, facts)
        if chosen is None:
            return FlowStep(data, (number_reprompt(len(prompt.choices)), prompt))
        if view == "centre":
            return self._go({"view": "mode", "centre": int(chosen[1:])}, now, facts)
        assert centre is not None
        if view == "mode":
            first = "text_kk" if chosen == BOTH else "text"
            return self._go({**data, "view": first, "mode": chosen}, now, facts)
        if view == "audience":
            if chosen in (LEARNERS, INTERESTED):
                return self._go({**data, "view": "course", "pick": chosen}, now, facts)
            audience = Audience() if chosen == EVERYONE else Audience(language=chosen)
            return self._go({**data, "view": "when", "audience": audience.to_json()}, now, facts)
        if view == "course":
            course_id = int(chosen[1:])
            audience = (Audience(course_id=course_id, course_group="seated") if data.get("pick") == LEARNERS
                        else Audience(for_course_id=course_id))
            return self._go({**data, "view": "when", "audience": audience.to_json()}, now, facts)
        if view == "when":
            if chosen == LATER:
                return self._go({**data, "view": "at"}, now, facts)
            return self._go({**data, "view": "preview", "send_at": None}, now, facts)
        if view == "preview" and chosen == SEND:
            return self._confirmed(data, now, facts)
        return self._go(data, now, facts)

    def _go(self, data: Data, now: dt.datetime, facts: Facts, *lead: Reply) -> FlowStep:
        if data["view"] == "preview" and _preview(data, facts) is None:
            # The preview is computed from the stored choices; without it nothing may be confirmed.
            return self._go({**data, "view": "audience"}, now, facts,
                            say(N_("The preview could not be prepared. Please choose the audience again.")))
        return FlowStep(data, (*lead, *self.reprompt(data, now, facts)))

    def _back(self, data: Data, now: dt.datetime, facts: Facts) -> FlowStep:
        view = data.get("view")
        several = len(staff_centres(facts) or ()) > 1
        audience = _audience(data)
        up = {
            "centre": None,
            "mode": "centre" if several else None,
            "text": "mode", "text_kk": "mode", "text_ru": "text_kk",
            "audience": "text_ru" if data.get("mode") == BOTH else "text",
            "course": "audience",
            "when": "course" if audience and (audience.course_id or audience.for_course_id) else "audience",
            "at": "when",
            "preview": "at" if data.get("send_at") else "when",
        }.get(str(view))
        if up is None:
            return self.cancel(data, now, facts)
        return self._go({**data, "view": up}, now, facts)

    def _typed(
        self, data: Data, typed: str, centre: AnnounceCentre, now: dt.datetime, facts: Facts
    ) -> FlowStep:
        view = data["view"]
        prompt = self.reprompt(data, now, facts)
        if view == "at":
            when = parse_local_time(typed, now, ZoneInfo(centre.timezone))
            if when is None:
                return FlowStep(data, (say(N_("I could not read that date and time.")), *prompt))
            if when <= now:
                return FlowStep(data, (say(PAST), *prompt))
            return self._go({**data, "view": "preview", "send_at": when.isoformat()}, now, facts)
        if not typed:
            return FlowStep(data, (say(EMPTY), *prompt))
        if len(typed) > MAX_TEXT:
            return FlowStep(data, (too_long(len(typed)), *prompt))
        if view == "text":
            return self._go({**data, "view": "audience", "kk": typed, "ru": typed}, now, facts)
        if view == "text_kk":
            return self._go({**data, "view": "text_ru", "kk": typed}, now, facts)
        return self._go({**data, "view": "audience", "ru": typed}, now, facts)

    def _confirmed(self, data: Data, now: dt.datetime, facts: Facts) -> FlowStep:
        preview, send_at = _preview(data, facts), _send_at(data)
        if preview is None or not preview.recipients:
            return self._go(data, now, facts)
        centre = find_centre(facts, preview.centre_id)
        course = preview.audience.course_id or preview.audience.for_course_id
        if centre is None or (course is not None and centre.course(course) is None):
            gone = say(N_("That course is no longer there."))
            return self._go({**data, "view": "audience"}, now, facts, gone)
        if send_at is not None and send_at <= now:  # the confirmation came after the chosen time
            return self._go({**data, "view": "at"}, now, facts,
                            say(PAST))
        effect = CreateBroadcast(preview.centre_id, preview.texts, preview.audience, send_at)
        done = (say(N_("Done: the announcement will go out on {time}."), time=send_at) if send_at is not None
                else Reply(body=(plural_msg(DONE_NOW, preview.recipients),)))
        return FlowStep(None, (done,), (effect,))


def parse_local_time(typed: str, now: dt.datetime, zone: ZoneInfo) -> dt.datetime | None:
    """``ДД.ММ ЧЧ:ММ`` or ``ДД.ММ.ГГГГ ЧЧ:ММ`` in the centre's zone, as UTC; None if unreadable.

    Without a year, a day earlier than today means next year (in December, «05.01» is January).
    """
    match = TYPED_TIME.match(typed.strip())
    if match is None:
        return None
    day, month, year, hour, minute = (int(part) if part else None for part in match.groups())
    today = now.astimezone(zone).date()
    try:
        assert day is not None and month is not None and hour is not None and minute is not None
        local = dt.datetime(year or today.year, month, day, hour, minute, tzinfo=zone)
        if year is None and local.date() < today:
            local = local.replace(year=today.year + 1)
    except ValueError:
        return None
    return local.astimezone(dt.UTC)


def _texts(data: Data) -> Texts:
    return Texts(str(data.get("kk") or ""), str(data.get("ru") or ""))


def _send_at(data: Data) -> dt.datetime | None:
    raw = data.get("send_at")
    return dt.datetime.fromisoformat(raw) if isinstance(raw, str) else None


def _audience(data: Data) -> Audience | None:
    """The audience stored in the flow's data (built by this flow, so it passes its checks)."""
    raw = data.get("audience")
    return Audience.from_json(raw) if isinstance(raw, dict) else None


def _preview(data: Data, facts: Facts) -> BroadcastPreview | None:
    audience = _audience(data)
    centre = data.get("centre")
    if audience is None or not isinstance(centre, int):
        return None
    return preview_for(facts, centre, audience, _texts(data))


# Opened only by its command, never listed in the villagers' menu.
ANNOUNCE = FlowSpec(
    AnnounceFlow(), None, ("хабарландыру", "объявление", "announcement"), needs=frozenset({FACTS_GROUP}),
)
