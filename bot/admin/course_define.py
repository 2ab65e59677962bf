"""``clc-admin course add`` and ``course edit``: a course from flags or from a YAML file.

Flags and files are checked by the same rules (``flows.courses.definition``), and an edit
changes only what differs (see ``bot.admin.course_file``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.admin import course
from bot.admin.course import CentreOpt, actor, console, find, run
from bot.admin.course_file import apply_definition, create_course, definition_of, known_tags, read_definition
from bot.admin.course_views import views_app
from bot.admin.runner import centre_of
from bot.features.course_changes import schedule_of, tell_schedule_change
from bot.features.courses import offer_seats
from flows.courses.definition import CourseDefinition, course_from_fields
from flows.errors import CourseFileError
from flows.timezones import DEFAULT_TIMEZONE
from storage import courses as repo
from storage.db import Database
from storage.models import Centre
from storage.models.courses import Course

# add and edit, kept apart from the other course commands; ``course_app`` joins them.
define_app = typer.Typer()


def course_app() -> typer.Typer:
    """``clc-admin course``: every course command, built anew for each CLI."""
    joined = typer.Typer(no_args_is_help=True, help=course.HELP)
    joined.add_typer(course.app)
    joined.add_typer(define_app)
    joined.add_typer(views_app)
    return joined

FileOpt = Annotated[Path | None, typer.Option("--file", help="A course YAML file (see README, Courses).")]
Text = Annotated[str | None, typer.Option()]
LocalTime = Annotated[str | None, typer.Option(help="'YYYY-MM-DD HH:MM', the centre's local time.")]
SessionOpt = Annotated[
    list[str] | None,
    typer.Option("--session", help="'YYYY-MM-DD HH:MM;minutes;place kk;place ru', local time"),
]


def parse_session(raw: str) -> dict[str, Any]:
    """``2026-12-01 10:00;90;Мектеп;Школа`` as a definition's session (local time)."""
    try:
        when, minutes, place_kk, place_ru = (part.strip() for part in raw.split(";"))
        dt.datetime.strptime(when, "%Y-%m-%d %H:%M")
        return {"start": when, "minutes": int(minutes), "place": {"kk": place_kk, "ru": place_ru}}
    except ValueError:
        console.print(f"[red]--session {raw!r}: expected 'YYYY-MM-DD HH:MM;minutes;place kk;place ru'[/red]")
        raise typer.Exit(2) from None


def _fail(exc: Exception, code: int = 2) -> typer.Exit:
    console.print(f"[red]{exc}[/red]", highlight=False)
    return typer.Exit(code)


def _given(**fields: Any) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


def _bilingual(current: Any, kk: str | None, ru: str | None) -> Any:
    if kk is None and ru is None:
        return current
    base = dict(current or {})
    return {**base, **_given(kk=kk, ru=ru)}


@define_app.command()
def add(
    code: Annotated[str | None, typer.Argument(help="Short code, e.g. computer-2 (or in the file).")] = None,
    file: FileOpt = None,
    title_kk: Text = None, title_ru: Text = None, description_kk: Text = None, description_ru: Text = None,
    capacity: Annotated[int | None, typer.Option(help="Seats.")] = None,
    centre: CentreOpt = None,
    tag: Annotated[list[str] | None, typer.Option(help="Interest id (computer, sewing, …).")] = None,
    session: SessionOpt = None,
    policy: Annotated[str, typer.Option(help="fcfs or priority:unemployed,women,…")] = "fcfs",
    offer_hours: Annotated[int, typer.Option(help="Hours to answer a seat offer.")] = 48,
    enrol_opens: LocalTime = None, enrol_closes: LocalTime = None,
) -> None:
    """Add a course as a draft, from flags or a YAML file (open it with `course open CODE`)."""
    try:
        if file is not None:
            definition = read_definition(file)
            if code is not None and code != definition.code:
                raise CourseFileError(f"{file}: the file's code is {definition.code!r}, not {code!r}")
        else:
            data = _given(code=code, title=_bilingual(None, title_kk, title_ru), capacity=capacity,
                          description=_bilingual(None, description_kk, description_ru),
                          enrol_opens=enrol_opens, enrol_closes=enrol_closes)
            data |= {"tags": tag or [], "policy": policy, "offer_hours": offer_hours,
                     "sessions": [parse_session(raw) for raw in session or []]}
            definition = course_from_fields(data, "flags", known_tags())
    except CourseFileError as exc:
        raise _fail(exc) from None

    async def work(db: Database) -> None:
        async with db.transaction() as s:
            place = await centre_of(s, centre)
            try:
                await create_course(s, place, definition, course.clock(), actor=actor())
            except repo.CourseError as exc:
                raise _fail(exc, 1) from None
    run(work)
    console.print(f"course [bold]{definition.code}[/bold] added as a draft")


@define_app.command()
def edit(
    code: Annotated[str, typer.Argument(help="The course's short code.")],
    file: FileOpt = None,
    title_kk: Text = None, title_ru: Text = None, description_kk: Text = None, description_ru: Text = None,
    capacity: Annotated[int | None, typer.Option(help="Seats; new seats are offered at once.")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Interest ids; replaces the course's tags.")] = None,
    policy: Text = None,
    offer_hours: Annotated[int | None, typer.Option()] = None,
    enrol_opens: LocalTime = None, enrol_closes: LocalTime = None,
    centre: CentreOpt = None,
) -> None:
    """Change a course: some fields by flags, or all of it from its YAML file."""
    async def work(db: Database) -> tuple[list[str], int]:
        now = course.clock()
        async with db.transaction() as s:
            found = await find(s, centre, code)
            place = await s.get(Centre, found.centre_id)
            zone = ZoneInfo(place.timezone if place else DEFAULT_TIMEZONE)
            before = await schedule_of(s, found.id)
            try:
                definition = await _edited(s, found, zone, file)
                changed, offers = await apply_definition(s, found.id, definition, zone, now, actor=actor())
            except (CourseFileError, repo.CourseError) as exc:
                raise _fail(exc) from None
            await offer_seats(s, offers, now)
            return changed, await tell_schedule_change(s, found.id, before, now)

    async def _edited(s: AsyncSession, course: Course, zone: ZoneInfo, path: Path | None) -> CourseDefinition:
        if path is not None:
            definition = read_definition(path)
            if definition.code != code:
                raise CourseFileError(f"{path}: the file's code is {definition.code!r}, not {code!r}")
            return definition
        data = await definition_of(s, course, zone)
        data["title"] = _bilingual(data["title"], title_kk, title_ru)
        data["description"] = _bilingual(data["description"], description_kk, description_ru)
        data |= _given(capacity=capacity, tags=tag, policy=policy, offer_hours=offer_hours,
                       enrol_opens=enrol_opens, enrol_closes=enrol_closes)
        return course_from_fields(data, "flags", known_tags())

    changed, told = run(work)
    if changed:
        console.print(f"[bold]{code}[/bold] changed: {', '.join(changed)}")
        if told:
            console.print(f"{told} learner(s) holding a seat or an offer told about the new schedule")
    else:
        console.print(f"[bold]{code}[/bold]: nothing to change")
