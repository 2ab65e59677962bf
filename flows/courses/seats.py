"""Seats and offers: which seat numbers are free, who gets the next offer, when offers expire.

A course has seats numbered 1..capacity. An enrolled learner or an open offer holds one seat
number; the database keeps (course, seat number) unique, so one freed seat can never carry two
open offers. Everything here is arithmetic on what the caller loaded under the course's lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flows.courses.policy import Candidate, Policy, order

DEFAULT_OFFER_HOURS = 48


def free_seats(capacity: int, held: Iterable[int | None]) -> list[int]:
    """The seat numbers to hand out: as many as ``capacity`` minus the seats held, lowest unheld
    numbers first. Counting, not numbering, keeps the course within capacity: after a lowered
    capacity, holders of seats above it keep them, and nothing is offered until enough leave."""
    taken = {seat for seat in held if seat is not None}
    free: list[int] = []
    number = 1
    while len(free) < capacity - len(taken):
        if number not in taken:
            free.append(number)
        number += 1
    return free


@dataclass(frozen=True)
class Offer:
    enrolment_id: int
    seat: int
    deadline: dt.datetime


def offers_to_make(
    policy: Policy,
    capacity: int,
    held: Sequence[int | None],
    waiting: Sequence[Candidate],
    now: dt.datetime,
    offer_hours: int = DEFAULT_OFFER_HOURS,
) -> list[Offer]:
    """One offer per free seat, to the first people on the list in policy order."""
    seats = free_seats(capacity, held)
    deadline = offer_deadline(now, offer_hours)
    return [
        Offer(candidate.id, seat, deadline)
        for seat, candidate in zip(seats, order(policy, waiting), strict=False)
    ]


def offer_deadline(now: dt.datetime, offer_hours: int = DEFAULT_OFFER_HOURS) -> dt.datetime:
    return now + dt.timedelta(hours=offer_hours)


def is_expired(deadline: dt.datetime | None, now: dt.datetime) -> bool:
    """An offer is open until its deadline; from the deadline on it has expired."""
    return deadline is not None and now >= deadline


def seat_for_newcomer(capacity: int, held: Sequence[int | None], waiting_count: int) -> int | None:
    """A newcomer takes a free seat only when nobody is waiting for one (else they queue)."""
    if waiting_count:
        return None
    seats = free_seats(capacity, held)
    return seats[0] if seats else None
