"""The "courses" menu item: open courses of the contact's centre, details, enrolment.

``data`` is ``{"view": "list"}``, ``{"view": "detail", "course": id}`` or, after a course
announcement, ``{"view": "announced", "course": id}`` (``flows.courses.announced``). Enrolment is an
:class:`Enrol` effect; the reply says what the villager gets (a seat or a waiting-list number),
computed from the facts the applier re-checks under the course's lock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flows.courses.announced import ENROL, ENROL_WORDS, announced_choices, announced_course, announced_data
from flows.courses.announced import VIEW as ANNOUNCED
from flows.courses.common import (
    FULL_NOBODY_WAITING,
    FULL_WAITING,
    SEATS_LEFT,
    back_choice,
    number_reprompt,
    pick,
    position_msg,
    session_line,
    status_line,
)
from flows.courses.facts import (
    FACTS_GROUP,
    CourseInfo,
    Enrol,
    enrolment_for_course,
    find_course,
    open_courses,
)
from flows.courses.policy import explain, parse_policy
from flows.events import N_, Choice, Facts, Inbound, Msg, Reply, Text, plural_msg
from flows.registry import FlowSpec, FlowStep


def seats_line(course: CourseInfo) -> Msg:
    if course.seats_left > 0:
        return plural_msg(SEATS_LEFT, course.seats_left, title=course.title)
    if course.waiting == 0:
        return Msg(FULL_NOBODY_WAITING, {"title": course.title})
    return plural_msg(FULL_WAITING, course.waiting, title=course.title)


def list_line(course: CourseInfo, facts: Facts) -> Text:
    """One's own seat, offer or place in the queue first; the seats left otherwise."""
    mine = enrolment_for_course(facts, course.id)
    return status_line(mine) if mine is not None else seats_line(course)


class CoursesFlow:
    name = "courses"

    def entry_for_context(self, context: str) -> dict[str, Any] | None:
        """A course announcement's "Enrol" works whatever the person was doing when it came."""
        course_id = announced_course(context)
        return announced_data(course_id) if course_id is not None else None

    def start(self, event: Inbound, now: dt.datetime, facts: Facts) -> FlowStep:
        if facts.contact.centre_slug is None:
            return FlowStep(None, (_no_centre(),))
        if not open_courses(facts):
            nothing = Msg(N_("There are no open courses at your centre right now."))
            return FlowStep(None, (Reply(body=(nothing,)),))
        data = {"view": "list"}
        return FlowStep(data, self.reprompt(data, now, facts))

    def resume(self, data: dict[str, Any], event: Inbound, now: dt.datetime, facts: Facts) -> FlowStep:
        if data.get("view") == "detail":
            return self._detail_answer(data, event, now, facts)
        if data.get("view") == ANNOUNCED:
            return self._announced_answer(data, event, now, facts)
        courses = open_courses(facts)
        prompt = _list_reply(courses, facts)
        chosen = pick(event, prompt.choices)
        if chosen is None:
            return FlowStep(data, (number_reprompt(len(prompt.choices)), prompt))
        if chosen == "back" or not courses:
            return FlowStep(None)
        detail = {"view": "detail", "course": int(chosen[1:])}
        return FlowStep(detail, self.reprompt(detail, now, facts))

    def reprompt(self, data: dict[str, Any], now: dt.datetime, facts: Facts) -> tuple[Reply, ...]:
        if data.get("view") in ("detail", ANNOUNCED):
            course = find_course(facts, int(data["course"]))
            if course is not None:
                return (_detail_reply(course, facts),)
        return (_list_reply(open_courses(facts), facts),)

    def cancel(self, data: dict[str, Any], now: dt.datetime, facts: Facts) -> FlowStep:
        return FlowStep(None)

    def _detail_answer(
        self, data: dict[str, Any], event: Inbound, now: dt.datetime, facts: Facts
    ) -> FlowStep:
        course = find_course(facts, int(data["course"]))
        if course is None:  # closed or cancelled since it was shown
            listing = {"view": "list"}
            gone = Reply(body=(Msg(N_("This course is no longer open for enrolment.")),))
            return FlowStep(listing, (gone, *self.reprompt(listing, now, facts)))
        prompt = _detail_reply(course, facts)
        chosen = pick(event, prompt.choices)
        if chosen is None:
            return FlowStep(data, (number_reprompt(len(prompt.choices)), prompt))
        if chosen == "back":
            listing = {"view": "list"}
            return FlowStep(listing, self.reprompt(listing, now, facts))
        return _enrol(course)


    def _announced_answer(
        self, data: dict[str, Any], event: Inbound, now: dt.datetime, facts: Facts
    ) -> FlowStep:
        """"Enrol" on an announcement enrols at once; anything else shows the course."""
        course = find_course(facts, int(data["course"]))
        if course is None:  # not open (yet, or any more), or at another centre
            return FlowStep(None, (Reply(body=(Msg(N_("This course is no longer open for enrolment.")),)),))
        enrols = pick(event, announced_choices(), ENROL_WORDS) == ENROL
        if enrols and enrolment_for_course(facts, course.id) is None:
            return _enrol(course)
        detail = {"view": "detail", "course": course.id}
        return FlowStep(detail, self.reprompt(detail, now, facts))


