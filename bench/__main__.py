"""``make bench``: every benchmark of issue 18, printed as tables and written into BENCHMARKS.md.

1. inbound, against the bare framework in the same run: Telegram (polling and webhook;
   ``bench.inbound``) and SMS through the signed webhook (``bench.inbound_sms``), on SQLite and
   PostgreSQL, for 10, 50 and 200 villagers;
2. database round trips and CPU per kind of step (``bench.step_cost``);
3. the outbox at Telegram's limits: 10,000 messages, 100,000 with ``--large`` (``bench.outbox_rate``);
4. crash and resume under SIGKILL (``bench.crash``);
5. growth: step and outbox cost at three database sizes (``bench.growth``).

``--quick`` runs each with small numbers (a minute, to see that they work); ``--only NAME``
(inbound, sms, steps, outbox, crash, growth; ``earlier``: the benchmarks of earlier issues)
runs some. PostgreSQL runs where
``CLC_BENCH_DATABASE_URL`` is set (``make bench`` sets the local one). Bounded throughout.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench.inbound import postgres_version
from bench.table import Figure, tables, write_benchmarks

BENCHMARKS = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
Run = Callable[[bool, bool], Awaitable[list[Figure]]]  # (quick, large) -> figures


async def inbound(quick: bool, _large: bool) -> list[Figure]:
    from bench.inbound import measure_telegram
    return await measure_telegram((3,) if quick else (10, 50, 200))


async def sms(quick: bool, _large: bool) -> list[Figure]:
    from bench.inbound_sms import measure_sms
    return await measure_sms((3,) if quick else (10, 50, 200))


async def steps(_quick: bool, _large: bool) -> list[Figure]:
    from bench.step_cost import step_costs
    return await step_costs()


async def outbox(quick: bool, large: bool) -> list[Figure]:
    from bench.outbox_rate import measure_outbox_rate
    return await measure_outbox_rate(300 if quick else 100_000 if large else 10_000)


async def crash(quick: bool, _large: bool) -> list[Figure]:
    from bench.crash import measure_crash
    return await measure_crash(200 if quick else 2_000, 3 if quick else 10)


async def growth(quick: bool, large: bool) -> list[Figure]:
    from bench.growth import measure_growth
    return await measure_growth((100, 1_000) if quick else (1_000, 10_000, 200_000) if large
                                else (1_000, 10_000, 50_000))


async def earlier(_quick: bool, _large: bool) -> list[Figure]:
    """The benchmarks of earlier issues (SQLite's sync mode, the webhook guard, Telegram's load
    with its real limits): they print their lines; BENCHMARKS.md keeps their history."""
    from bench.sqlite_sync import measure_sqlite_sync
    from bench.telegram_load import measure_telegram_load
    from bench.webhook_guard import measure_webhook_guard
    await measure_sqlite_sync()
    await measure_webhook_guard()
    await measure_telegram_load()
    return []


ALL: dict[str, Run] = {"inbound": inbound, "sms": sms, "steps": steps, "outbox": outbox, "crash": crash,
                       "growth": growth}
OPTIONAL: dict[str, Run] = {"earlier": earlier}


async def main(chosen: list[str], quick: bool, large: bool) -> list[Figure]:
    figures: list[Figure] = []
    for name in chosen:
        print(f"== {name}", flush=True)
        found = await {**ALL, **OPTIONAL}[name](quick, large)
        print(tables(found), flush=True)
        figures += found
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small numbers: see that each runs")
    parser.add_argument("--large", action="store_true", help="the outbox with 100,000 messages, more growth")
    parser.add_argument("--only", action="append", choices=[*ALL, *OPTIONAL],
                        help="run only these (repeatable); 'earlier' runs the benchmarks of earlier issues")
    options = parser.parse_args()
    chosen = options.only or list(ALL)
    measured = asyncio.run(main(chosen, options.quick, options.large))
    if not options.quick:  # a quick run proves nothing worth keeping
        write_benchmarks(BENCHMARKS, measured, asyncio.run(postgres_version()))
        print(f"written {BENCHMARKS.name}")
