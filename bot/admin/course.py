"""``clc-admin course``: facilitators manage courses, learners and attendance.

Every change goes through ``storage.courses`` (capacity under the course's row lock) and is
written to the course's audit log with who did it, when and why. Seats freed by a change are
offered to the waiting list at once, through the outbox.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.admin import scope
from bot.admin.runner import centre_of, run_with_db
from bot.clock import Clock, system_clock
from bot.features.course_changes import change_capacity
from bot.features.course_feedback import invite_late_attendee
from bot.features.courses import change_status, local_time, move_on_list, remove_from_course
from flows.courses.staff import can_mark
from flows.courses.statuses import CourseStatus
from storage import courses as repo
from storage.db import Database
from storage.models import ChannelIdentity, Contact
from storage.models.courses import Course, CourseSession, Enrolment

HELP = "Courses, their learners, waiting lists and attendance."
app = typer.Typer(no_args_is_help=True, help=HELP)
console = Console()
# The command's verb → the status it gives the course.
STATUS_OF: dict[str, CourseStatus] = {
    "open": "open", "close": "running", "finish": "finished", "cancel": "cancelled",
}
Code = Annotated[str, typer.Argument(help="The course's short code, e.g. computer-1.")]
# None: the only centre there is (storage.centres.resolve_centre), never a silent guess among several.
CentreOpt = Annotated[str | None, typer.Option("--centre", help="Centre slug; needed if several.")]
T = TypeVar("T")


# The CLI's clock; tests put a FakeClock here.
clock: Clock = system_clock


def actor() -> str:
    """Who changed it, for the course audit log (``scope.cli_actor``)."""
    return scope.cli_actor()


def run(work: Callable[[Database], Awaitable[T]]) -> T:
    return run_with_db(work)


async def enrolment_on(session: AsyncSession, course: Course, contact: int) -> int:
    """The contact's enrolment id on the course (any status), or a clear error and exit 1."""
    row_id = await session.scalar(select(Enrolment.id).where(Enrolment.course_id == course.id,
                                                             Enrolment.contact_id == contact))
    if row_id is None:
        console.print(f"[red]contact {contact} is not on {course.code}[/red]")
        raise typer.Exit(1)
    return row_id


async def find(session: AsyncSession, centre: str | None, code: str) -> Course:
    place = await centre_of(session, centre)
    course = await session.scalar(select(Course).where(Course.centre_id == place.id, Course.code == code))
    if course is None:
        console.print(f"[red]no course {code!r} at centre {place.slug!r}[/red]", highlight=False)
        raise typer.Exit(1)
    return course


def _status_command(verb: str) -> None:
    def command(
        code: Code, centre: CentreOpt = None,
        reason: Annotated[str | None, typer.Option(help="Why (kept in the audit log).")] = None,
        force: bool = False,  # an option of `finish` only: see below
    ) -> None:
        async def work(db: Database) -> int | None:
            now = clock()
            async with db.transaction() as s:
                course = await find(s, centre, code)
                try:
                    return await change_status(s, course.id, STATUS_OF[verb], now, actor=actor(),
                                               reason=reason, force=force)
                except repo.CourseError as exc:
                    console.print(f"[red]{exc}[/red]", highlight=False)
                    raise typer.Exit(1) from None
        invited = run(work)
        console.print(f"course [bold]{code}[/bold]: {STATUS_OF[verb]}")
        if isinstance(invited, int):
            console.print(f"satisfaction questionnaire sent to {invited} learner(s) who attended")

    command.__doc__ = {"open": "Open enrolment.", "close": "Close enrolment; the course runs.",
                       "finish": "Mark the course finished (refused before any session, unless --force).",
                       "cancel": "Cancel the course."}[verb]
    # Annotations are strings here (``from __future__``): the real one is set after, per verb.
    command.__annotations__["force"] = Annotated[bool, typer.Option(
        help="Finish even though no session has taken place (it really ended early).",
        hidden=verb != "finish")]
    app.command(verb)(command)


for _verb in STATUS_OF:
    _status_command(_verb)


@app.command()
def learners(code: Code, centre: CentreOpt = None) -> None:
    """Enrolled learners, open offers and the waiting list in order."""
    async def work(db: Database) -> list[tuple[str, int, str, str]]:
        async with db.transaction() as s:
            course = await find(s, centre, code)
            rows = [(str(r.seat_no), r) for r in await repo.seat_holders(s, course.id)]
            rows += [(f"#{pos}", r) for pos, r in await repo.waiting_list(s, course)]
            out: list[tuple[str, int, str, str]] = []
            for place, row in rows:
                contact = await s.get(Contact, row.contact_id)
                address = await s.scalar(
                    select(ChannelIdentity.address).where(ChannelIdentity.contact_id == row.contact_id)
                    .order_by(ChannelIdentity.channel != "sms")  # a phone number first
                )
                who = (contact.name if contact else None) or address or ""
                out.append((place, row.contact_id, row.status, who))
            return out
    table = Table("seat / position", "contact", "status", "name or phone")
    for place, contact_id, status, who in run(work):
        table.add_row(place, str(contact_id), status, who)
    console.print(table)


