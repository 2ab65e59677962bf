"""Disability is its own optional question of the needs survey (it was listed as an occupation);
the courses' "disability" priority group reads the new answer and the answers of earlier versions."""

from __future__ import annotations

from flows.courses.policy import parse_policy, tier

POLICY = parse_policy("priority:disability,women")


def test_the_new_answer_and_the_earlier_occupation_both_put_someone_in_the_group() -> None:
    assert tier(POLICY, {"situation": ["farmer"], "disability": "yes"}) == 0
    assert tier(POLICY, {"situation": ["farmer", "disability"]}) == 0  # answered before the change
    assert tier(POLICY, {"situation": ["farmer"], "disability": "no", "gender": "female"}) == 1
    assert tier(POLICY, {"situation": ["farmer"]}) == 2  # skipped: no group
