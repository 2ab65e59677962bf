"""The general audit log (``storage.models.audit``): one row added per action, never changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.audit import AuditEntry

FORGOTTEN = "contact.forgotten"
SYSTEM_RETENTION = "system:retention"


async def record(
    session: AsyncSession, *, at: dt.datetime, actor: str, action: str, subject: str,
    centre_id: int | None = None, detail: dict[str, Any] | None = None,
) -> None:
    session.add(AuditEntry(at=at, actor=actor[:100], action=action, subject=subject, centre_id=centre_id,
                           detail=detail))


async def entries(
    session: AsyncSession, centre_ids: frozenset[int] | None, last: int
) -> list[AuditEntry]:
    """The newest ``last`` entries; of ``centre_ids`` only, unless None (every centre and none)."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(last)
    if centre_ids is not None:
        query = query.where(AuditEntry.centre_id.in_(centre_ids))
    return list((await session.scalars(query)).all())
