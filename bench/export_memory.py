"""``clc-admin export responses`` memory: a small export against 100,000 runs, each in its own
process, so each peak RSS (``ru_maxrss`` from ``wait4``) is that export's alone.

Bounded: ``CLC_BENCH_EXPORT_RUNS`` (100,000) completed runs of the shipped needs survey, one a
minute from the first day on, every question answered (choices, numbers, free text), in one
SQLite file. The small export is the first day (``--until``: 1,440 runs), the large one all of
them; both wide, in xlsx and csv. Flat memory means the two peaks are about equal.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bot.features.surveys import definition_of, shipped_default
from flows.questionnaire.schema import Questionnaire
from storage.db import Database
from storage.migrate import upgrade_database
from storage.models import Centre, Contact
from storage.models.surveys import SurveyAnswer, SurveyRun
from storage.surveys import publish

RUNS = int(os.environ.get("CLC_BENCH_EXPORT_RUNS", "100000"))
T0 = dt.datetime(2026, 3, 1, 19, 0, tzinfo=dt.UTC)  # midnight of 2 March in Almaty
CHUNK = 5000
CLI = Path(sys.executable).parent / "clc-admin"


def _answers(form: Questionnaire, n: int) -> list[tuple[str, Any, str]]:
    found: list[tuple[str, Any, str]] = []
    for question in form.questions:
        choices = [c.id for c in form.choices_of(question)]
        if question.type == "single":
            found.append((question.id, choices[n % len(choices)], str(n % len(choices) + 1)))
        elif question.type == "multi":
            found.append((question.id, [choices[n % len(choices)], choices[(n // 3) % len(choices)]], "1 3"))
        elif question.type == "yes_no":
            found.append((question.id, "yes" if n % 4 else "no", "1"))
        elif question.type == "text":
            found.append((question.id, f"ответ номер {n}", f"ответ номер {n}"))
    return found


async def seed(url: str) -> None:
    db = Database.from_url(url, sqlite_synchronous="NORMAL")
    await upgrade_database(db.engine)
    form = shipped_default()
    async with db.transaction() as session:
        session.add(Centre(slug="aksu", name_kk="Ақсу", name_ru="Аксу", oblast="-", district="-",
                           settlement="Ақсу", timezone="Asia/Almaty", created_at=T0))
        await session.flush()
        centre_id = await session.scalar(select(Centre.id))
        version, _ = await publish(session, "needs", definition_of(form), source="bench", now=T0)
        version_id = version.id
        await session.execute(insert(Contact), [
            {"id": n, "created_at": T0, "language": "ru", "name": f"Человек {n}", "centre_id": centre_id}
            for n in range(1, RUNS + 1)])
    for start in range(1, RUNS + 1, CHUNK):
        numbers = range(start, min(start + CHUNK, RUNS + 1))
        async with db.transaction() as session:
            await session.execute(insert(SurveyRun), [
                {"id": n, "run_key": f"bench-{n}", "contact_id": n, "version_id": version_id,
                 "status": "completed", "channel": "sms", "started_at": T0 + dt.timedelta(minutes=n),
                 "updated_at": T0 + dt.timedelta(minutes=n),
                 "finished_at": T0 + dt.timedelta(minutes=n, seconds=50)}
                for n in numbers])
            await session.execute(insert(SurveyAnswer), [
                {"run_id": n, "question_id": qid, "value": value, "raw_text": raw,
                 "answered_at": T0 + dt.timedelta(minutes=n, seconds=step)}
                for n in numbers for step, (qid, value, raw) in enumerate(_answers(form, n))])
    await db.dispose()


def export(url: str, out: Path, *options: str) -> tuple[float, float, int]:
    """Seconds, peak RSS in MiB and the file's size of one export run as its own process."""
    env = {**os.environ, "CLC_DATABASE_URL": url}
    env.pop("CLC_ADMIN_AS", None)
    # stderr to a file, not a pipe: nobody reads a pipe while wait4 waits, and a child writing
    # more than its buffer (a long traceback) would wait for a reader for ever.
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        command = [str(CLI), "export", "responses", "--out", str(out), "--lang", "ru", *options]
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"export failed: {errors.read().decode(errors='replace')[-4000:]}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024, out.stat().st_size


def measure_export_memory() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'export.db'}"
        started = time.perf_counter()
        # Seeded by another process: a child's ru_maxrss counts the memory it was forked with,
        # so this process must stay smaller than the exports it measures.
        subprocess.run([sys.executable, "-m", "bench.export_memory", "--seed", url], check=True)
        print(f"export: {RUNS:,} runs of the needs survey seeded in {time.perf_counter() - started:.0f} s")
        for fmt in ("xlsx", "csv"):
            for label, options in (("first day", ["--until", "2026-03-02"]), (f"all {RUNS:,}", [])):
                seconds, peak, size = export(url, Path(folder) / f"out-{len(options)}.{fmt}", *options)
                print(f"export {fmt:4} {label:>12}: {seconds:6.1f} s  peak RSS {peak:6.0f} MiB  "
                      f"file {size / 2**20:6.1f} MiB")
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"export: (this measuring process: {own:.0f} MiB, below every export's peak)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--seed"]:
        asyncio.run(seed(sys.argv[2]))
    else:
        measure_export_memory()
