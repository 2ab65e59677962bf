"""The stored state's envelope: old states migrate, unreadable ones fail loudly."""

from __future__ import annotations

import pytest

from flows.errors import StateError
from flows.state import STATE_VERSION, from_json, initial_state, to_json


def test_a_state_stored_before_the_envelope_had_a_version_migrates() -> None:
    stored = {"seq": 7, "ctx": "menu", "stage": "flow", "flow": "courses", "data": {"view": "list"}}
    assert from_json(stored) == {**stored, "v": STATE_VERSION}


def test_nothing_stored_is_no_state_and_a_new_state_round_trips() -> None:
    assert from_json(None) is None
    assert from_json(to_json(initial_state())) == initial_state()


@pytest.mark.parametrize("stored", [
    {"v": STATE_VERSION + 1, "seq": 1},  # written by a newer release
    {"v": 1, "seq": "many", "stage": "menu"},  # damaged
    {"v": 1, "seq": 1, "stage": "somewhere"},
])
def test_a_state_no_migration_can_read_is_a_clear_error(stored: dict[str, object]) -> None:
    with pytest.raises(StateError):
        from_json(stored)
