"""``clc-admin outbox``: what is queued to be sent (issue 15), for facilitators.

``status`` counts messages by kind, channel and state (``storage.outbox_report``) and names the
pending message due first (the oldest) and how late it is; ``list --contact ID`` shows one person's
messages. Neither prints a message's text or an address, only contact ids: a facilitator's
screen may be seen by others in a village centre, and the texts are the learners' business.
With ``clc-admin --as`` a facilitator sees only the messages of their centres' contacts.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.admin import scope
from bot.admin.runner import centre_of, run_with_db
from bot.clock import Clock, system_clock
from storage.contacts import live_contact
from storage.db import Database
from storage.models import Contact
from storage.outbox_report import Line, Summary, messages_of, summary, zone_of
from storage.surveys import same_person

app = typer.Typer(no_args_is_help=True, help="The outbox: what is queued to be sent.")
console = Console()
# The CLI's clock; tests put a FakeClock here.
clock: Clock = system_clock
REASON_CHARS = 60
# A provider's error may quote the number it could not reach ("The 'To' number +7701… is not
# valid"): runs of digits long enough to be a phone number or a Telegram id are hidden.
LONG_NUMBER = re.compile(r"\+?\d[\d ()-]{5,}\d")


def span(delta: dt.timedelta) -> str:
    """``2 d 3 h``, ``1 h 5 min``, ``4 min``: how late, to the minute."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else "under a minute"


def local(when: dt.datetime | None, zone: str) -> str:
    return "-" if when is None else f"{when.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"


def reason(error: str | None) -> str:
    if not error:
        return ""
    hidden = LONG_NUMBER.sub("…", " ".join(error.split()))
    return hidden if len(hidden) <= REASON_CHARS else hidden[: REASON_CHARS - 1] + "…"


def _print_summary(found: Summary, now: dt.datetime) -> None:
    if not found.counts:
        console.print("the outbox is empty", highlight=False)
        return
    table = Table("kind", "channel", "state", "messages", title="Outbox")
    for count in found.counts:
        table.add_row(Text(count.kind), count.channel, count.state, str(count.messages))
    table.add_section()
    table.add_row("", "", "total", str(sum(c.messages for c in found.counts)))
    console.print(table)
    console.print(f"due now: {found.due_now} pending", highlight=False)
    oldest = found.oldest
    if oldest is None:
        console.print("nothing pending", highlight=False)
        return
    late = now - oldest.due_at
    when = f"{span(late)} late" if late >= dt.timedelta(0) else f"due in {span(-late)}"
    console.print(f"oldest pending: message {oldest.id} ({oldest.kind}, contact {oldest.contact_id}) "
                  f"due {local(oldest.due_at, oldest.timezone)} {oldest.timezone}, {when}",
                  highlight=False, markup=False, soft_wrap=True)


@app.command()
def status(
    centre: Annotated[str | None, typer.Option(
        "--centre", metavar="SLUG", help="Only this centre's contacts' messages.")] = None,
) -> None:
    """Messages by kind, channel and state; how many are due now; the pending one due first."""
    async def work(db: Database) -> tuple[Summary, dt.datetime]:
        now = clock()
        async with db.transaction() as session:
            # Without --centre: every centre, or with --as only the facilitator's.
            centres = {(await centre_of(session, centre)).id} if centre else scope.limited_centres()
            return await summary(session, centres, now), now

    _print_summary(*run_with_db(work))


async def _person(session: AsyncSession, contact_id: int) -> list[int]:
    """The person's contacts (the one standing for them first, and those merged into it), or
    one line and exit 1."""
    await scope.check_contact(session, contact_id, f"contact {contact_id}")
    if await session.get(Contact, contact_id) is None:
        scope.refuse(f"no contact {contact_id} (clc-admin contacts list)")
    return await same_person(session, (await live_contact(session, contact_id)).id)


@app.command("list")
def list_messages(
    contact: Annotated[int, typer.Option(
        "--contact", metavar="ID", help="The contact's id (contacts list).")],
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="At most this many.")] = 50,
) -> None:
    """One person's messages, newest first, without their texts."""
    async def work(db: Database) -> tuple[list[Line], list[int], str]:
        async with db.transaction() as session:
            people = await _person(session, contact)
            return await messages_of(session, people, limit), people, await zone_of(session, people[0])

    lines, people, zone = run_with_db(work)
    others = [str(p) for p in people if p != contact]
    merged = f" (the same person as contact {', '.join(others)})" if others else ""
    if not lines:
        console.print(f"no messages for contact {contact}{merged}", highlight=False)
        return
    table = Table("id", "kind", "channel", "state", f"due ({zone})", "sent", "attempts", "reason",
                  title=f"Messages to contact {contact}{merged}, newest first")
    for line in lines:
        table.add_row(str(line.id), Text(line.kind), line.channel, line.state, local(line.due_at, zone),
                      local(line.sent_at, zone), str(line.attempts), Text(reason(line.reason)))
    console.print(table)
