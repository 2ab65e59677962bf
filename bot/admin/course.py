"""``clc-admin course``: facilitators manage courses, learners and attendance.

Every change goes through ``storage.courses`` (capacity under the course's row lock) and is
written to the course's audit log with who did it, when and why. Seats freed by a change are
offered to the waiting list at once, through the outbox.
"""

from __future__ import annotations

import getpass
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import system_clock
from bot.features.course_feedback import invite_late_attendee
from bot.features.courses import change_status, move_on_list, offer_seats, remove_from_course
from flows.courses.statuses import CourseStatus
from flows.timezones import DEFAULT_TIMEZONE
from storage import courses as repo
from storage.db import Database
from storage.models import Centre, ChannelIdentity, Contact
from storage.models.courses import Course, CourseAudit, CourseSession, Enrolment

HELP = "Courses, their learners, waiting lists and attendance."
app = typer.Typer(no_args_is_help=True, help=HELP)
console = Console()
# The command's verb → the status it gives the course.
STATUS_OF: dict[str, CourseStatus] = {
    "open": "open", "close": "running", "finish": "finished", "cancel": "cancelled",
}
Code = Annotated[str, typer.Argument(help="The course's short code, e.g. computer-1.")]
CentreOpt = Annotated[str, typer.Option("--centre", help="Centre slug.")]
T = TypeVar("T")


def actor() -> str:
    return f"cli:{getpass.getuser()}"


def run(work: Callable[[Database], Awaitable[T]]) -> T:
    from bot.admin.runner import run_with_db

    return run_with_db(work)


async def enrolment_on(session: AsyncSession, course: Course, contact: int) -> int:
    """The contact's enrolment id on the course (any status), or a clear error and exit 1."""
    row_id = await session.scalar(select(Enrolment.id).where(Enrolment.course_id == course.id,
                                                             Enrolment.contact_id == contact))
    if row_id is None:
        console.print(f"[red]contact {contact} is not on {course.code}[/red]")
        raise typer.Exit(1)
    return row_id


async def find(session: AsyncSession, centre: str, code: str) -> Course:
    course = await session.scalar(
        select(Course).join(Centre, Centre.id == Course.centre_id)
        .where(Centre.slug == centre, Course.code == code)
    )
    if course is None:
        console.print(f"[red]no course {code!r} at centre {centre!r}[/red]")
        raise typer.Exit(1)
    return course


def _status_command(verb: str) -> None:
    def command(
        code: Code, centre: CentreOpt = "demo",
        reason: Annotated[str | None, typer.Option(help="Why (kept in the audit log).")] = None,
    ) -> None:
        async def work(db: Database) -> int | None:
            now = system_clock()
            async with db.transaction() as s:
                course = await find(s, centre, code)
                try:
                    return await change_status(s, course.id, STATUS_OF[verb], now, actor=actor(),
                                               reason=reason)
                except repo.CourseError as exc:
                    console.print(f"[red]{exc}[/red]")
                    raise typer.Exit(1) from None
        invited = run(work)
        console.print(f"course [bold]{code}[/bold]: {STATUS_OF[verb]}")
        if isinstance(invited, int):
            console.print(f"satisfaction questionnaire sent to {invited} learner(s) who attended")

    command.__doc__ = {"open": "Open enrolment.", "close": "Close enrolment; the course runs.",
                       "finish": "Mark the course finished.", "cancel": "Cancel the course."}[verb]
    app.command(verb)(command)


for _verb in STATUS_OF:
    _status_command(_verb)


