"""What staff and the bot did to people's data, kept for accountability (who erased whom, when).

``course_audit`` records changes to one course; this log records what concerns a person or the
installation: an erasure (by the person, a facilitator or the retention rule). It never holds
the erased data: only ids, counts and who acted. Rows are only ever added.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    # "contact:12" (the person themselves, or a facilitator through the bot or clc-admin --as),
    # "cli:<shell user>" (the operator), "system:retention".
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64))
    # The subject's centre when it was done, so a facilitator sees their centres' entries.
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id", ondelete="SET NULL"))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
