"""Which migrations a database has, and which an upgrade applied: for ``clc-admin db upgrade``.

``storage.migrate.upgrade_database`` stays silent (the service calls it at every start); this
reads the schema's revisions before and after, so the command can say what it did.
"""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import connected
from storage.migrate import alembic_config, upgrade_database


def _current(connection: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(connection).get_current_heads())


async def current_revisions(engine: AsyncEngine) -> tuple[str, ...]:
    """The revisions the database is at (none for a new, empty database)."""
    async with connected(engine) as connection:  # a database that cannot be used: one clear error
        return await connection.run_sync(_current)


async def upgrade_and_report(engine: AsyncEngine) -> list[str]:
    """Upgrade to every head; the migrations applied, by number, as ``0005 courses: …``."""
    before = await current_revisions(engine)
    await upgrade_database(engine)
    after = await current_revisions(engine)
    scripts = ScriptDirectory.from_config(alembic_config())
    applied = scripts.iterate_revisions(after, before or "base")
    return [f"{script.revision} {(script.doc or '').strip().splitlines()[0] if script.doc else ''}".strip()
            for script in sorted(applied, key=lambda script: script.revision)]
