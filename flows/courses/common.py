"""Small pieces both courses flows share: choices, parsing what was typed, status lines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flows.courses.facts import EnrolmentInfo, SessionInfo
from flows.events import N_, NP_, Choice, Inbound, Localized, Msg, Reply, Text
from flows.text import match_option

BACK = "back"
SEATS_LEFT = NP_("{title}: {count} seat left", "{title}: {count} seats left")
FULL_WAITING = NP_("{title}: full, {count} person waiting", "{title}: full, {count} people waiting")
FULL_NOBODY_WAITING = N_("{title}: full, you can join the waiting list")


def back_choice() -> Choice:
    return Choice(BACK, Msg(N_("Back")))


def pick(
    event: Inbound, choices: Sequence[Choice], words: Mapping[str, Sequence[str]] | None = None
) -> str | None:
    """The chosen id: a pressed button, the option's number, a title, or one of ``words``."""
    ids = [choice.id for choice in choices]
    if event.choice is not None:
        return event.choice if event.choice in ids else None
    options = []
    for choice in choices:
        labels: list[str] = list((words or {}).get(choice.id, ()))
        if isinstance(choice.label, Localized):
            labels += [choice.label.kk, choice.label.ru]
        if choice.id == BACK:
            labels += ["артқа", "назад", "back"]
        options.append((choice.id, labels))
    return match_option(event.text or "", options)


def number_reprompt(count: int) -> Reply:
    return Reply(body=(Msg(N_("Please answer with a number from 1 to {count}."), {"count": count}),))


def session_line(session: SessionInfo) -> Msg:
    return Msg(
        N_("{start} ({minutes} min), {place}"),
        {"start": session.starts_at, "minutes": session.minutes, "place": session.place},
    )


def status_line(enrolment: EnrolmentInfo) -> Text:
    title = enrolment.title
    if enrolment.status == "enrolled":
        return Msg(N_("{title}: you are enrolled"), {"title": title})
    if enrolment.status == "offered" and enrolment.offer_deadline is not None:
        return Msg(
            N_("{title}: a seat is offered to you until {deadline}"),
            {"title": title, "deadline": enrolment.offer_deadline},
        )
    return Msg(
        N_("{title}: waiting list, number {position}"),
        {"title": title, "position": enrolment.position or 0},
    )


def position_msg(position: int) -> Msg:
    return Msg(N_("You are number {position} on the waiting list."), {"position": position})
