"""The courses feature's side: what the flows see, what their effects do, offers and expiry.

Appliers run in the step's transaction under the course's row lock (``storage.courses``).
When what the villager was about to be told no longer holds (the last seat went a moment
earlier), they raise :class:`StaleFacts` and the dispatcher runs the pure step again on fresh
facts, so the answer is always the truth. A freed seat is offered to the next person in policy
order; the offer goes out through the outbox, and once it is delivered an idle conversation is
put into the offer's view so that a typed "1" or "иә" answers it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.effects import EffectContext
from bot.features.course_feedback import send_feedback
from bot.outbox import Awaits, enqueue
from bot.scheduler import JobContext
from flows.courses import facts as view
from flows.courses.mine import (
    cancelled_reply,
    expired_reply,
    moved_reply,
    offer_context,
    offer_data,
    offer_reply,
    removed_reply,
)
from flows.courses.policy import parse_policy, position_if_joined
from flows.courses.staff import NEXT_STATUSES, has_begun
from flows.courses.statuses import ACTIVE_STATUSES
from flows.errors import StaleFacts
from flows.events import Localized, Reply
from flows.reminders import offer_extended_note
from flows.timezones import DEFAULT_TIMEZONE
from storage import courses as repo
from storage import waiting_moves
from storage.courses.seats import offer_extended
from storage.models import Centre, Contact
from storage.models.courses import Course, CourseSession, Enrolment

ACTIVE = ACTIVE_STATUSES
Release = Callable[..., Awaitable[tuple[Enrolment, list[Enrolment]]]]


def _session_info(row: CourseSession) -> view.SessionInfo:
    return view.SessionInfo(row.starts_at, row.minutes, Localized(row.place_kk, row.place_ru))


def _title(course: Course) -> Localized:
    return Localized(course.title_kk, course.title_ru)


async def _sessions(session: AsyncSession, course_ids: Sequence[int]) -> dict[int, list[CourseSession]]:
    found: dict[int, list[CourseSession]] = {cid: [] for cid in course_ids}
    if course_ids:
        rows = await session.scalars(
            select(CourseSession).where(CourseSession.course_id.in_(list(course_ids)))
            .order_by(CourseSession.starts_at)
        )
        for row in rows:
            found[row.course_id].append(row)
    return found


async def load_course_facts(session: AsyncSession, contact: Contact, now: dt.datetime) -> dict[str, Any]:
    mine = (await session.scalars(
        select(Enrolment).where(Enrolment.contact_id == contact.id, Enrolment.status.in_(ACTIVE))
    )).all()
    courses = []
    if contact.centre_id is not None:
        courses = [c for c in (await session.scalars(
            select(Course).where(Course.centre_id == contact.centre_id, Course.status == "open")
            .order_by(Course.id)
        )).all() if repo.enrolment_open(c, now)]
    known = {c.id: c for c in courses}
    for course_id in {e.course_id for e in mine} - set(known):
        course = await session.get(Course, course_id)
        if course is not None:
            known[course_id] = course
    sessions = await _sessions(session, list(known))
    counts = await repo.counts(session, list(known))
    my_profile = (await repo.load_profiles(session, [contact.id])).get(contact.id, {})
    open_views = []
    for course in courses:
        number = counts[course.id]
        waiting_rows = [row for _, row in await repo.waiting_list(session, course)]
        waiting = await repo.candidates(session, waiting_rows)
        open_views.append(view.CourseInfo(
            id=course.id, title=_title(course),
            description=Localized(course.description_kk, course.description_ru), capacity=course.capacity,
            seats_left=max(0, course.capacity - number["enrolled"] - number["offered"]) if not waiting else 0,
            waiting=number["waiting"], sessions=tuple(_session_info(s) for s in sessions[course.id]),
            policy=course.policy, enrol_closes_at=course.enrol_closes_at,
            position_if_joined=position_if_joined(parse_policy(course.policy), waiting, my_profile),
        ))
    my_views = []
    for row in mine:
        course = known[row.course_id]
        if course.status == "cancelled":
            continue  # they were told when it was cancelled; nothing is left to do about it
        position = None
        if row.status == "waiting":
            position = (await repo.waiting_positions(session, course)).get(row.id)
        first = sessions[course.id][0] if sessions[course.id] else None
        my_views.append(view.EnrolmentInfo(
            id=row.id, course_id=course.id, title=_title(course), status=row.status, position=position,
            offer_deadline=row.offer_deadline, first_session=_session_info(first) if first else None,
        ))
    return {view.OPEN_KEY: tuple(open_views), view.MINE_KEY: tuple(my_views)}


def _actor(ctx: EffectContext) -> str:
    return f"contact:{ctx.contact.id}"


async def enrol(ctx: EffectContext, effect: view.Enrol) -> None:
    try:
        outcome, offers = await repo.enrol(
            ctx.session, effect.course_id, ctx.contact.id, ctx.now, actor=_actor(ctx)
        )
    except repo.CourseError:
        raise StaleFacts("course closed meanwhile") from None
    if outcome.status != effect.expected_status or (
        outcome.status == "waiting" and outcome.position != effect.expected_position
    ):
        raise StaleFacts("the seats changed meanwhile")
    await offer_seats(ctx.session, offers, ctx.now)


async def leave(ctx: EffectContext, effect: view.LeaveCourse) -> None:
    await _release(ctx, effect.enrolment_id, repo.leave, "already left")


async def accept(ctx: EffectContext, effect: view.AcceptOffer) -> None:
    await _own(ctx, effect.enrolment_id)
    try:
        await repo.accept_offer(ctx.session, effect.enrolment_id, ctx.now, actor=_actor(ctx))
    except repo.CourseError:
        raise StaleFacts("the offer is no longer open") from None


async def decline(ctx: EffectContext, effect: view.DeclineOffer) -> None:
    await _release(ctx, effect.enrolment_id, repo.decline_offer, "the offer is no longer open")


async def _release(ctx: EffectContext, enrolment_id: int, release: Release, why: str) -> None:
    """Give up a seat or a place, and offer what freed up to the next person."""
    await _own(ctx, enrolment_id)
    try:
        _, offers = await release(ctx.session, enrolment_id, ctx.now, actor=_actor(ctx))
    except repo.CourseError:
        raise StaleFacts(why) from None
    await offer_seats(ctx.session, offers, ctx.now)


async def _own(ctx: EffectContext, enrolment_id: int) -> None:
    owner = await ctx.session.scalar(select(Enrolment.contact_id).where(Enrolment.id == enrolment_id))
    if owner != ctx.contact.id:
        raise StaleFacts("not this contact's enrolment")


async def offer_seats(session: AsyncSession, offers: Sequence[Enrolment], now: dt.datetime) -> None:
    """Queue each offer; once delivered, an idle conversation can answer it by a typed number."""
    for row in offers:
        course = await session.get(Course, row.course_id)
        assert course is not None
        info = view.EnrolmentInfo(id=row.id, course_id=course.id, title=_title(course), status="offered",
                                  offer_deadline=row.offer_deadline)
        reply = offer_reply(info)
        if offer_extended(row, course):
            reply = replace(reply, body=(*reply.body, offer_extended_note()))
        await enqueue(session, contact_id=row.contact_id, replies=[reply], kind="offer", now=now,
                      awaits=Awaits("my", offer_data(row.id), offer_context(row.id)))


async def offer_still_open(session: AsyncSession, payload: Mapping[str, Any], now: dt.datetime) -> bool:
    """An offer queued but not yet sent (no process reached the person in time, say) is dropped
    once it was accepted, declined, expired or its course cancelled."""
    enrolment_id = payload.get("awaits", {}).get("data", {}).get("enrolment")
    row = await session.get(Enrolment, enrolment_id) if enrolment_id is not None else None
    if row is None or row.status != "offered":
        return False
    if row.offer_deadline is not None and now >= row.offer_deadline:
        return False
    course = await session.get(Course, row.course_id)
    return course is not None and course.status in ("open", "running")


async def move_on_list(
    session: AsyncSession, enrolment_id: int, position: int, now: dt.datetime, *, actor: str, reason: str
) -> tuple[int, int]:
    """A facilitator's move; the person moved is told their new place (others see it in "My")."""
    before, after = await waiting_moves.move(session, enrolment_id, position, now, actor=actor, reason=reason)
    if before != after:
        row = await session.get(Enrolment, enrolment_id)
        assert row is not None
        course = await session.get(Course, row.course_id)
        assert course is not None
        await enqueue(session, contact_id=row.contact_id, replies=[moved_reply(_title(course), after)],
                      kind="moved", now=now)
    return before, after