@app.command("list")
def list_courses(centre: CentreOpt = "demo") -> None:
    """Courses of a centre with seats taken and waiting-list length."""
    async def work(db: Database) -> list[tuple[Course, dict[str, int]]]:
        async with db.transaction() as s:
            rows = (await s.scalars(select(Course).join(Centre, Centre.id == Course.centre_id)
                                    .where(Centre.slug == centre).order_by(Course.code))).all()
            counts = await repo.counts(s, [c.id for c in rows])
            return [(c, counts[c.id]) for c in rows]
    table = Table("code", "title", "status", "seats", "enrolled", "offered", "waiting", "policy")
    for course, n in run(work):
        table.add_row(course.code, course.title_ru, course.status, str(course.capacity), str(n["enrolled"]),
                      str(n["offered"]), str(n["waiting"]), course.policy)
    console.print(table)


@app.command()
def learners(code: Code, centre: CentreOpt = "demo") -> None:
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
    centre: CentreOpt = "demo",
) -> None:
    """Take a learner off the course or its list; they are told, and the seat goes to the next person."""
    async def work(db: Database) -> None:
        now = system_clock()
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
    centre: CentreOpt = "demo",
) -> None:
    """Move someone on the waiting list by hand; they are told their new place."""
    if not reason.strip():
        console.print("[red]--reason: say why (it is kept in the audit log)[/red]")
        raise typer.Exit(2)

    async def work(db: Database) -> tuple[int, int]:
        now = system_clock()
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


@app.command()
def attend(
    code: Code,
    session_number: Annotated[int, typer.Option("--session", min=1, help="1 for the first session, …")],
    contact: Annotated[list[int], typer.Option(help="Contact id; repeat for each learner.")],
    absent: Annotated[bool, typer.Option(help="Mark them absent instead.")] = False,
    centre: CentreOpt = "demo",
) -> None:
    """Mark attendance for one session."""
    async def work(db: Database) -> None:
        now = system_clock()
        async with db.transaction() as s:
            course = await find(s, centre, code)
            lessons = (await s.scalars(select(CourseSession).where(CourseSession.course_id == course.id)
                                       .order_by(CourseSession.starts_at))).all()
            if session_number > len(lessons):
                console.print(f"[red]{code} has {len(lessons)} sessions[/red]")
                raise typer.Exit(1)
            for person in contact:
                row_id = await enrolment_on(s, course, person)
                lesson_id = lessons[session_number - 1].id
                await repo.mark_attendance(s, lesson_id, row_id, not absent, now, actor=actor())
                if not absent:
                    await invite_late_attendee(s, course.id, person, now)
    run(work)
    console.print(f"attendance marked for session {session_number} of [bold]{code}[/bold]")


@app.command()
def capacity(code: Code, seats: Annotated[int, typer.Argument(min=0)], centre: CentreOpt = "demo") -> None:
    """Change the number of seats; new seats are offered to the waiting list at once."""
    async def work(db: Database) -> None:
        now = system_clock()
        async with db.transaction() as s:
            course = await find(s, centre, code)
            await offer_seats(s, await repo.set_capacity(s, course.id, seats, now, actor=actor()), now)
    run(work)
    console.print(f"[bold]{code}[/bold] now has {seats} seats")


@app.command()
def history(code: Code, centre: CentreOpt = "demo", last: Annotated[int, typer.Option(min=1)] = 50) -> None:
    """The course's audit log, newest first: who did what, when and why."""
    async def work(db: Database) -> tuple[str, list[CourseAudit]]:
        async with db.transaction() as s:
            course = await find(s, centre, code)
            place = await s.get(Centre, course.centre_id)
            rows = (await s.scalars(select(CourseAudit).where(CourseAudit.course_id == course.id)
                                    .order_by(CourseAudit.id.desc()).limit(last))).all()
            return (place.timezone if place else DEFAULT_TIMEZONE), list(rows)
    zone, rows = run(work)
    table = Table("when (local)", "who", "what", "contact", "why", "details")
    for row in rows:
        when = row.at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
        details = ", ".join(f"{key}={value}" for key, value in (row.details or {}).items())
        table.add_row(when, row.actor, row.action, str(row.contact_id or ""), row.reason or "", details)
    console.print(table)

