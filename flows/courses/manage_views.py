"""What ``/manage`` shows: each view of the facilitators' flow as a reply (pure rendering).

Every prompt carries its own context and at least a "Back" choice, so a button on an earlier
message (another course's list, the person picked before) is stale rather than acted upon.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flows.courses.common import back_choice
from flows.courses.policy import explain, parse_policy
from flows.courses.staff import NEXT_STATUSES, Learner, Lesson, StaffCourse
from flows.courses.statuses import CourseStatus
from flows.events import N_, Choice, Localized, Msg, Reply, Text

ATTEND, REMOVE, MOVE, DONE, YES, NO = "attend", "remove", "move", "done", "yes", "no"
STATUS_NAMES: dict[CourseStatus, Localized] = {
    "draft": Localized("жоба", "черновик"), "open": Localized("жазылу ашық", "запись открыта"),
    "running": Localized("жүріп жатыр", "идёт"), "finished": Localized("аяқталды", "завершён"),
    "cancelled": Localized("тоқтатылды", "отменён"),
}
STATUS_ACTIONS: dict[CourseStatus, str] = {"open": N_("Open enrolment"), "running": N_("Close enrolment"),
                  "finished": N_("Finish the course"), "cancelled": N_("Cancel the course")}
CONFIRMATIONS: dict[CourseStatus, str] = {
    "open": N_("Open enrolment for «{title}»? Villagers will see it under Courses."),
    "running": N_("Close enrolment for «{title}»? The course goes on; nobody new can enrol."),
    "finished": N_("Mark «{title}» finished? Those who attended get the satisfaction questionnaire."),
}


def say(text: str, **params: Any) -> Reply:
    return Reply(body=(Msg(text, params),))


def name_of(learner: Learner) -> Localized:
    return Localized(learner.name, learner.name)


def roster(course: StaffCourse) -> Localized:
    """Seat holders, then the waiting list in order: names are data, the same in both languages.

    Bullets, not numbers: the numbers on this screen are the actions'.
    """
    kk: list[str] = []
    ru: list[str] = []
    for learner in course.seated:
        offered = learner.status == "offered"
        kk.append(f"• {learner.name}" + (" (орын ұсынылды)" if offered else ""))
        ru.append(f"• {learner.name}" + (" (место предложено)" if offered else ""))
    if course.waiting:
        kk.append("Күту тізімі, кезек ретімен:")
        ru.append("Лист ожидания, по порядку:")
        for learner in course.waiting:
            kk.append(f"• {learner.name}")
            ru.append(f"• {learner.name}")
    if not course.learners:
        kk.append("Әзірге ешкім жазылмаған.")
        ru.append("Пока никто не записался.")
    return Localized("\n".join(kk), "\n".join(ru))


def _ask(question: Text, context: str, choices: tuple[Choice, ...] = ()) -> Reply:
    return Reply(body=(question,), choices=(*choices, back_choice()), expects="choice", context=context)


def courses_reply(courses: tuple[StaffCourse, ...]) -> Reply:
    return _ask(Msg(N_("Your centre's courses:")), "manage:courses",
                tuple(Choice(f"c{c.id}", c.title) for c in courses))


def course_reply(course: StaffCourse, with_roster: bool = True) -> Reply:
    head = Msg(N_("Status: {status}. Seats taken: {taken} of {capacity}."),
               {"status": STATUS_NAMES.get(course.status, Localized(course.status, course.status)),
                "taken": len(course.seated), "capacity": course.capacity})
    nexts = NEXT_STATUSES.get(course.status, ())
    statuses = tuple(Choice(f"to_{to}", Msg(STATUS_ACTIONS[to])) for to in nexts)
    choices = (Choice(ATTEND, Msg(N_("Mark attendance"))), Choice(REMOVE, Msg(N_("Remove a learner"))),
               Choice(MOVE, Msg(N_("Move on the waiting list"))), *statuses, back_choice())
    order = explain(parse_policy(course.policy))
    body: tuple[Text, ...] = (course.title, head, roster(course), order) if with_roster else (course.title,)
    return Reply(body=body, choices=choices, expects="choice", context=f"manage:course:{course.id}")


def lessons_reply(course: StaffCourse, now: dt.datetime) -> Reply:
    """The sessions held so far (or about to start): a future one has nobody to mark yet."""
    choices = tuple(Choice(f"l{x.id}", Msg(N_("Session of {start}"), {"start": x.starts_at}))
                    for x in course.markable(now))
    return _ask(Msg(N_("Which session?")), f"manage:lessons:{course.id}", choices)


def marks_reply(course: StaffCourse, lesson: Lesson, edit: bool = False) -> Reply:
    """Those enrolled with their mark; worded so it reads right pressed (Telegram) and typed (SMS)."""
    choices = []
    for learner in course.enrolled:
        who = learner.enrolment_id
        mark = "✓" if who in lesson.present else "✗" if who in lesson.absent else "·"
        choices.append(Choice(f"e{who}", Localized(f"{mark} {learner.name}", f"{mark} {learner.name}")))
    choices.append(Choice(DONE, Msg(N_("Done"))))
    body = Msg(N_("Session of {start}. Choose who came (✓); choosing someone again marks them absent (✗). "
                  "Several at once: 1 2 3."), {"start": lesson.starts_at})
    return Reply(body=(body,), choices=tuple(choices), expects="choice", edit=edit,
                 context=f"manage:marks:{course.id}:{lesson.id}")


def people_reply(course: StaffCourse, people: tuple[Learner, ...], view: str, question: str) -> Reply:
    return _ask(Msg(question), f"manage:{view}:{course.id}",
                tuple(Choice(f"e{p.enrolment_id}", name_of(p)) for p in people))


def places_reply(course: StaffCourse, learner: Learner) -> Reply:
    """The places on the list as choices, so a typed number is a place, never "Back"."""
    question = Msg(N_("To which place should {name} move?"), {"name": name_of(learner)})
    places = tuple(Choice(f"p{n}", Msg(N_("Place {number}"), {"number": n}))
                   for n in range(1, len(course.waiting) + 1))
    return _ask(question, f"manage:move_to:{course.id}:{learner.enrolment_id}", places)


def reason_reply(course: StaffCourse, view: str, learner: Learner | None) -> Reply:
    if view == "cancel_reason":
        question = Msg(N_("Why is «{title}» cancelled? Write the reason; everyone enrolled or waiting "
                          "will be told the course is off."), {"title": course.title})
    elif view == "remove_reason" and learner is not None and learner.status == "waiting":
        # Someone only waiting holds no seat: "taken off the course" would be untrue.
        question = Msg(N_("Why is {name} taken off the waiting list? Write the reason in a few words; "
                          "it is kept in the log. {name} is told they were taken off it, without the "
                          "reason."), {"name": name_of(learner)})
    elif view == "remove_reason":
        question = Msg(N_("Why is {name} taken off the course? Write the reason in a few words; it is "
                          "kept in the log. {name} is told they were taken off, without the reason."),
                       {"name": name_of(learner) if learner else ""})
    else:
        question = Msg(N_("Why is {name} moved? Write the reason in a few words; it is kept in the log."),
                       {"name": name_of(learner) if learner else ""})
    who = learner.enrolment_id if learner else 0
    # A written answer with a Back button: the hint under it must not ask for a number.
    return Reply(body=(question,), choices=(back_choice(),), expects="text",
                 context=f"manage:{view}:{course.id}:{who}")


def confirm_reply(course: StaffCourse, to: CourseStatus, reason: str | None) -> Reply:
    if to == "cancelled":
        why = Localized(reason or "", reason or "")
        question = Msg(N_("Cancel «{title}» for this reason: {reason}? Everyone enrolled or waiting will "
                          "be told."), {"title": course.title, "reason": why})
    else:
        question = Msg(CONFIRMATIONS[to], {"title": course.title})
    return Reply(body=(question,), choices=(Choice(YES, Msg(N_("Yes"))), Choice(NO, Msg(N_("No")))),
                 expects="choice", context=f"manage:status:{course.id}:{to}")
