"""Which conversations a delivered question (a seat offer, an invitation) may take over."""

from __future__ import annotations

from flows.registry import taken_over

OFFER = ("my", {"view": "offer", "enrolment": 5}, "offer5")


def test_the_menu_and_browsing_views_wait_for_the_delivered_question() -> None:
    for state in (
        {"seq": 3, "ctx": "menu", "stage": "menu", "flow": None, "data": None},
        {"seq": 4, "ctx": "courses:list", "stage": "flow", "flow": "courses", "data": {"view": "list"}},
        {"seq": 5, "ctx": "my:list", "stage": "flow", "flow": "my", "data": {"view": "list"}},
    ):
        after = taken_over(state, *OFFER)
        assert after == {**state, "stage": "flow", "flow": "my", "data": OFFER[1], "ctx": "offer5"}


def test_work_in_progress_is_never_taken_over() -> None:
    for state in (
        {"seq": 1, "ctx": "lang", "stage": "language", "flow": None, "data": None},
        {"seq": 7, "ctx": "q", "stage": "flow", "flow": "survey", "data": {"at": "income"}},
        {"seq": 8, "ctx": "m", "stage": "flow", "flow": "manage", "data": {"view": "reason"}},
    ):
        assert taken_over(state, *OFFER) is None