async def remove_from_course(
    session: AsyncSession, enrolment_id: int, now: dt.datetime, *, actor: str, reason: str
) -> None:
    """A facilitator takes someone off; they are told, and their seat or place moves on."""
    row, offers = await repo.remove(session, enrolment_id, now, actor=actor, reason=reason)
    await offer_seats(session, offers, now)
    await _tell(session, row, removed_reply, "removed", now)


async def _tell(
    session: AsyncSession, row: Enrolment, reply: Callable[[Localized], Reply], kind: str, now: dt.datetime
) -> None:
    course = await session.get(Course, row.course_id)
    assert course is not None
    await enqueue(session, contact_id=row.contact_id, replies=[reply(_title(course))], kind=kind, now=now)


async def change_status(
    session: AsyncSession, course_id: int, status: str, now: dt.datetime, *, actor: str,
    reason: str | None = None, force: bool = False,
) -> int | None:
    """Open, close, finish or cancel a course, with what follows from it.

    Seats freed up are offered; a finished course invites its attendees to the satisfaction
    questionnaire (returns how many); a cancelled one tells everyone enrolled, offered or waiting.
    Finishing a course none of whose sessions has started is refused unless ``force``.
    """
    course = await repo.lock_course(session, course_id)
    if status not in NEXT_STATUSES.get(course.status, ()):
        raise repo.CourseError(f"course {course.code} is {course.status}; it cannot become {status}")
    if status == "finished" and not force:
        starts = list(await session.scalars(select(CourseSession.starts_at)
                                            .where(CourseSession.course_id == course.id)))
        if not has_begun(starts, now):
            first = f" (the first is on {await local_time(session, course, min(starts))})" if starts else ""
            raise repo.CourseError(
                f"no session of {course.code} has taken place yet{first}; cancel it if it will not run, "
                "or finish it with --force if it really ended early")
    offers = await repo.set_status(session, course_id, status, now, actor=actor, reason=reason)
    await offer_seats(session, offers, now)
    if status == "cancelled":
        for row in await repo.enrolments_with(session, course_id, ACTIVE):
            await _tell(session, row, cancelled_reply, "cancelled", now)
    return await send_feedback(session, course_id, now) if status == "finished" else None


async def local_time(session: AsyncSession, course: Course, when: dt.datetime) -> str:
    """``2026-12-12 15:00 Asia/Almaty``: a time in the course's centre's zone, for the CLI's messages."""
    centre = await session.get(Centre, course.centre_id)
    zone = centre.timezone if centre is not None else DEFAULT_TIMEZONE
    return f"{when.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}"


async def expire_due_offers(session: AsyncSession, now: dt.datetime) -> int:
    expired = 0
    for enrolment_id in await repo.due_offers(session, now):
        result = await repo.expire_offer(session, enrolment_id, now)
        if result is not None:
            expired += 1
            await offer_seats(session, result[1], now)
            course = await session.get(Course, result[0].course_id)
            if course is not None and course.status in ("open", "running"):
                # A cancelled course told them so already; on a finished one "enrol again"
                # would be wrong.
                await _tell(session, result[0], expired_reply, "expired", now)
    return expired


async def expire_offers_job(ctx: JobContext) -> int:
    """The database holds each deadline; this tick only looks for those that have passed."""
    async with ctx.db.transaction() as session:
        return await expire_due_offers(session, ctx.clock())
