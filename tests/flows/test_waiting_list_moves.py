"""Moving someone on a waiting list by hand: exactly the asked place, everyone else keeps order."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from flows.courses.policy import (
    Candidate,
    Policy,
    order,
    parse_policy,
    placement_at,
    position_if_joined,
    positions,
)

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PRIORITY = parse_policy("priority:unemployed,women")
PROFILES = ({}, {"situation": "unemployed"}, {"gender": "female"})


def moved(policy: Policy, waiting: list[Candidate], who: int, position: int) -> list[Candidate]:
    placed = placement_at(policy, waiting, who, position)
    return [Candidate(c.id, c.joined_at, c.profile, placed) if c.id == who else c for c in waiting]


def test_moving_to_the_top_of_a_priority_list_jumps_the_groups() -> None:
    waiting = [
        Candidate(1, T0, PROFILES[1]),  # unemployed: first tier
        Candidate(2, T0, PROFILES[2]),  # a woman: second tier
        Candidate(3, T0 + dt.timedelta(minutes=1), PROFILES[0]),
    ]
    assert positions(PRIORITY, waiting) == {1: 1, 2: 2, 3: 3}
    after = moved(PRIORITY, waiting, 3, 1)
    assert positions(PRIORITY, after) == {3: 1, 1: 2, 2: 3}
    # A newcomer of the first tier still queues behind the person placed first.
    assert position_if_joined(PRIORITY, after, PROFILES[1]) == 3


def test_a_moved_person_stays_put_when_others_join_and_leave() -> None:
    waiting = [Candidate(i, T0 + dt.timedelta(minutes=i)) for i in range(1, 5)]
    after = moved(Policy(), waiting, 4, 2)
    assert [c.id for c in order(Policy(), after)] == [1, 4, 2, 3]
    after = [c for c in after if c.id != 1] + [Candidate(9, T0 + dt.timedelta(hours=1))]
    assert [c.id for c in order(Policy(), after)] == [4, 2, 3, 9]


people = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 2)),  # minutes after T0 (collisions wanted), profile
    min_size=1, max_size=12,
)


@given(people, st.data())
def test_any_sequence_of_moves_puts_each_person_exactly_where_asked(
    spec: list[tuple[int, int]], data: st.DataObject
) -> None:
    waiting = [Candidate(i + 1, T0 + dt.timedelta(minutes=m), PROFILES[p]) for i, (m, p) in enumerate(spec)]
    for _ in range(data.draw(st.integers(1, 6))):
        who = data.draw(st.sampled_from([c.id for c in waiting]))
        target = data.draw(st.integers(-2, len(waiting) + 3))
        others_before = [c.id for c in order(PRIORITY, waiting) if c.id != who]
        waiting = moved(PRIORITY, waiting, who, target)
        ranked = positions(PRIORITY, waiting)
        assert ranked[who] == max(1, min(target, len(waiting)))
        assert [c.id for c in order(PRIORITY, waiting) if c.id != who] == others_before
        assert sorted(ranked.values()) == list(range(1, len(waiting) + 1))
