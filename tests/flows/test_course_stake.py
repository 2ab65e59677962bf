"""Which course a conversation's next step may change: only where it can enrol, accept or leave."""

from __future__ import annotations

from typing import Any

from flows.courses.stake import Stake, at_stake
from flows.events import State
from flows.state import initial_state


def in_flow(flow: str, data: dict[str, Any]) -> State:
    return {**initial_state(), "stage": "flow", "flow": flow, "data": data}


def test_a_course_is_at_stake_on_its_details_and_an_enrolment_on_its_offer_or_leave_question() -> None:
    assert at_stake(in_flow("courses", {"view": "detail", "course": 7})) == Stake(course_id=7)
    assert at_stake(in_flow("my", {"view": "offer", "enrolment": 3})) == Stake(enrolment_id=3)
    assert at_stake(in_flow("my", {"view": "leave", "enrolment": 3})) == Stake(enrolment_id=3)


def test_nothing_is_at_stake_where_no_seat_can_change() -> None:
    assert at_stake(None) is None
    assert at_stake({**initial_state(), "stage": "menu"}) is None
    assert at_stake(in_flow("courses", {"view": "list"})) is None
    assert at_stake(in_flow("my", {"view": "list"})) is None
    assert at_stake(in_flow("my", {"view": "item", "enrolment": 3})) is None
    assert at_stake(in_flow("survey", {"view": "detail", "course": 7})) is None
    assert at_stake(in_flow("courses", {"view": "detail", "course": "7"})) is None
    assert at_stake(in_flow("courses", {"view": "detail"})) is None
