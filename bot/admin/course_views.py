"""``clc-admin course list`` and ``course history``: what a centre's courses look like, and what happened.

Both are read-only. Codes are never cut (every other command takes them); times are the
centre's local time, its zone named.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table
from sqlalchemy import select

from bot.admin.course import CentreOpt, Code, console, find, run
from bot.admin.runner import centre_of
from flows.timezones import DEFAULT_TIMEZONE
from storage import courses as repo
from storage.db import Database
from storage.models import Centre
from storage.models.courses import Course, CourseAudit

# joined into ``clc-admin course`` by ``bot.admin.course_define.course_app``
views_app = typer.Typer()


@views_app.command("list")
def list_courses(centre: CentreOpt = None) -> None:
    """Courses of a centre with seats taken and waiting-list length."""
    async def work(db: Database) -> tuple[str, list[tuple[Course, dict[str, int]]]]:
        async with db.transaction() as s:
            place = await centre_of(s, centre)
            rows = (await s.scalars(select(Course).where(Course.centre_id == place.id)
                                    .order_by(Course.code))).all()
            counts = await repo.counts(s, [c.id for c in rows])
            return place.slug, [(c, counts[c.id]) for c in rows]
    slug, courses = run(work)
    if not courses:
        console.print(f"centre {slug!r} has no courses yet; add one with `clc-admin course add`",
                      highlight=False)
        return
    # Codes are what every other command takes: never cut or wrapped, whatever the width (a
    # pipe is 80 columns); the title wraps instead.
    table = Table(show_lines=False)
    table.add_column("code", no_wrap=True, min_width=max(len(c.code) for c, _ in courses))
    table.add_column("title", overflow="fold", ratio=1)
    for name in ("status", "seats", "enrolled", "offered", "waiting"):
        table.add_column(name, no_wrap=True)
    table.add_column("policy", overflow="fold")
    for course, n in courses:
        table.add_row(course.code, course.title_ru, course.status, str(course.capacity), str(n["enrolled"]),
                      str(n["offered"]), str(n["waiting"]), course.policy)
    console.print(table)


def _local_details(details: dict[str, Any], zone: ZoneInfo) -> str:
    """The audit details, with any stored time (UTC) shown in the centre's zone like the rest."""
    shown = []
    for key, value in details.items():
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value).astimezone(zone).strftime("%Y-%m-%d %H:%M")
            except ValueError:
                pass
        shown.append(f"{key}={value}")
    return ", ".join(shown)


@views_app.command()
def history(code: Code, centre: CentreOpt = None, last: Annotated[int, typer.Option(min=1)] = 50) -> None:
    """The course's audit log, newest first: who did what, when and why (the centre's local time)."""
    async def work(db: Database) -> tuple[str, list[CourseAudit]]:
        async with db.transaction() as s:
            course = await find(s, centre, code)
            place = await s.get(Centre, course.centre_id)
            rows = (await s.scalars(select(CourseAudit).where(CourseAudit.course_id == course.id)
                                    .order_by(CourseAudit.id.desc()).limit(last))).all()
            return (place.timezone if place else DEFAULT_TIMEZONE), list(rows)
    zone, rows = run(work)
    local = ZoneInfo(zone)
    console.print(f"times are local to the centre ({zone})", highlight=False)
    table = Table(f"when ({zone})", "who", "what", "contact", "why", "details")
    for row in rows:
        when = row.at.astimezone(local).strftime("%Y-%m-%d %H:%M")
        table.add_row(when, row.actor, row.action, str(row.contact_id or ""), row.reason or "",
                      _local_details(row.details or {}, local))
    console.print(table)
