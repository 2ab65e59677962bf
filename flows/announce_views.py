"""What ``/announce`` shows: each prompt of the facilitators' announcement flow as a reply.

Every prompt carries its own context and its own Back and Cancel, so a button on an earlier
message (another centre's list, an audience chosen before) is stale rather than acted upon.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flows.announce_facts import AnnounceCentre, BroadcastPreview, Texts
from flows.audience import MAX_TEXT
from flows.courses.common import back_choice
from flows.events import N_, NP_, Choice, Localized, Msg, Reply, Text, plural_msg

CANCEL, ONE, BOTH, NOW, LATER, SEND = "cancel", "one", "both", "now", "later", "send"
EVERYONE, LEARNERS, INTERESTED = "everyone", "learners", "interested"
TEXT_VIEWS = ("text", "text_kk", "text_ru", "at")
DONE_NOW = NP_("Done: the announcement is going out now to {count} person.",
               "Done: the announcement is going out now to {count} people.")


def say(text: str, **params: Any) -> Reply:
    return Reply(body=(Msg(text, params),))


def cancel_choice() -> Choice:
    return Choice(CANCEL, Msg(N_("Cancel")))


def _ask(
    body: tuple[Text, ...], view: str, choices: tuple[Choice, ...] = (), expects: str = "choice"
) -> Reply:
    return Reply(body=body, choices=(*choices, back_choice(), cancel_choice()),
                 expects="text" if expects == "text" else "choice", context=f"announce:{view}")


def centres_reply(centres: tuple[AnnounceCentre, ...]) -> Reply:
    return _ask((Msg(N_("Which centre is the announcement for?")),), "centre",
                tuple(Choice(f"c{c.id}", c.name) for c in centres))


def mode_reply() -> Reply:
    question = Msg(N_("New announcement. One text for everyone, or separate texts in Kazakh and Russian "
                      "(each person gets the one in their language)?"))
    return _ask((question,), "mode", (Choice(ONE, Msg(N_("One text for everyone"))),
                                      Choice(BOTH, Msg(N_("Kazakh and Russian texts")))))


TEXT_QUESTIONS = {
    "text": N_("Write the announcement; everyone gets this text."),
    "text_kk": N_("Write the announcement in Kazakh."),
    "text_ru": N_("Write the announcement in Russian."),
}


def text_reply(view: str) -> Reply:
    return _ask((Msg(TEXT_QUESTIONS[view]),), view, expects="text")


def too_long(length: int) -> Reply:
    return say(N_("The text has {length} characters; at most {limit} fit in one message. Please shorten it."),
               length=length, limit=MAX_TEXT)


def audience_reply(centre: AnnounceCentre) -> Reply:
    choices = [Choice(EVERYONE, Msg(N_("Everyone at the centre"))),
               Choice("kk", Msg(N_("Those who speak Kazakh"))),
               Choice("ru", Msg(N_("Those who speak Russian")))]
    if centre.courses:
        choices += [Choice(LEARNERS, Msg(N_("A course's learners"))),
                    Choice(INTERESTED, Msg(N_("Those interested in a course's subject")))]
    return _ask((Msg(N_("Who should receive it?")),), "audience", tuple(choices))


def course_reply(centre: AnnounceCentre, pick: str) -> Reply:
    question = (N_("Which course's learners (those holding a seat)?") if pick == LEARNERS else
                N_("Which course? Those whose survey answers match its subject and who are not on it "
                   "yet will receive it."))
    courses = tuple(Choice(f"k{c.id}", c.title) for c in centre.courses)
    return _ask((Msg(question),), f"course:{pick}", courses)


def when_reply() -> Reply:
    return _ask((Msg(N_("When should it be sent?")),), "when",
                (Choice(NOW, Msg(N_("Now"))), Choice(LATER, Msg(N_("At a chosen time")))))


def example_times(now: dt.datetime, zone: dt.tzinfo) -> tuple[str, str]:
    """Tomorrow at 10:00 in the centre's zone, written the way the facilitator should type it."""
    tomorrow = now.astimezone(zone).date() + dt.timedelta(days=1)
    return f"{tomorrow:%d.%m} 10:00", f"{tomorrow:%d.%m.%Y} 10:00"


def at_reply(example: str, example_year: str) -> Reply:
    question = Msg(N_("When should it go out? Write the local date and time, for example {example} "
                      "(or with the year: {example_year})."),
                   {"example": example, "example_year": example_year})
    return _ask((question,), "at", expects="text")


def texts_replies(texts: Texts) -> tuple[Reply, ...]:
    """Each text as it will go out, in a message of its own (a 4,096-character text fills one)."""
    if texts.one_for_all:
        return (Reply(body=(Msg(N_("The announcement, for everyone:")), Localized(texts.kk, texts.kk))),)
    return (Reply(body=(Msg(N_("In Kazakh:")), Localized(texts.kk, texts.kk))),
            Reply(body=(Msg(N_("In Russian:")), Localized(texts.ru, texts.ru))))


def preview_reply(preview: BroadcastPreview, send_at: dt.datetime | None) -> Reply:
    body: list[Text] = [plural_msg(NP_("It will reach {count} person:", "It will reach {count} people:"),
                                   preview.recipients), *preview.lines]
    if preview.total_segments:  # the cost driver; nothing to say when nobody gets an SMS
        body.append(plural_msg(NP_("SMS in total: {count} segment.", "SMS in total: {count} segments."),
                               preview.total_segments))
    if not preview.recipients:
        body = [Msg(N_("Nobody in this audience can receive it now.")), *preview.lines]
        return _ask(tuple(body), "preview")
    if send_at is None:
        body.append(Msg(N_("Send it now? Nothing is sent until you confirm.")))
    else:
        body.append(Msg(N_("Send it on {time}? Nothing is sent until you confirm."), {"time": send_at}))
    return _ask(tuple(body), "preview", (Choice(SEND, Msg(N_("Confirm and send"))),))