@app.command()
def remove(
    code: Code,
    contact: Annotated[int, typer.Option(help="Contact id (see `learners`).")],
    reason: Annotated[str, typer.Option(help="Why, e.g. 'did not come twice'.")],
    centre: CentreOpt = None,
) -> None:
    """Take a learner off the course or its list; they are told, and the seat goes to the next person."""
    async def work(db: Database) -> None:
        now = clock()
        async with db.transaction() as s:
            course = await find(s, centre, code)
            row_id = await enrolment_on(s, course, contact)
            try:
                await remove_from_course(s, row_id, now, actor=actor(), reason=reason)
            except repo.CourseError as exc:
                console.print(f"[red]{exc}[/red]")
                raise typer.Exit(1) from None
    run(work)
    console.print(f"contact {contact} removed from [bold]{code}[/bold]")


@app.command()
def move(
    code: Code,
    contact: Annotated[int, typer.Option(help="Contact id (see `learners`).")],
    to: Annotated[int, typer.Option("--to", min=1, help="New position on the waiting list (1 = first).")],
    reason: Annotated[str, typer.Option(help="Why, e.g. 'promised a seat last term'.")],
    centre: CentreOpt = None,
) -> None:
    """Move someone on the waiting list by hand; they are told their new place."""
    if not reason.strip():
        console.print("[red]--reason: say why (it is kept in the audit log)[/red]")
        raise typer.Exit(2)

    async def work(db: Database) -> tuple[int, int]:
        now = clock()
        async with db.transaction() as s:
            course = await find(s, centre, code)
            row_id = await enrolment_on(s, course, contact)
            try:
                return await move_on_list(s, row_id, to, now, actor=actor(), reason=reason)
            except repo.CourseError as exc:
                console.print(f"[red]{exc}[/red]")
                raise typer.Exit(1) from None
    before, after = run(work)
    console.print(f"contact {contact} moved on the waiting list of [bold]{code}[/bold]: {before} → {after}")
    if after != to:
        console.print(f"note: the list has {after} {'person' if after == 1 else 'people'}, so place {to} "
                      f"is its end: {after}", highlight=False)


@app.command()
def attend(
    code: Code,
    session_number: Annotated[int, typer.Option("--session", min=1, help="1 for the first session, …")],
    contact: Annotated[list[int], typer.Option(help="Contact id; repeat for each learner.")],
    absent: Annotated[bool, typer.Option(help="Mark them absent instead.")] = False,
    centre: CentreOpt = None,
) -> None:
    """Mark attendance for one session (from an hour before it starts)."""
    async def work(db: Database) -> None:
        now = clock()
        async with db.transaction() as s:
            course = await find(s, centre, code)
            lessons = (await s.scalars(select(CourseSession).where(CourseSession.course_id == course.id)
                                       .order_by(CourseSession.starts_at))).all()
            if session_number > len(lessons):
                console.print(f"[red]{code} has {len(lessons)} sessions[/red]")
                raise typer.Exit(1)
            lesson = lessons[session_number - 1]
            if not can_mark(lesson.starts_at, now):
                when = await local_time(s, course, lesson.starts_at)
                console.print(f"[red]session {session_number} of {code} is on {when}: it has not taken "
                              "place yet (attendance is marked from an hour before it starts)[/red]",
                              highlight=False)
                raise typer.Exit(1)
            for person in contact:
                row_id = await enrolment_on(s, course, person)
                try:
                    await repo.mark_attendance(s, lesson.id, row_id, not absent, now, actor=actor())
                except repo.CourseError as exc:
                    console.print(f"[red]{exc}[/red]", highlight=False)
                    raise typer.Exit(1) from None
                if not absent:
                    await invite_late_attendee(s, course.id, person, now)
    run(work)
    console.print(f"attendance marked for session {session_number} of [bold]{code}[/bold]")


@app.command()
def capacity(
    code: Code, seats: Annotated[int, typer.Argument(min=0)], centre: CentreOpt = None,
    force: Annotated[bool, typer.Option(help="Lower it below the seat holders: everyone enrolled keeps their "
                                             "seat, open offers beyond the seats are withdrawn.")] = False,
) -> None:
    """Change the number of seats; new seats are offered to the waiting list at once."""
    async def work(db: Database) -> repo.Resized:
        now = clock()
        async with db.transaction() as s:
            course = await find(s, centre, code)
            try:
                return await change_capacity(s, course.id, seats, now, actor=actor(), force=force)
            except repo.CourseError as exc:
                console.print(f"[red]{exc}[/red]", highlight=False)
                raise typer.Exit(1) from None
    resized = run(work)
    console.print(f"[bold]{code}[/bold] now has {seats} seats")
    if len(resized.enrolled) > seats:
        kept = ", ".join(str(row.contact_id) for row in resized.enrolled)
        console.print(f"all {len(resized.enrolled)} enrolled keep their seats (contacts {kept}); no seat is "
                      f"offered until fewer than {seats} remain", highlight=False)
    for row in resized.withdrawn:
        console.print(f"offer to contact {row.contact_id} withdrawn: back on the waiting list, and told",
                      highlight=False)
    if resized.offers:
        console.print(f"{len(resized.offers)} new seat(s) offered to the waiting list")
