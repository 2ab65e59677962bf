"""``clc-admin outbox status`` and ``outbox list --contact ID`` (issue 15): counts by kind,
channel and state, the pending message due first, one person's messages; a facilitator sees
only their centres' contacts; no message text and no phone number ever reaches the screen."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from admin_cli import app
from bot.admin.outbox import reason, span
from bot.clock import FakeClock
from storage.db import Database
from storage.models import Centre, Contact, OutboxMessage
from storage.outbox_report import Count, messages_of, summary
from tests.bot.centre_pair import A_FACILITATOR, A_VILLAGER, B_VILLAGER, Pair, on, two_centres
from tests.storage.courses_helpers import T0

NOW = T0 + dt.timedelta(hours=3)  # 12:00 UTC, 17:00 in Almaty
SECRET = "Сәлем, Асель! Ертең сағат 15:00-де кесте тігу сабағы"
TWILIO_ERROR = f"Twilio 30003: the 'To' number {A_VILLAGER} is unreachable, the handset is off or out of coverage"


def at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def message(contact_id: int, kind: str, channel: str | None, status: str, due: float, *,
            delivery: str | None = None, error: str | None = None, attempts: int = 0) -> OutboxMessage:
    sent = at(due) if status == "sent" else None
    return OutboxMessage(contact_id=contact_id, kind=kind, channel=channel, status=status, due_at=at(due),
                         delivery_status=delivery, last_error=error, attempts=attempts, sent_at=sent,
                         payload={"replies": [{"text": SECRET}], "to": f"tel:{A_VILLAGER}"}, created_at=T0)


async def seeded(database: Database) -> tuple[Pair, list[int]]:
    """Centre aksu: eight messages of three kinds on every channel; koktal: one, due first."""
    pair = await two_centres(database)
    a, b = pair.a_villager, pair.b_villager
    rows = [
        message(a, "offer", None, "pending", 1),          # due two hours ago
        message(a, "offer", None, "pending", 5),          # not due yet
        message(a, "reminder", "sms", "sent", -3, delivery="delivered", attempts=1),
        message(a, "reminder", "sms", "sent", -2, delivery="undelivered", error=TWILIO_ERROR, attempts=1),
        message(a, "reminder", "sms", "sent", -1, attempts=1),
        message(a, "broadcast", "telegram", "failed", -1, error="gave up after 8 attempts: Forbidden", attempts=8),
        message(a, "broadcast", "telegram", "failed", -1, error="Forbidden: bot was blocked", attempts=1),
        message(a, "broadcast", "telegram", "skipped", -1, error="opted out"),
        message(b, "broadcast", "sms", "pending", 0),     # koktal's, due before every aksu one
    ]
    async with database.transaction() as session:
        session.add_all(rows)
        await session.flush()
        ids = [row.id for row in rows]
    return pair, ids


AKSU_COUNTS = [
    Count("broadcast", "telegram", "failed", 2), Count("broadcast", "telegram", "skipped", 1),
    Count("offer", "any", "pending", 2),
    Count("reminder", "sms", "delivered", 1), Count("reminder", "sms", "sent", 1),
    Count("reminder", "sms", "undelivered", 1),
]


async def test_counts_oldest_due_and_a_persons_messages(database: Database) -> None:
    pair, ids = await seeded(database)
    async with database.transaction() as session:
        centres = dict((await session.execute(select(Centre.slug, Centre.id))).tuples().all())
        everyone = await summary(session, None, NOW)
        aksu = await summary(session, {centres["aksu"]}, NOW)
        koktal_only = await summary(session, {centres["koktal"]}, NOW)
        listed = await messages_of(session, [pair.a_villager], 50)
        two = await messages_of(session, [pair.a_villager], 2)
    assert everyone.counts == sorted([*AKSU_COUNTS, Count("broadcast", "sms", "pending", 1)],
                                     key=lambda c: (c.kind, c.channel, c.state))
    assert (everyone.due_now, everyone.oldest and everyone.oldest.id) == (2, ids[8])
    assert aksu.counts == AKSU_COUNTS and aksu.due_now == 1
    assert aksu.oldest is not None and (aksu.oldest.id, aksu.oldest.due_at) == (ids[0], at(1))
    assert aksu.oldest.timezone == "Asia/Almaty" and aksu.oldest.contact_id == pair.a_villager
    assert koktal_only.counts == [Count("broadcast", "sms", "pending", 1)]
    assert [line.id for line in listed] == [ids[1], ids[0], *sorted(ids[4:8], reverse=True), ids[3], ids[2]]
    assert [line.id for line in two] == [ids[1], ids[0]]
    undelivered = next(line for line in listed if line.id == ids[3])
    assert (undelivered.state, undelivered.reason, undelivered.attempts) == ("undelivered", TWILIO_ERROR, 1)


@pytest.fixture
def outbox(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Pair, list[int]]:
    from bot.admin import outbox as outbox_cli
    from bot.admin import runner, scope

    monkeypatch.setenv("CLC_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("CLC_ADMIN_AS", raising=False)
    for module in (outbox_cli, runner, scope):
        monkeypatch.setattr(module.console, "width", 200)
    monkeypatch.setattr(outbox_cli, "clock", FakeClock(NOW))
    return on(sqlite_url, seeded)


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, (args, result.output)
    assert "Traceback" not in result.output
    for private in (SECRET, "Сәлем", A_VILLAGER, A_VILLAGER[1:], B_VILLAGER, A_FACILITATOR):
        assert private not in result.output, (args, private)
    return result.output


def cells(output: str) -> list[list[str]]:
    """The body rows of the Rich table in ``output``, as lists of cell texts."""
    return [[cell.strip() for cell in line.strip().strip("│").split("│")]
            for line in output.splitlines() if line.startswith("│")]


def test_status_counts_and_names_the_first_pending(outbox: tuple[Pair, list[int]]) -> None:
    pair, ids = outbox
    shown = run("outbox", "status")
    assert cells(shown) == [
        ["broadcast", "sms", "pending", "1"], ["broadcast", "telegram", "failed", "2"],
        ["broadcast", "telegram", "skipped", "1"], ["offer", "any", "pending", "2"],
        ["reminder", "sms", "delivered", "1"], ["reminder", "sms", "sent", "1"],
        ["reminder", "sms", "undelivered", "1"], ["", "", "total", "9"]]
    assert "due now: 2 pending" in shown
    assert (f"oldest pending: message {ids[8]} (broadcast, contact {pair.b_villager}) "
            "due 2026-03-02 14:00 Asia/Almaty, 3 h 0 min late") in shown
    mine = run("--as", "8 701 111 00 01", "outbox", "status")  # facilitator of aksu
    assert ["broadcast", "sms", "pending", "1"] not in cells(mine) and cells(mine)[-1] == ["", "", "total", "8"]
    assert "due now: 1 pending" in mine
    assert (f"oldest pending: message {ids[0]} (offer, contact {pair.a_villager}) "
            "due 2026-03-02 15:00 Asia/Almaty, 2 h 0 min late") in mine
    koktal = run("outbox", "status", "--centre", "koktal")
    assert cells(koktal) == [["broadcast", "sms", "pending", "1"], ["", "", "total", "1"]]


def test_list_shows_a_persons_messages_without_texts(outbox: tuple[Pair, list[int]]) -> None:
    pair, ids = outbox
    listed = run("--as", "8 701 111 00 01", "outbox", "list", "--contact", str(pair.a_villager))
    assert f"Messages to contact {pair.a_villager}, newest first" in listed
    assert "due (Asia/Almaty)" in listed
    assert [row[0] for row in cells(listed)] == [str(ids[i]) for i in (1, 0, 7, 6, 5, 4, 3, 2)]
    assert "Twilio 30003: the 'To' number … is unreachable, the handset…" in listed
    assert "│ undelivered │" in listed and "opted out" in listed
    delivered = next(row for row in cells(listed) if row[0] == str(ids[2]))
    assert delivered == [str(ids[2]), "reminder", "sms", "delivered", "2026-03-02 11:00", "2026-03-02 11:00", "1", ""]
    short = run("outbox", "list", "--contact", str(pair.a_villager), "--limit", "1")
    assert [row[0] for row in cells(short)] == [str(ids[1])]
    assert f"no messages for contact {pair.a_facilitator}" in run(
        "outbox", "list", "--contact", str(pair.a_facilitator))


def test_a_merged_contact_lists_the_whole_persons_messages(outbox: tuple[Pair, list[int]], sqlite_url: str) -> None:
    pair, _ = outbox

    async def merge(db: Database) -> tuple[int, int]:
        async with db.transaction() as session:
            old = Contact(language="kk", centre_id=None, created_at=T0, merged_into_id=pair.a_villager)
            session.add(old)
            await session.flush()
            row = message(old.id, "invitation", "telegram", "sent", -5, attempts=1)
            session.add(row)
            await session.flush()
            return old.id, row.id

    old, row = on(sqlite_url, merge)
    for asked, other in ((pair.a_villager, old), (old, pair.a_villager)):
        listed = run("outbox", "list", "--contact", str(asked))
        assert f"Messages to contact {asked} (the same person as contact {other}), newest first" in listed
        assert cells(listed)[-1][:2] == [str(row), "invitation"] and len(cells(listed)) == 9


def test_spans_and_reasons_are_short_and_hide_numbers() -> None:
    assert [span(dt.timedelta(**d)) for d in ({"seconds": 30}, {"minutes": 4}, {"hours": 26, "minutes": 5})] == [
        "under a minute", "4 min", "1 d 2 h"]
    assert reason("Forbidden: user 5551234567 blocked the bot") == "Forbidden: user … blocked the bot"
    assert reason("") == "" and reason(None) == "" and len(reason("x" * 500)) == 60


def test_unknown_contact_and_another_centres_contact_are_one_line(outbox: tuple[Pair, list[int]]) -> None:
    pair, _ = outbox
    refusals = [
        (["outbox", "list", "--contact", "99999"], "no contact 99999"),
        (["--as", "8 701 111 00 01", "outbox", "list", "--contact", str(pair.b_villager)],
         f"--as '8 701 111 00 01': contact {pair.b_villager} is not a contact of your centre (aksu)"),
        (["--as", "8 701 111 00 01", "outbox", "status", "--centre", "koktal"],
         "--as '8 701 111 00 01': not a facilitator at centre 'koktal' (yours: aksu)"),
        (["outbox", "status", "--centre", "mars"], "mars"),
    ]
    for command, line in refusals:
        output = run(*command, code=1)
        assert line in output and len(output.strip().splitlines()) == 1, (command, output)