def _no_centre() -> Reply:
    return Reply(
        body=(
            Msg(
                N_(
                    "You are not linked to a Community Learning Centre yet. "
                    "Open the link your centre gave you, or ask someone at the centre."
                )
            ),
        )
    )


def _list_reply(courses: tuple[CourseInfo, ...], facts: Facts) -> Reply:
    body: list[Text] = [Msg(N_("Open courses at your centre:"))]
    body += [list_line(course, facts) for course in courses]
    body.append(Msg(N_("Choose a course to see its schedule and enrol.")))
    choices = [Choice(f"c{course.id}", course.title) for course in courses]
    return Reply(
        body=tuple(body), choices=(*choices, back_choice()), expects="choice", context="courses:list"
    )


def _detail_reply(course: CourseInfo, facts: Facts) -> Reply:
    body: list[Text] = [course.title, course.description]
    if course.sessions:
        body.append(Msg(N_("Schedule:")))
        body += [session_line(session) for session in course.sessions]
    body.append(seats_line(course))
    if course.enrol_closes_at is not None:
        body.append(Msg(N_("Enrolment closes on {date}."), {"date": course.enrol_closes_at}))
    body.append(explain(parse_policy(course.policy)))
    mine = enrolment_for_course(facts, course.id)
    choices: list[Choice] = []
    if mine is None:
        label = N_("Enrol") if course.seats_left > 0 else N_("Join the waiting list")
        choices.append(Choice(ENROL, Msg(label)))
    elif mine.status == "enrolled":
        body.append(Msg(N_("You are already enrolled on this course.")))
    elif mine.status == "waiting":
        body.append(position_msg(mine.position or 0))
    else:
        body.append(Msg(N_("A seat is waiting for you: open My enrolments to accept it.")))
    return Reply(
        body=tuple(body),
        choices=(*choices, back_choice()),
        expects="choice",
        context=f"courses:c{course.id}",
    )


def _enrol(course: CourseInfo) -> FlowStep:
    if course.seats_left > 0:
        replies: list[Text] = [Msg(N_("Done! You have a seat on {title}."), {"title": course.title})]
        if course.sessions:
            first = course.sessions[0]
            replies.append(
                Msg(N_("First session: {start}, {place}."), {"start": first.starts_at, "place": first.place})
            )
        return FlowStep(None, (Reply(body=tuple(replies)),), (Enrol(course.id, "enrolled"),))
    position = course.position_if_joined
    body = (
        Msg(N_("The course is full, so you are on its waiting list.")),
        position_msg(position),
        Msg(N_("When a seat frees up, I will write to you.")),
    )
    return FlowStep(None, (Reply(body=body),), (Enrol(course.id, "waiting", position),))


_FLOW = CoursesFlow()
COURSES = FlowSpec(
    _FLOW, N_("Courses"), ("курстар", "курсы"),
    needs=frozenset({FACTS_GROUP}), browsing_views=frozenset({"list", "detail", ANNOUNCED}),
    out_of_band=_FLOW,
)
