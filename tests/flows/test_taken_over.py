"""Which conversations a delivered question (a seat offer, an invitation) may take over."""

from __future__ import annotations

from typing import Any

from flows.registry import taken_over
from tests.flows.standard import FLOWS

OFFER = ("my", {"view": "offer", "enrolment": 5}, "offer5")


def over(state: dict[str, Any], seq_when_sent: object = None) -> dict[str, Any] | None:
    return taken_over(state, FLOWS, *OFFER, seq_when_sent=state["seq"] if seq_when_sent is None else seq_when_sent)


def test_the_menu_and_browsing_views_wait_for_the_delivered_question() -> None:
    for state in (
        {"seq": 3, "ctx": "menu", "stage": "menu", "flow": None, "data": None},
        {"seq": 4, "ctx": "courses:list", "stage": "flow", "flow": "courses", "data": {"view": "list"}},
        {"seq": 4, "ctx": "c2", "stage": "flow", "flow": "courses", "data": {"view": "detail", "course": 2}},
        {"seq": 5, "ctx": "my:list", "stage": "flow", "flow": "my", "data": {"view": "list"}},
        {"seq": 6, "ctx": "e3", "stage": "flow", "flow": "my", "data": {"view": "item", "enrolment": 3}},
    ):
        assert over(state) == {**state, "stage": "flow", "flow": "my", "data": OFFER[1], "ctx": "offer5"}


def test_work_in_progress_and_other_questions_are_never_taken_over() -> None:
    for state in (
        {"seq": 1, "ctx": "lang", "stage": "language", "flow": None, "data": None},
        {"seq": 7, "ctx": "q", "stage": "flow", "flow": "survey", "data": {"at": "income"}},
        {"seq": 8, "ctx": "m", "stage": "flow", "flow": "manage", "data": {"view": "reason"}},
        {"seq": 9, "ctx": "e3", "stage": "flow", "flow": "my", "data": {"view": "leave", "enrolment": 3}},
        {"seq": 9, "ctx": "offer4", "stage": "flow", "flow": "my", "data": {"view": "offer", "enrolment": 4}},
    ):
        assert over(state) is None


def test_a_step_taken_since_the_message_was_sent_keeps_its_screen() -> None:
    """The person answered something while the question was on its way: they read that answer."""
    browsing = {"seq": 12, "ctx": "c2", "stage": "flow", "flow": "courses", "data": {"view": "detail", "course": 2}}
    assert over(browsing, seq_when_sent=11) is None
    assert over(browsing, seq_when_sent=12) is not None
