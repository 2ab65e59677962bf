"""``clc-admin broadcast``: announcements to a centre's villagers (issue 16).

``create`` stores one (texts, audience, an optional local send time) and prints its id;
``preview`` says who it would reach (by channel and language), the SMS as sent with its segments,
and who is skipped and why; ``send`` queues it now; ``status`` shows its delivery report, live
while it goes out; ``cancel`` stops what is not yet sent; ``list`` the latest ones.

With ``clc-admin --as`` a facilitator creates broadcasts only at their centres and sees only
theirs (another centre's is "no broadcast N"); every change is in the audit log, naming the
shell user and the facilitator (``scope.cli_actor``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console, Group
from rich.live import Live
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.admin import scope
from bot.admin.outbox import reason as short_reason
from bot.admin.runner import centre_of, run_with_db, settings_or_exit
from bot.clock import Clock, system_clock
from bot.features import broadcasting
from bot.i18n import Catalogs
from flows.audience import Audience, CourseGroup
from flows.events import Localized
from storage import broadcasts as repo
from storage.centres import centre_zone
from storage.db import Database
from storage.models import Centre
from storage.models.broadcasts import Broadcast
from storage.models.courses import Course

app = typer.Typer(no_args_is_help=True, help="Announcements to a centre's villagers.")
console = Console()
clock: Clock = system_clock  # tests put a FakeClock here
REFRESH_SECONDS = 1.0
Id = Annotated[int, typer.Argument(metavar="ID", help="The broadcast's id (broadcast list).")]


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]{escape(message)}[/red]", highlight=False, soft_wrap=True)
    return typer.Exit(1)


def _read(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read {path}: {exc}") from None


def _texts(text: str | None, kk: str | None, ru: str | None, *, announces: bool) -> Localized | None:
    """The texts given; None for a course announcement given none (its default text)."""
    if announces and text is None and kk is None and ru is None:
        return None
    kk, ru = kk or text, ru or text
    if kk is None or ru is None:
        raise _fail("give the text in Kazakh and in Russian (--text-kk and --text-ru, or the files), "
                    "or one --text for everyone")
    return Localized(kk, ru)


def _local_time(value: str, centre: Centre) -> dt.datetime:
    try:
        naive = dt.datetime.strptime(value.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise _fail(f"--at {value!r}: give the centre's local time as 'YYYY-MM-DD HH:MM'") from None
    return naive.replace(tzinfo=centre_zone(centre)).astimezone(dt.UTC)


async def _course(session: AsyncSession, centre: Centre, code: str) -> int:
    found = await session.scalar(select(Course.id).where(Course.centre_id == centre.id, Course.code == code))
    if found is None:
        raise _fail(f"no course {code!r} at centre {centre.slug!r}")
    return found


def _local(when: dt.datetime | None, zone: ZoneInfo) -> str:
    return "-" if when is None else f"{when.astimezone(zone):%Y-%m-%d %H:%M}"


@app.command()
def create(
    centre: Annotated[str | None, typer.Option("--centre", metavar="SLUG", help="The centre.")] = None,
    text: Annotated[str | None, typer.Option(help="One text for everyone.")] = None,
    text_kk: Annotated[str | None, typer.Option("--text-kk", help="The Kazakh text.")] = None,
    text_ru: Annotated[str | None, typer.Option("--text-ru", help="The Russian text.")] = None,
    text_file_kk: Annotated[Path | None, typer.Option("--text-file-kk", help="Kazakh text file.")] = None,
    text_file_ru: Annotated[Path | None, typer.Option("--text-file-ru", help="Russian text file.")] = None,
    language: Annotated[str | None, typer.Option(help="Only people who speak kk or ru.")] = None,
    channel: Annotated[str | None, typer.Option(help="Only people on telegram or sms.")] = None,
    survey: Annotated[str | None, typer.Option(
        metavar="CONDITION", help="Over needs-survey answers, e.g. \"interests contains 'sewing'\".")] = None,
    course: Annotated[str | None, typer.Option(metavar="CODE", help="A course's people.")] = None,
    course_group: Annotated[str | None, typer.Option(
        "--course-group", help="seated, offered, waiting or attended.")] = None,
    for_course: Annotated[str | None, typer.Option(
        "--for-course", metavar="CODE", help="Who asked for its tags (survey) and is not on it; "
        "with an Enrol choice, and without a text the course's dates and how to enrol.")] = None,
    at: Annotated[str | None, typer.Option(metavar="'YYYY-MM-DD HH:MM'", help="Send then (local).")] = None,
) -> None:
    """Store a broadcast (sent by `send`, or at --at by the bot); prints its id."""
    if channel is not None and channel not in ("telegram", "sms"):
        raise _fail(f"--channel {channel!r}: give telegram or sms")
    given = _texts(text, text_kk or _read(text_file_kk), text_ru or _read(text_file_ru),
                   announces=for_course is not None)
    if course is not None and course_group is None:
        course_group = "seated"

    async def work(db: Database) -> tuple[int, str]:
        now = clock()
        async with db.transaction() as session:
            place = await centre_of(session, centre)
            course_id = await _course(session, place, course) if course else None
            announced = await _course(session, place, for_course) if for_course else None
            group: CourseGroup | None = course_group  # type: ignore[assignment]  # Audience checks it
            audience = Audience(language=language, channel=channel, survey=survey, course_id=course_id,
                                course_group=group if course_id is not None else None,
                                for_course_id=announced)
            send_at = _local_time(at, place) if at else None
            texts = given
            if texts is None and announced is not None:
                texts = await broadcasting.course_news_texts(session, announced, Catalogs.load())
            assert texts is not None  # _texts returns None only for a course announcement
            found = await repo.create_broadcast(session, centre_id=place.id, texts=texts, audience=audience,
                                                send_at=send_at, actor=scope.cli_actor(), now=now)
            when = (f"scheduled for {_local(send_at, centre_zone(place))} ({place.timezone})" if send_at
                    else "draft")
            return found, when

    broadcast_id, when = run_with_db(work)
    console.print(f"broadcast {broadcast_id} created, {when}; see who it reaches: "
                  f"clc-admin broadcast preview {broadcast_id}", highlight=False)


@app.command()
def preview(broadcast_id: Id) -> None:
    """Who it would reach now, by channel and language; the SMS with its segments; who is skipped."""
    async def work(db: Database) -> broadcasting.Preview:
        async with db.transaction() as session:
            return await broadcasting.preview(session, broadcast_id, Catalogs.load(), scope.limited_centres(),
                                              latin=settings_or_exit().sms_transliterate)

    found: broadcasting.Preview = run_with_db(work)
    table = Table("", "recipients", title=f"Broadcast {broadcast_id}: {found.recipients} recipients")
    for channel, count in sorted(found.by_channel.items()):
        table.add_row(f"on {channel}", str(count))
    for language, count in sorted(found.by_language.items()):
        table.add_row(f"in {language}", str(count))
    for reason, count in sorted(found.skipped.items()):
        table.add_row(f"skipped: {reason}", str(count))
    console.print(table)
    for language, cost in found.sms.items():
        console.print(f"SMS ({language}), {cost.count.segments} segment(s) of {cost.count.encoding}:",
                      highlight=False)
        console.print(cost.text, highlight=False, markup=False, soft_wrap=True)
    console.print(f"total SMS segments: {found.total_segments}", highlight=False)


@app.command()
def send(broadcast_id: Id) -> None:
    """Queue it now to everyone its audience names (the bot sends at the channels' pace)."""
    async def work(db: Database) -> broadcasting.Queued:
        async with db.transaction() as session:
            return await broadcasting.send_now(session, broadcast_id, clock(), actor=scope.cli_actor(),
                                               centre_ids=scope.limited_centres())

    queued: broadcasting.Queued = run_with_db(work)
    skipped = ", ".join(f"{reason}: {count}" for reason, count in sorted(queued.skipped.items()))
    console.print(f"broadcast {broadcast_id}: {queued.queued} message(s) queued"
                  + (f"; skipped {skipped}" if skipped else ""), highlight=False)


@app.command()
def cancel(broadcast_id: Id) -> None:
    """Stop it: nothing more goes out; what is already sent stays sent."""
    async def work(db: Database) -> int:
        async with db.transaction() as session:
            return await repo.cancel_broadcast(session, broadcast_id, scope.limited_centres(),
                                               actor=scope.cli_actor(), now=clock())

    stopped: int = run_with_db(work)
    console.print(f"broadcast {broadcast_id} cancelled; {stopped} message(s) not sent", highlight=False)


def _report_view(found: repo.Report) -> Group:
    progress = Progress(TextColumn("{task.description}"), BarColumn(),
                        TextColumn("{task.completed}/{task.total}"))
    progress.add_task(f"broadcast {found.broadcast_id} ({found.status})", total=max(found.queued, 1),
                      completed=found.done)
    table = Table("", "messages")
    table.add_row("recipients", str(found.recipients))
    table.add_row("queued", str(found.queued))
    for state in ("pending", "sending", "sent", "delivered", "undelivered", "failed", "skipped"):
        if found.states[state]:
            table.add_row(state, str(found.states[state]))
    for why, count in sorted(found.failed.items()):
        table.add_row(f"failed: {short_reason(why)}", str(count))
    for reason, count in sorted(found.skipped.items()):
        table.add_row(f"skipped: {reason}", str(count))
    if found.enrolled is not None:
        table.add_row("enrolled since", str(found.enrolled))
    return Group(progress, table)


@app.command()
def status(
    broadcast_id: Id,
    once: Annotated[bool, typer.Option("--once", help="Print the report once and stop.")] = False,
) -> None:
    """Its delivery report: queued, sent, delivered, failed and skipped with reasons; refreshed
    while it is going out (Ctrl-C stops watching, not the broadcast)."""
    async def work(db: Database) -> None:
        async def current() -> repo.Report:
            async with db.transaction() as session:
                row = await repo.get_broadcast(session, broadcast_id, scope.limited_centres())
                return await repo.report(session, row)

        found = await current()
        if once or found.status not in ("scheduled", "sending"):
            console.print(_report_view(found))
            return
        with Live(_report_view(found), console=console, refresh_per_second=4) as live:
            while found.status in ("scheduled", "sending"):
                await asyncio.sleep(REFRESH_SECONDS)  # a person watching, not a test waiting
                async with db.transaction() as session:
                    await repo.mark_finished(session)
                found = await current()
                live.update(_report_view(found))

    run_with_db(work)


@app.command("list")
def list_broadcasts(
    last: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 50,
) -> None:
    """The latest broadcasts (of your centres, with --as)."""
    async def work(db: Database) -> list[tuple[Broadcast, str, str]]:
        async with db.transaction() as session:
            rows = await repo.list_broadcasts(session, scope.limited_centres(), last)
            centres = {c.id: c for c in await session.scalars(select(Centre))}
            return [(row, centres[row.centre_id].slug, centres[row.centre_id].timezone) for row in rows]

    found: list[tuple[Broadcast, str, str]] = run_with_db(work)
    if not found:
        console.print("no broadcasts", highlight=False)
        return
    table = Table("id", "centre", "status", "created (UTC)", "send at (local)", "by", "text (kk)")
    for row, slug, zone in found:
        first = row.text_kk.splitlines()[0] if row.text_kk else ""
        table.add_row(str(row.id), slug, row.status, f"{row.created_at:%Y-%m-%d %H:%M}",
                      _local(row.send_at, ZoneInfo(zone)), row.created_by, first[:40])
    console.print(table)
