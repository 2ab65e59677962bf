"""``/manage``: facilitators see their centre's courses, mark attendance, remove and move people,
and open, close, finish or cancel a course.

Only a contact with a facilitator role gets the facts; anyone else is told politely that this
part is for facilitators. ``data["view"]`` is ``courses``, ``course``, ``lessons``, ``marks``,
``remove``/``remove_reason``, ``move``/``move_to``/``move_reason``, ``cancel_reason`` or
``status`` (a confirmation). Every change is an effect the bot applies under the course's lock
and writes to the audit log with the reason given. Every answer is checked against fresh
facts, so a learner who left meanwhile is not touched; what is shown lives in ``manage_views``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Any

from flows.courses.common import BACK, number_reprompt, pick
from flows.courses.manage_views import (
    ATTEND,
    DONE,
    MOVE,
    NO,
    REMOVE,
    STATUS_NAMES,
    YES,
    confirm_reply,
    course_reply,
    courses_reply,
    lessons_reply,
    marks_reply,
    name_of,
    people_reply,
    places_reply,
    reason_reply,
    say,
)
from flows.courses.staff import (
    FACTS_GROUP,
    NEXT_STATUSES,
    Learner,
    MarkAttendance,
    MoveLearner,
    RemoveLearner,
    SetCourseStatus,
    StaffCourse,
    find_course,
    has_begun,
    staff_courses,
)
from flows.courses.statuses import is_course_status
from flows.events import N_, Effect, Facts, Inbound, Reply
from flows.registry import FlowSpec, FlowStep
from flows.yesno import NO_WORDS, YES_WORDS

MAX_REASON = 500
REASON_VIEWS = ("remove_reason", "move_reason", "cancel_reason")
Data = dict[str, Any]
GONE = N_("That learner is no longer on this course.")


class ManageFlow:
    name = "manage"

    def start(self, event: Inbound, now: dt.datetime, facts: Facts) -> FlowStep:
        courses = staff_courses(facts)
        if courses is None:
            return FlowStep(None, (say(N_("This part is for the centre's staff.")),))
        if not courses:
            return FlowStep(None, (say(N_("Your centre has no courses yet.")),))
        data: Data = {"view": "courses"}
        return FlowStep(data, self.reprompt(data, now, facts))

    def cancel(self, data: Data, now: dt.datetime, facts: Facts) -> FlowStep:
        return FlowStep(None)

    def reprompt(self, data: Data, now: dt.datetime, facts: Facts) -> tuple[Reply, ...]:
        view = data.get("view")
        course = find_course(facts, data.get("course"))
        if view == "courses" or course is None:
            return (courses_reply(staff_courses(facts) or ()),)
        learner = course.learner(data.get("enrolment"))
        lesson = course.lesson(data.get("lesson"))
        if view == "lessons":
            return (lessons_reply(course, now),)
        if view == "marks" and lesson is not None:
            return (marks_reply(course, lesson),)
        if view == "remove":
            whom = N_("Whom do you want to take off the course?")
            return (people_reply(course, course.learners, "remove", whom),)
        if view == "move":
            return (people_reply(course, course.waiting, "move", N_("Whom do you want to move?")),)
        if view == "move_to" and learner is not None:
            return (places_reply(course, learner),)
        if view in REASON_VIEWS and (learner is not None or view == "cancel_reason"):
            return (reason_reply(course, str(view), learner),)
        to = data.get("to")
        if view == "status" and is_course_status(to) and to in NEXT_STATUSES.get(course.status, ()):
            return (confirm_reply(course, to, data.get("reason")),)
        return (course_reply(course),)

    def resume(self, data: Data, event: Inbound, now: dt.datetime, facts: Facts) -> FlowStep:
        course = find_course(facts, data.get("course"))
        if data.get("view") != "courses" and course is None:
            return self._go({"view": "courses"}, facts, now, say(N_("That course is no longer there.")))
        prompt = self.reprompt(data, now, facts)[-1]
        view = _shown_view(data, prompt)
        if view != data.get("view"):
            # The person or session asked about is gone: show where things stand, act on nothing.
            lead = (say(GONE),) if data.get("view") != "marks" else ()
            return FlowStep({"view": view, "course": data.get("course")}, (*lead, prompt))
        several = _numbers(event, len(prompt.choices) - 1) if view == "marks" else None
        if several is not None:  # "1 2 3": as if each name were chosen in turn
            assert course is not None
            return self._mark(data, course, [prompt.choices[n - 1].id for n in several])
        chosen = pick(event, prompt.choices, {YES: YES_WORDS, NO: NO_WORDS, BACK: NO_WORDS})
        if view in REASON_VIEWS and chosen is None and (event.text or "").strip():
            assert course is not None
            return self._reason(data, (event.text or "").strip()[:MAX_REASON], course, facts, now)
        if chosen is None:
            reprompt = say(N_("Please write the reason in a few words.")) if view in REASON_VIEWS else (
                number_reprompt(len(prompt.choices)))
            return FlowStep(data, (reprompt, prompt))
        here = {"view": "course", "course": data.get("course")}
        if chosen == BACK or (view == "status" and chosen != YES):
            parent = {"courses": None, "course": {"view": "courses"}}.get(view, here)
            return FlowStep(None) if parent is None else self._go(parent, facts, now)
        if view == "courses":
            return self._go({"view": "course", "course": int(chosen[1:])}, facts, now)
        assert course is not None
        if view == "course" and chosen == "to_finished" and not has_begun(
                [lesson.starts_at for lesson in course.lessons], now):
            refused = say(N_("No session of «{title}» has taken place yet, so it cannot be finished. If it "
                             "will not run, cancel it: everyone enrolled or waiting is told."),
                          title=course.title)
            return self._go(here, facts, now, refused)
        if view == "course" and chosen.startswith("to_"):
            to = chosen[3:]
            return self._go({**here, "view": "cancel_reason" if to == "cancelled" else "status", "to": to},
                            facts, now)
        if view == "course":
            return self._go({**here, "view": {ATTEND: "lessons", REMOVE: "remove", MOVE: "move"}[chosen]},
                            facts, now)
        if view == "status":
            return self._set_status(course, str(data.get("to")), data.get("reason"), facts, now)
        if view == "lessons":
            return self._go({**here, "view": "marks", "lesson": int(chosen[1:])}, facts, now)
        if view == "marks":
            return self._mark(data, course, [chosen])
        if view == "move_to":
            return self._go({**data, "view": "move_reason", "to": int(chosen[1:])}, facts, now)
        return self._go({**here, "view": "remove_reason" if view == "remove" else "move_to",
                         "enrolment": int(chosen[1:])}, facts, now)

    def _go(self, data: Data, facts: Facts, now: dt.datetime, *lead: Reply) -> FlowStep:
        course = find_course(facts, data.get("course"))
        if data["view"] == "lessons" and course is not None and not course.markable(now):
            why = say(N_("No session of this course has taken place yet; the first is on {start}."),
                      start=course.lessons[0].starts_at) if course.lessons else say(
                N_("This course has no sessions."))
            return self._go({"view": "course", "course": course.id}, facts, now, why)
        if data["view"] == "move" and course is not None and not course.waiting:
            return self._go({"view": "course", "course": course.id}, facts, now,
                            say(N_("Nobody is on the waiting list.")))
        return FlowStep(data, (*lead, *self.reprompt(data, now, facts)))

    def _mark(self, data: Data, course: StaffCourse, chosen: list[str]) -> FlowStep:
        """Each chosen name switches: unmarked or absent becomes present, present becomes absent."""
        lesson = course.lesson(data.get("lesson"))
        if DONE in chosen or lesson is None:
            return FlowStep({"view": "course", "course": course.id}, (course_reply(course),))
        effects = []
        for choice in chosen:
            learner = course.learner(int(choice[1:]))
            if learner is None or learner.status != "enrolled":
                return FlowStep(data, (say(GONE), marks_reply(course, lesson)))
            who = {learner.enrolment_id}
            present = learner.enrolment_id not in lesson.present
            if present:
                lesson = replace(lesson, present=lesson.present | who, absent=lesson.absent - who)
            else:
                lesson = replace(lesson, present=lesson.present - who, absent=lesson.absent | who)
            effects.append(MarkAttendance(lesson.id, learner.enrolment_id, present))
        marked = lesson
        shown = replace(course, lessons=tuple(marked if x.id == marked.id else x for x in course.lessons))
        return FlowStep(data, (marks_reply(shown, marked, edit=True),), tuple(effects))

    def _set_status(
        self, course: StaffCourse, to: str, reason: str | None, facts: Facts, now: dt.datetime
    ) -> FlowStep:
        if to not in NEXT_STATUSES.get(course.status, ()):
            return self._go({"view": "course", "course": course.id}, facts, now)
        done = [say(N_("Done: «{title}» is now {status}."), title=course.title, status=STATUS_NAMES[to])]
        if to == "finished":
            done.append(say(N_("Those who attended will get the satisfaction questionnaire.")))
        return FlowStep({"view": "course", "course": course.id},
                        (*done, course_reply(replace(course, status=to), with_roster=False)),
                        (SetCourseStatus(course.id, to, course.status, reason),))

    def _reason(
        self, data: Data, reason: str, course: StaffCourse, facts: Facts, now: dt.datetime
    ) -> FlowStep:
        back = {"view": "course", "course": course.id}
        if data["view"] == "cancel_reason":  # a cancellation tells everyone: confirm it first
            return self._go({**back, "view": "status", "to": "cancelled", "reason": reason}, facts, now)
        learner = course.learner(data.get("enrolment"))
        if learner is None or (data["view"] == "move_reason" and learner.status != "waiting"):
            return self._go(back, facts, now, say(GONE))
        effect: Effect
        if data["view"] == "remove_reason":
            effect, done = RemoveLearner(learner.enrolment_id, reason), say(
                _removed_text(course, learner), name=name_of(learner))
        else:
            position = min(int(data["to"]), len(course.waiting))  # the list may have shortened meanwhile
            effect, done = MoveLearner(learner.enrolment_id, position, reason), say(
                N_("{name} is now number {position} on the waiting list and has been told."),
                name=name_of(learner), position=position)
        # The facts predate the change (and a freed seat may go to someone at once): the list is
        # shown afresh when the facilitator opens the course again.
        return FlowStep(back, (done, course_reply(course, with_roster=False)), (effect,))


def _removed_text(course: StaffCourse, learner: Learner) -> str:
    """What taking this person off does to the seats, said as it is."""
    if learner.status == "waiting":
        return N_("{name} was taken off the waiting list.")
    if len(course.seated) > course.capacity:  # after a lowered capacity: no seat frees up
        return N_("{name} was taken off the course.")
    if any(other.enrolment_id != learner.enrolment_id for other in course.waiting):
        return N_("{name} was taken off the course; the seat is offered to the next person on the "
                  "waiting list.")
    return N_("{name} was taken off the course; the seat is free for the next person who enrols.")


def _numbers(event: Inbound, count: int) -> list[int] | None:
    """Several option numbers typed at once ("1 2 3", "1,3"), each from 1 to ``count``; else None."""
    parts = [part for part in re.split(r"[,;\s]+", (event.text or "").strip()) if part]
    if len(parts) < 2 or not all(re.fullmatch(r"\d{1,3}[.)]?", part) for part in parts):
        return None
    numbers = list(dict.fromkeys(int(part.rstrip(".)")) for part in parts))
    return numbers if all(1 <= n <= count for n in numbers) else None


def _shown_view(data: Data, prompt: Reply) -> str:
    """The view whose prompt is on screen (a removed session or person falls back to the course)."""
    shown = (prompt.context or "").split(":")[1:2]
    return shown[0] if shown else str(data.get("view"))


# Opened only by its command, never listed in the villagers' menu.
MANAGE = FlowSpec(
    ManageFlow(), None, ("басқару", "управление", "фасилитатор"), needs=frozenset({FACTS_GROUP}),
)
