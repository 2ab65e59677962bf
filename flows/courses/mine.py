"""The "my" menu item: the contact's enrolments, leaving, and answering a seat offer.

``data["view"]`` is ``list``, ``item`` (one enrolment and what can be done with it),
``leave`` (confirm leaving) or ``offer`` (an offer waiting for accept/decline; once the offer
is delivered, the outbox puts an idle conversation into this view, see
``flows.registry.taken_over``, so a typed "1" or "иә" answers it; its button works from any
state). Every answer is checked against fresh facts: an offer that expired meanwhile is not
accepted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flows.courses.common import (
    back_choice,
    number_reprompt,
    pick,
    status_line,
)
from flows.courses.facts import (
    FACTS_GROUP,
    AcceptOffer,
    DeclineOffer,
    EnrolmentInfo,
    LeaveCourse,
    find_enrolment,
    my_enrolments,
)
from flows.courses.seats import is_expired
from flows.events import N_, Choice, Effect, Facts, Inbound, Localized, Msg, Reply, Text
from flows.ids import id_after
from flows.registry import FlowSpec, FlowStep
from flows.yesno import NO_WORDS, YES_WORDS

ACCEPT, DECLINE, LEAVE, YES, NO = "accept", "decline", "leave", "yes", "no"
OFFER_PREFIX = "offer"


def offer_context(enrolment_id: int) -> str:
    return f"{OFFER_PREFIX}{enrolment_id}"


def offer_reply(enrolment: EnrolmentInfo) -> Reply:
    """The question an offer asks; also what the bot queues when the seat is offered."""
    return Reply(
        body=(
            Msg(
                N_("Good news: a seat on {title} is free for you! Please answer by {deadline}, "
                   "otherwise it goes to the next person on the waiting list."),
                {"title": enrolment.title, "deadline": enrolment.offer_deadline or 0},
            ),
        ),
        choices=(Choice(ACCEPT, Msg(N_("Accept the seat"))), Choice(DECLINE, Msg(N_("Decline")))),
        expects="choice",
        context=offer_context(enrolment.id),
    )


def moved_reply(title: Localized, position: int) -> Reply:
    """What the bot sends someone a facilitator moved on a waiting list."""
    return Reply(body=(Msg(
        N_("The centre changed your place on the waiting list for «{title}»: you are now number {position}."),
        {"title": title, "position": position},
    ),))


def cancelled_reply(title: Localized) -> Reply:
    """What everyone enrolled or waiting is sent when a course is cancelled."""
    return Reply(body=(Msg(
        N_("We are sorry: the course «{title}» has been cancelled. Choose Courses in the menu to "
           "find another one."),
        {"title": title},
    ),))


def expired_reply(title: Localized) -> Reply:
    """What someone is sent when their offer's deadline passes unanswered: they are off the list."""
    return Reply(body=(Msg(
        N_("The time to answer the seat offer on «{title}» has run out, so the seat is no longer held "
           "for you. If you still want this course, choose Courses in the menu and enrol again."),
        {"title": title},
    ),))


def removed_reply(title: Localized) -> Reply:
    """What someone a facilitator took off a course or its list is sent (the reason stays in the log)."""
    return Reply(body=(Msg(
        N_("The centre has taken you off the list of «{title}». If this is a mistake, please talk "
           "to someone at the centre."),
        {"title": title},
    ),))


def offer_data(enrolment_id: int) -> dict[str, Any]:
    return {"view": "offer", "enrolment": enrolment_id}


