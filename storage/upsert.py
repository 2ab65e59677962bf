"""``INSERT … ON CONFLICT`` for the database in use: SQLite and PostgreSQL spell it alike, but
SQLAlchemy gives each dialect its own ``insert`` construct.

SQLAlchemy (2.0) never caches those constructs' compiled SQL (``inherit_cache = False``: its
cache key would not see the ON CONFLICT clause), so each execution compiled the statement
again: on a villager's step, the inbound claim and the survey answer, about a fifth of the
step's CPU (py-spy, issue 18). A statement built once and given a ``name`` here gets a cache key
of the plain INSERT's parts plus that name, so it compiles once per process and database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.visitors import InternalTraversal

# The plain INSERT's parts, its ON CONFLICT clause (which has no cache key) left to the name.
_NAMED_TRAVERSAL = [*(part for part in Insert._traverse_internals if part[0] != "_post_values_clause"),
                    ("_upsert_name", InternalTraversal.dp_string)]


class _NamedSqliteInsert(sqlite.Insert):
    inherit_cache = True
    _cache_key_traversal = _NAMED_TRAVERSAL
    _upsert_name = ""


class _NamedPostgresInsert(postgresql.Insert):
    inherit_cache = True
    _cache_key_traversal = _NAMED_TRAVERSAL
    _upsert_name = ""


_NAMES: set[tuple[str, str]] = set()  # (dialect, name) built in this process


def insert(session: AsyncSession, table: Any, *, name: str | None = None) -> Any:
    """The dialect's ``insert(table)``, which has ``on_conflict_do_update/_nothing``.

    ``name``: a statement built once per database kind and kept (its ON CONFLICT clause is not
    part of the cache key, the name stands for it): compiled once. A second build under the same
    name is refused, since it would run the first one's compiled SQL."""
    return insert_for(session.get_bind().dialect.name, table, name=name)


def insert_for(dialect: str, table: Any, *, name: str | None = None) -> Any:
    """``insert`` for a dialect named ``dialect`` (a statement built before any session)."""
    if dialect not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"no upsert for the {dialect} database")
    if name is None:
        return sqlite.insert(table) if dialect == "sqlite" else postgresql.insert(table)
    if (dialect, name) in _NAMES:
        raise ValueError(f"an upsert named {name!r} was built already for {dialect}; keep and reuse it")
    _NAMES.add((dialect, name))
    statement = _NamedSqliteInsert(table) if dialect == "sqlite" else _NamedPostgresInsert(table)
    statement._upsert_name = name
    return statement
