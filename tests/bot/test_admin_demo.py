"""``clc-admin demo``: one demo centre and three open courses, one with a single free seat; idempotent."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from storage import courses as repo
from storage.db import Database
from storage.models import Centre
from storage.models.courses import Course

BIN = Path(sys.executable).parent


def demo(url: str) -> str:
    done = subprocess.run([str(BIN / "clc-admin"), "demo"], env={**os.environ, "CLC_DATABASE_URL": url},
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_demo_is_idempotent_and_has_a_course_with_one_free_seat(sqlite_url: str) -> None:
    assert "demo centre demo: created" in demo(sqlite_url)
    assert "demo centre demo: already there" in demo(sqlite_url)

    async def look() -> tuple[int, list[int]]:
        db = Database.from_url(sqlite_url)
        try:
            async with db.transaction() as session:
                centres = await session.scalar(select(func.count()).select_from(Centre))
                courses = (await session.scalars(select(Course).where(Course.status == "open"))).all()
                taken = await repo.counts(session, [c.id for c in courses])
                free = [c.capacity - taken[c.id]["enrolled"] for c in courses]
                return int(centres or 0), free
        finally:
            await db.dispose()

    centres, free = asyncio.run(look())
    assert centres == 1 and len(free) == 3 and 1 in free
