"""``/manage``: facilitators see their centre's courses, mark attendance, remove and move people.

Only a contact with a facilitator role gets the facts; anyone else is told politely that this
part is for facilitators. ``data["view"]`` is ``courses``, ``course``, ``lessons``, ``marks``,
``remove``/``remove_reason`` or ``move``/``move_to``/``move_reason``; every change is an effect
the bot applies under the course's lock and writes to the audit log with the reason given.
Every answer is checked against fresh facts, so a learner who left meanwhile is not touched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from flows.courses.common import BACK, NO_WORDS, YES_WORDS, back_choice, number_reprompt, pick
from flows.courses.policy import explain, parse_policy
from flows.courses.staff import (
    NEXT_STATUSES,
    Learner,
    MarkAttendance,
    MoveLearner,
    RemoveLearner,
    SetCourseStatus,
    StaffCourse,
    find_course,
    staff_courses,
)
from flows.events import N_, Choice, Effect, Facts, Inbound, Localized, Msg, Reply, Text
from flows.keywords import parse_command
from flows.registry import FlowStep
from flows.text import parse_option_number

MAX_REASON = 500
ATTEND, REMOVE, MOVE, DONE = "attend", "remove", "move", "done"
STATUS_NAMES = {
    "draft": Localized("жоба", "черновик"), "open": Localized("жазылу ашық", "запись открыта"),
    "running": Localized("жүріп жатыр", "идёт"), "finished": Localized("аяқталды", "завершён"),
    "cancelled": Localized("тоқтатылды", "отменён"),
}
STATUS_ACTIONS = {"open": N_("Open enrolment"), "running": N_("Close enrolment"),
                  "finished": N_("Finish the course"), "cancelled": N_("Cancel the course")}
CONFIRMATIONS = {
    "open": N_("Open enrolment for «{title}»? Villagers will see it under Courses."),
    "running": N_("Close enrolment for «{title}»? The course goes on; nobody new can enrol."),
    "finished": N_("Mark «{title}» finished? Those who attended get the satisfaction questionnaire."),
    "cancelled": N_("Why is «{title}» cancelled? Everyone enrolled or waiting is told. Write the reason."),
}
YES, NO = "yes", "no"
Data = dict[str, Any]


def _say(text: str, **params: Any) -> Reply:
    return Reply(body=(Msg(text, params),))


def _name(learner: Learner) -> Localized:
    return Localized(learner.name, learner.name)


def _roster(course: StaffCourse) -> Localized:
    kk: list[str] = []
    ru: list[str] = []
    for number, learner in enumerate(course.seated, 1):
        offered = learner.status == "offered"
        kk.append(f"{number}. {learner.name}" + (" (орын ұсынылды)" if offered else ""))
        ru.append(f"{number}. {learner.name}" + (" (место предложено)" if offered else ""))
    if course.waiting:
        kk.append("Күту тізімі:")
        ru.append("Лист ожидания:")
        for learner in course.waiting:
            kk.append(f"{learner.position}. {learner.name}")
            ru.append(f"{learner.position}. {learner.name}")
    if not course.learners:
        kk.append("Әзірге ешкім жазылмаған.")
        ru.append("Пока никто не записался.")
    return Localized("\n".join(kk), "\n".join(ru))


def _people(course: StaffCourse, people: tuple[Learner, ...], context: str, question: Text) -> Reply:
    choices = (*(Choice(f"e{p.enrolment_id}", _name(p)) for p in people), back_choice())
    return Reply(body=(question,), choices=choices, expects="choice", context=f"manage:{context}:{course.id}")


def _marks(course: StaffCourse, lesson_id: int, edit: bool = False) -> Reply:
    lesson = course.lesson(lesson_id)
    assert lesson is not None
    choices = []
    for learner in course.seated:
        marks = {True: "✓", False: "✗", None: "·"}
        known = learner.enrolment_id in lesson.present or learner.enrolment_id in lesson.absent
        label = f"{marks[learner.enrolment_id in lesson.present if known else None]} {learner.name}"
        choices.append(Choice(f"e{learner.enrolment_id}", Localized(label, label)))
    choices.append(Choice(DONE, Msg(N_("Done"))))
    body = Msg(N_("Session of {start}: press a name to mark them present (✓) or absent (✗)."),
               {"start": lesson.starts_at})
    return Reply(body=(body,), choices=tuple(choices), expects="choice", edit=edit,
                 context=f"manage:marks:{course.id}:{lesson.id}")


class ManageFlow:
    name = "manage"

    def start(self, event: Inbound, now: dt.datetime, facts: Facts) -> FlowStep:
        courses = staff_courses(facts)
        if courses is None:
            return FlowStep(None, (_say(N_("This part is for the centre's facilitators.")),))
        if not courses:
            return FlowStep(None, (_say(N_("Your centre has no courses yet.")),))
        data: Data = {"view": "courses"}
        return FlowStep(data, self.reprompt(data, now, facts))

    def cancel(self, data: Data, now: dt.datetime, facts: Facts) -> FlowStep:
        return FlowStep(None)

    def reprompt(self, data: Data, now: dt.datetime, facts: Facts) -> tuple[Reply, ...]:
        view = data.get("view")
        course = find_course(facts, data.get("course"))
        if view == "courses" or course is None:
            choices = (*(Choice(f"c{c.id}", c.title) for c in staff_courses(facts) or ()), back_choice())
            return (Reply(body=(Msg(N_("Your centre's courses:")),), choices=choices, expects="choice",
                          context="manage:courses"),)
        learner = course.learner(data.get("enrolment"))
        if view == "lessons":
            choices = tuple(Choice(f"l{x.id}", Msg(N_("Session of {start}"), {"start": x.starts_at}))
                            for x in course.lessons)
            return (Reply(body=(Msg(N_("Which session?")),), choices=(*choices, back_choice()),
                          expects="choice", context=f"manage:lessons:{course.id}"),)
        if view == "marks" and course.lesson(data.get("lesson")) is not None:
            return (_marks(course, int(data["lesson"])),)
        if view == "remove":
            whom = Msg(N_("Whom do you want to take off the course?"))
            return (_people(course, course.learners, "remove", whom),)
        if view == "move":
            return (_people(course, course.waiting, "move", Msg(N_("Whom do you want to move?"))),)
        if view == "move_to" and learner is not None:
            return (_say(N_("To which place should {name} move? Send a number from 1 to {count}."),
                         name=_name(learner), count=len(course.waiting)),)
        if view == "status" and data.get("to") in CONFIRMATIONS:
            question = Msg(CONFIRMATIONS[data["to"]], {"title": course.title})
            if data["to"] == "cancelled":
                return (Reply(body=(question,)),)
            return (Reply(body=(question,), choices=(Choice(YES, Msg(N_("Yes"))), Choice(NO, Msg(N_("No")))),
                          expects="choice", context=f"manage:status:{course.id}:{data['to']}"),)
        if view in ("remove_reason", "move_reason") and learner is not None:
            return (_say(N_("Why? Write the reason in a few words; it is kept in the log.")),)
        return (self._course_reply(course),)

    def _course_reply(self, course: StaffCourse, roster: bool = True) -> Reply:
        head = Msg(N_("Status: {status}. Seats taken: {taken} of {capacity}."),
                   {"status": STATUS_NAMES.get(course.status, Localized(course.status, course.status)),
                    "taken": len(course.seated), "capacity": course.capacity})
        nexts = NEXT_STATUSES.get(course.status, ())
        statuses = tuple(Choice(f"to_{to}", Msg(STATUS_ACTIONS[to])) for to in nexts)
        choices = (Choice(ATTEND, Msg(N_("Mark attendance"))), Choice(REMOVE, Msg(N_("Remove a learner"))),
                   Choice(MOVE, Msg(N_("Move on the waiting list"))), *statuses, back_choice())
        order = explain(parse_policy(course.policy))
        body: tuple[Text, ...] = (course.title, head, _roster(course), order) if roster else (course.title,)
        return Reply(body=body, choices=choices, expects="choice",
                     context=f"manage:course:{course.id}")

    def resume(self, data: Data, event: Inbound, now: dt.datetime, facts: Facts) -> FlowStep:
        view = data.get("view")
        course = find_course(facts, data.get("course"))
        if view != "courses" and course is None:
            return self._go({"view": "courses"}, facts, now, _say(N_("That course is no longer there.")))
        if view == "marks" and course is not None and course.lesson(data.get("lesson")) is None:
            # The session was removed meanwhile: the answer is read against the course's actions.
            data, view = {"view": "course", "course": course.id}, "course"
        typed = ("remove_reason", "move_to", "move_reason")
        if view in typed or (view == "status" and data.get("to") == "cancelled"):
            assert course is not None
            return self._typed(data, event, course, facts, now)
        prompt = self.reprompt(data, now, facts)[-1]
        chosen = pick(event, prompt.choices, {YES: YES_WORDS, NO: NO_WORDS})
        if chosen is None:
            return FlowStep(data, (number_reprompt(len(prompt.choices)), prompt))
        if chosen == BACK:
            here = {"view": "course", "course": data.get("course")}
            parent = {"courses": None, "course": {"view": "courses"}}.get(str(view), here)
            return FlowStep(None) if parent is None else self._go(parent, facts, now)
        if view == "courses":
            return self._go({"view": "course", "course": int(chosen[1:])}, facts, now)
        assert course is not None
        if view == "course" and chosen.startswith("to_"):
            return self._go({"view": "status", "course": course.id, "to": chosen[3:]}, facts, now)
        if view == "course":
            return self._go({"view": {ATTEND: "lessons", REMOVE: "remove", MOVE: "move"}[chosen],
                             "course": course.id}, facts, now)
        if view == "status":
            if chosen == YES:
                return self._set_status(course, str(data.get("to")), None, facts, now)
            return self._go({"view": "course", "course": course.id}, facts, now)
        if view == "lessons":
            return self._go({"view": "marks", "course": course.id, "lesson": int(chosen[1:])}, facts, now)
        if view == "marks":
            return self._mark(data, course, chosen)
        return self._go({"view": f"{view}_reason" if view == "remove" else "move_to", "course": course.id,
                         "enrolment": int(chosen[1:])}, facts, now)

    def _go(self, data: Data, facts: Facts, now: dt.datetime, *lead: Reply) -> FlowStep:
        course = find_course(facts, data.get("course"))
        if data["view"] == "lessons" and course is not None and not course.lessons:
            return self._go({"view": "course", "course": course.id}, facts, now,
                            _say(N_("This course has no sessions.")))
        if data["view"] == "move" and course is not None and not course.waiting:
            return self._go({"view": "course", "course": course.id}, facts, now,
                            _say(N_("Nobody is on the waiting list.")))
        return FlowStep(data, (*lead, *self.reprompt(data, now, facts)))

    def _mark(self, data: Data, course: StaffCourse, chosen: str) -> FlowStep:
        if chosen == DONE:
            return FlowStep({"view": "course", "course": course.id}, (self._course_reply(course),))
        lesson = course.lesson(data.get("lesson"))
        learner = course.learner(int(chosen[1:]))
        if lesson is None or learner is None:
            return FlowStep(data, (_say(N_("That learner is no longer on this course.")),))
        who = {learner.enrolment_id}
        present = learner.enrolment_id not in lesson.present
        if present:
            marked = replace(lesson, present=lesson.present | who, absent=lesson.absent - who)
        else:
            marked = replace(lesson, present=lesson.present - who, absent=lesson.absent | who)
        shown = replace(course, lessons=tuple(marked if x.id == lesson.id else x for x in course.lessons))
        return FlowStep(data, (_marks(shown, lesson.id, edit=True),),
                        (MarkAttendance(lesson.id, learner.enrolment_id, present),))

    def _set_status(
        self, course: StaffCourse, to: str, reason: str | None, facts: Facts, now: dt.datetime
    ) -> FlowStep:
        if to not in NEXT_STATUSES.get(course.status, ()):
            return self._go({"view": "course", "course": course.id}, facts, now)
        done = [_say(N_("Done: «{title}» is now {status}."), title=course.title, status=STATUS_NAMES[to])]
        if to == "finished":
            done.append(_say(N_("Those who attended will get the satisfaction questionnaire.")))
        changed = replace(course, status=to)
        return FlowStep({"view": "course", "course": course.id},
                        (*done, self._course_reply(changed, roster=False)),
                        (SetCourseStatus(course.id, to, course.status, reason),))

    def _typed(
        self, data: Data, event: Inbound, course: StaffCourse, facts: Facts, now: dt.datetime
    ) -> FlowStep:
        back = {"view": "course", "course": course.id}
        if data["view"] == "status":
            text = (event.text or "").strip()
            if parse_command(text) == "back" or event.choice == BACK:
                return self._go(back, facts, now)
            if not text or event.choice is not None:
                return FlowStep(data, (_say(N_("Please write the reason in a few words.")),))
            return self._set_status(course, "cancelled", text[:MAX_REASON], facts, now)
        learner = course.learner(data.get("enrolment"))
        if learner is None or (data["view"] != "remove_reason" and learner.status != "waiting"):
            return self._go(back, facts, now, _say(N_("That learner is no longer on this course.")))
        text = (event.text or "").strip()
        if parse_command(text) == "back" or event.choice == BACK:
            return self._go(back, facts, now)
        if data["view"] == "move_to":
            number = parse_option_number(text)
            if number is None or not 1 <= number <= len(course.waiting):
                return FlowStep(data, (number_reprompt(len(course.waiting)),))
            return self._go({**data, "view": "move_reason", "to": number}, facts, now)
        if not text or event.choice is not None:
            return FlowStep(data, (_say(N_("Please write the reason in a few words.")),))
        reason = text[:MAX_REASON]
        effect: Effect
        if data["view"] == "remove_reason":
            effect, done = RemoveLearner(learner.enrolment_id, reason), _say(
                N_("{name} was taken off the course; a freed seat goes to the next person waiting."),
                name=_name(learner))
        else:
            position = min(int(data["to"]), len(course.waiting))  # the list may have shortened meanwhile
            effect, done = MoveLearner(learner.enrolment_id, position, reason), _say(
                N_("{name} is now number {position} on the waiting list and has been told."),
                name=_name(learner), position=position)
        # The facts predate the change (and a freed seat may go to someone at once): the list is
        # shown afresh when the facilitator opens the course again.
        return FlowStep(back, (done, self._course_reply(course, roster=False)), (effect,))

