"""The facilitators' flow through the pure engine: refusals, stale answers, clamped moves."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from flows.courses.staff import COURSES_KEY, Learner, Lesson, MarkAttendance, MoveLearner, StaffCourse
from flows.engine import step
from flows.events import ContactFacts, Facts, Inbound, Localized, Msg, State, Step
from tests.flows.standard import FLOWS

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
TITLE = Localized("Тігін", "Шитьё")


def course(*learners: Learner) -> StaffCourse:
    return StaffCourse(7, TITLE, "open", 2, learners, (Lesson(70, NOW),))


def facts(courses: tuple[StaffCourse, ...] | None) -> Facts:
    return Facts(contact=ContactFacts(1, "ru", False), extra={COURSES_KEY: courses})


def send(state: State, text: str, known: Facts) -> Step:
    return step(state, Inbound("simulator", "sim:1", text=text), NOW, known, FLOWS)


def keys(result: Step) -> list[str]:
    return [part.key for reply in result.replies for part in reply.body if isinstance(part, Msg)]


def at(view: dict[str, object]) -> State:
    return {"seq": 5, "ctx": None, "stage": "flow", "flow": "manage", "data": view}


WAITING = (Learner(1, "Әсел", "enrolled"), Learner(2, "Болат", "waiting", 1), Learner(3, "Дина", "waiting", 2))


def test_someone_without_the_role_is_told_politely() -> None:
    menu: State = {"seq": 1, "ctx": "menu", "stage": "menu", "flow": None, "data": None}
    result = send(menu, "/manage", facts(None))
    assert keys(result)[0] == "This part is for the centre's staff."
    assert result.state["stage"] == "menu" and not result.effects


def test_a_learner_gone_meanwhile_is_not_touched() -> None:
    result = send(at({"view": "remove_reason", "course": 7, "enrolment": 9}), "не пришёл", facts((course(*WAITING),)))
    assert keys(result)[0] == "That learner is no longer on this course." and not result.effects
    assert result.state["data"] == {"view": "course", "course": 7}


def test_a_move_asked_past_a_list_that_shortened_goes_to_its_end() -> None:
    shorter = course(WAITING[0], Learner(3, "Дина", "waiting", 1))
    result = send(at({"view": "move_reason", "course": 7, "enrolment": 3, "to": 2}), "обещали", facts((shorter,)))
    assert result.effects == (MoveLearner(3, 1, "обещали"),)


def test_a_blank_or_huge_reason() -> None:
    known = facts((course(*WAITING),))
    blank = send(at({"view": "remove_reason", "course": 7, "enrolment": 2}), "   ", known)
    assert keys(blank)[0] == "Please write the reason in a few words." and not blank.effects
    huge = send(at({"view": "remove_reason", "course": 7, "enrolment": 2}), "х" * 5000, known)
    assert len(huge.effects[0].reason) == 500  # type: ignore[attr-defined]


def test_a_course_that_vanished_goes_back_to_the_list() -> None:
    result = send(at({"view": "course", "course": 99}), "1", facts((course(*WAITING),)))
    assert keys(result)[:2] == ["That course is no longer there.", "Your centre's courses:"]


def test_an_answer_about_a_session_or_person_gone_meanwhile_acts_on_nothing() -> None:
    known = facts((course(*WAITING),))
    result = send(at({"view": "marks", "course": 7, "lesson": 99}), "1", known)
    assert result.state["data"] == {"view": "course", "course": 7} and not result.effects
    assert result.replies[-1].context == "manage:course:7"
    moved_away = send(at({"view": "move_to", "course": 7, "enrolment": 9}), "2", known)
    assert keys(moved_away)[0] == "That learner is no longer on this course." and not moved_away.effects


def test_a_cancellation_needs_a_reason_then_a_confirmation() -> None:
    known = facts((course(*WAITING),))
    asked = send(at({"view": "course", "course": 7}), "/manage", known)
    assert asked.state["data"] == {"view": "courses"}
    reason = send(at({"view": "cancel_reason", "course": 7, "to": "cancelled"}), "нет", known)
    assert reason.state["data"] == {"view": "course", "course": 7} and not reason.effects  # "no" is not a reason
    typed = send(at({"view": "cancel_reason", "course": 7, "to": "cancelled"}), "шебер ауырып қалды", known)
    assert not typed.effects and typed.replies[-1].context == "manage:status:7:cancelled"
    assert [c.id for c in typed.replies[-1].choices] == ["yes", "no"]
    confirmed = send(typed.state, "да", known)
    assert [type(e).__name__ for e in confirmed.effects] == ["SetCourseStatus"]
    assert confirmed.effects[0].reason == "шебер ауырып қалды"  # type: ignore[attr-defined]


def test_a_person_picked_from_an_older_list_is_a_stale_button() -> None:
    known = facts((course(*WAITING),))
    picked = send(at({"view": "remove", "course": 7}), "2", known)  # Болат
    assert picked.state["data"] == {"view": "remove_reason", "course": 7, "enrolment": 2}
    old_list = step(picked.state, Inbound("simulator", "sim:1", choice="e3", context="manage:remove:7"), NOW, known, FLOWS)
    assert not old_list.effects and old_list.state["data"]["enrolment"] == 2
    assert "Why is {name} taken off the waiting list?" in keys(old_list)[-1]  # Болат only waits


def test_attendance_lists_only_the_enrolled_and_takes_several_numbers() -> None:
    seated = (Learner(1, "Әсел", "enrolled"), Learner(4, "Ольга", "offered"), Learner(5, "Жанар", "enrolled"))
    known = facts((course(*seated),))
    shown = send(at({"view": "lessons", "course": 7}), "1", known)
    assert [c.label for c in shown.replies[-1].choices][:-1] == [  # an open offer is no seat yet
        Localized("· Әсел", "· Әсел"), Localized("· Жанар", "· Жанар")]
    both = send(shown.state, "1 2", known)
    assert both.effects == (MarkAttendance(70, 1, True), MarkAttendance(70, 5, True))
    assert [c.label for c in both.replies[-1].choices][:-1] == [
        Localized("✓ Әсел", "✓ Әсел"), Localized("✓ Жанар", "✓ Жанар")]
    out_of_range = send(shown.state, "1 7", known)
    assert not out_of_range.effects and keys(out_of_range)[0] == "Please answer with a number from 1 to {count}."


def test_no_marks_and_no_finish_before_the_first_session() -> None:
    later = StaffCourse(7, TITLE, "running", 2, WAITING, (Lesson(70, NOW + dt.timedelta(days=2)),))
    known = facts((later,))
    early = send(at({"view": "course", "course": 7}), "1", known)
    assert keys(early)[0] == "No session of this course has taken place yet; the first is on {start}."
    assert early.state["data"] == {"view": "course", "course": 7} and not early.effects
    finish = next(n for n, c in enumerate(early.replies[-1].choices, 1) if c.id == "to_finished")
    refused = send(early.state, str(finish), known)
    assert keys(refused)[0].startswith("No session of «{title}» has taken place yet, so it cannot be finished.")
    assert not refused.effects and refused.state["data"] == {"view": "course", "course": 7}


def test_taking_someone_off_says_what_happens_to_the_seat() -> None:
    def removed(learners: tuple[Learner, ...], enrolment: int, capacity: int = 2) -> str:
        known = facts((replace(course(*learners), capacity=capacity),))
        return keys(send(at({"view": "remove_reason", "course": 7, "enrolment": enrolment}), "причина", known))[0]

    asel, bolat = Learner(1, "Әсел", "enrolled"), Learner(2, "Болат", "waiting", 1)
    assert removed((asel, bolat), 2) == "{name} was taken off the waiting list."
    assert removed((asel, bolat), 1) == (
        "{name} was taken off the course; the seat is offered to the next person on the waiting list.")
    assert removed((asel,), 1) == "{name} was taken off the course; the seat is free for the next person who enrols."
    over = (asel, Learner(3, "Дина", "enrolled"), bolat)  # 2 enrolled on 1 seat after a forced shrink
    assert removed(over, 1, capacity=1) == "{name} was taken off the course."


def test_the_reason_prompt_says_course_or_waiting_list_as_it_is() -> None:
    known = facts((course(*WAITING),))
    seated = send(at({"view": "remove", "course": 7}), "1", known)  # Әсел holds a seat
    waiting = send(at({"view": "remove", "course": 7}), "2", known)  # Болат only waits
    assert keys(seated)[-1].startswith("Why is {name} taken off the course?")
    assert keys(waiting)[-1].startswith("Why is {name} taken off the waiting list?")


def test_a_reason_prompt_asks_for_text_not_a_number() -> None:
    asked = send(at({"view": "remove", "course": 7}), "2", facts((course(*WAITING),)))
    assert asked.replies[-1].expects == "text" and [c.id for c in asked.replies[-1].choices] == ["back"]