class MyEnrolmentsFlow:
    name = "my"

    def entry_for_context(self, context: str) -> dict[str, Any] | None:
        """An offer's buttons work whatever the person was doing when it arrived."""
        enrolment = id_after(OFFER_PREFIX, context)
        return offer_data(enrolment) if enrolment is not None else None

    def start(self, event: Inbound, now: dt.datetime, facts: Facts) -> FlowStep:
        if not my_enrolments(facts):
            text = N_("You have no enrolments yet. Choose Courses in the menu to find one.")
            return FlowStep(None, (Reply(body=(Msg(text),)),))
        data = {"view": "list"}
        return FlowStep(data, self.reprompt(data, now, facts))

    def reprompt(self, data: dict[str, Any], now: dt.datetime, facts: Facts) -> tuple[Reply, ...]:
        view = data.get("view")
        enrolment = find_enrolment(facts, int(data.get("enrolment", 0)))
        if view in ("item", "leave", "offer") and enrolment is not None:
            if view == "offer" and enrolment.status == "offered":
                return (offer_reply(enrolment),)
            if view == "leave":
                return (_confirm_leave(enrolment),)
            return (_item_reply(enrolment),)
        return (_list_reply(my_enrolments(facts)),)

    def resume(self, data: dict[str, Any], event: Inbound, now: dt.datetime, facts: Facts) -> FlowStep:
        view = data.get("view", "list")
        if view == "list":
            return self._from_list(data, event, now, facts)
        enrolment = find_enrolment(facts, int(data.get("enrolment", 0)))
        if enrolment is None or (view == "offer" and enrolment.status != "offered"):
            return self._changed(now, facts)
        prompt = self.reprompt(data, now, facts)[0]
        words = {ACCEPT: YES_WORDS, DECLINE: NO_WORDS, YES: YES_WORDS, NO: NO_WORDS}
        chosen = pick(event, prompt.choices, words)
        if chosen is None:
            return FlowStep(data, (number_reprompt(len(prompt.choices)), prompt))
        if chosen in ("back", NO):
            listing = {"view": "list"}
            return FlowStep(listing, self.reprompt(listing, now, facts))
        if chosen == LEAVE:
            confirm = {"view": "leave", "enrolment": enrolment.id}
            return FlowStep(confirm, self.reprompt(confirm, now, facts))
        return _act(chosen, enrolment, now)

    def cancel(self, data: dict[str, Any], now: dt.datetime, facts: Facts) -> FlowStep:
        return FlowStep(None)

    def _from_list(self, data: dict[str, Any], event: Inbound, now: dt.datetime, facts: Facts) -> FlowStep:
        enrolments = my_enrolments(facts)
        if not enrolments:
            return FlowStep(None)
        prompt = _list_reply(enrolments)
        chosen = pick(event, prompt.choices)
        if chosen is None:
            return FlowStep(data, (number_reprompt(len(prompt.choices)), prompt))
        if chosen == "back":
            return FlowStep(None)
        enrolment = find_enrolment(facts, int(chosen[1:]))
        assert enrolment is not None
        item = {"view": "offer" if enrolment.status == "offered" else "item", "enrolment": enrolment.id}
        return FlowStep(item, self.reprompt(item, now, facts))

    def _changed(self, now: dt.datetime, facts: Facts) -> FlowStep:
        notice = Reply(body=(Msg(N_("This has changed in the meantime. Here is how things stand now.")),))
        if not my_enrolments(facts):
            return FlowStep(None, (notice,))
        listing = {"view": "list"}
        return FlowStep(listing, (notice, *self.reprompt(listing, now, facts)))


def _list_reply(enrolments: tuple[EnrolmentInfo, ...]) -> Reply:
    body: list[Text] = [Msg(N_("Your enrolments:"))]
    body += [status_line(enrolment) for enrolment in enrolments]
    body.append(Msg(N_("Choose one to see what you can do.")))
    choices = [Choice(f"e{e.id}", e.title) for e in enrolments]
    return Reply(body=tuple(body), choices=(*choices, back_choice()), expects="choice", context="my:list")


def _item_reply(enrolment: EnrolmentInfo) -> Reply:
    body: list[Text] = [status_line(enrolment)]
    if enrolment.first_session is not None:
        first = enrolment.first_session
        body.append(
            Msg(N_("First session: {start}, {place}."), {"start": first.starts_at, "place": first.place})
        )
    label = N_("Leave the course") if enrolment.status == "enrolled" else N_("Leave the waiting list")
    return Reply(
        body=tuple(body),
        choices=(Choice(LEAVE, Msg(label)), back_choice()),
        expects="choice",
        context=f"my:e{enrolment.id}",
    )


def _confirm_leave(enrolment: EnrolmentInfo) -> Reply:
    question = (
        N_("Do you really want to leave {title}? Your seat goes to the next person.")
        if enrolment.status == "enrolled"
        else N_("Do you really want to leave the waiting list for {title}? You lose your place in the queue.")
    )
    return Reply(
        body=(Msg(question, {"title": enrolment.title}),),
        choices=(Choice(YES, Msg(N_("Yes, leave"))), Choice(NO, Msg(N_("No, stay")))),
        expects="choice",
        context=f"my:leave{enrolment.id}",
    )


def _act(chosen: str, enrolment: EnrolmentInfo, now: dt.datetime) -> FlowStep:
    title = {"title": enrolment.title}
    effect: Effect
    if chosen == YES:
        text = N_("You have left {title}.") if enrolment.status == "enrolled" else N_(
            "You have left the waiting list for {title}.")
        effect = LeaveCourse(enrolment.id)
    elif is_expired(enrolment.offer_deadline, now):
        text = N_("Sorry, this offer has expired; the seat goes to the next person.")
        return FlowStep(None, (Reply(body=(Msg(text, title),)),))
    elif chosen == ACCEPT:
        text, effect = N_("Your seat on {title} is confirmed. See you there!"), AcceptOffer(enrolment.id)
    else:
        text, effect = N_("You declined the seat on {title}; it goes to the next person."), DeclineOffer(
            enrolment.id
        )
    return FlowStep(None, (Reply(body=(Msg(text, title),)),), (effect,))


_MINE = MyEnrolmentsFlow()
MY_ENROLMENTS = FlowSpec(
    _MINE, N_("My enrolments"), ("менің курстарым", "менің жазылуларым", "мои курсы", "мои записи"),
    needs=frozenset({FACTS_GROUP}), browsing_views=frozenset({"list", "item"}), out_of_band=_MINE,
)
