"""Centres: add, edit, list with their counts, and the one rule that picks the centre a command means.

The rule (``resolve_centre``): a slug given must exist; none given is fine only while there is
exactly one centre, so adding a second centre never lets a command silently act on the wrong one.

Who may act where (``staff_scope``): a facilitator at the centres of their roles, an
administrator at every centre. The bot's /manage and ``clc-admin --as`` both ask it.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.errors import DataError
from flows.quiet_hours import QuietHours, parse_clock, parse_quiet_hours
from flows.timezones import DEFAULT_TIMEZONE
from storage.models import Centre, Contact, FacilitatorRole
from storage.models.core import ADMINISTRATOR
from storage.models.courses import Course

SLUG = re.compile(r"[a-z0-9-]{2,64}")
# The fields `centre edit` may change, in the order `centre add` takes them.
FIELDS = ("name_kk", "name_ru", "settlement", "district", "oblast", "timezone")
# `centre edit --quiet-hours 21:00-09:00` (or none): two columns, given as one value.
QUIET_HOURS = "quiet_hours"


@dataclass(frozen=True)
class CentreCounts:
    centre: Centre
    contacts: int
    open_courses: int
    facilitators: int


@dataclass(frozen=True)
class StaffScope:
    """Where a person may act as staff; ``centre_ids`` are those of their roles."""

    administrator: bool
    centre_ids: frozenset[int]

    @property
    def is_staff(self) -> bool:
        return self.administrator or bool(self.centre_ids)

    def covers(self, centre_id: int | None) -> bool:
        """A contact without a centre is only an administrator's: no facilitator has them."""
        return self.administrator or (centre_id is not None and centre_id in self.centre_ids)


async def staff_scope(session: AsyncSession, contact_ids: Collection[int]) -> StaffScope:
    """The roles of one person (``contact_ids``: their contacts on every channel, merged)."""
    rows = (await session.execute(select(FacilitatorRole.centre_id, FacilitatorRole.role)
                                  .where(FacilitatorRole.contact_id.in_(list(contact_ids))))).all()
    return StaffScope(any(role == ADMINISTRATOR for _, role in rows), frozenset(c for c, _ in rows))


async def all_centre_ids(session: AsyncSession) -> set[int]:
    return set((await session.scalars(select(Centre.id))).all())


def check_slug(slug: str) -> str:
    if not SLUG.fullmatch(slug):
        raise DataError(f"bad centre slug {slug!r}: use 2-64 lowercase ASCII letters, digits and hyphens")
    return slug


def check_timezone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise DataError(f"unknown timezone {name!r} (e.g. Asia/Almaty)") from None
    return name


async def slugs(session: AsyncSession) -> list[str]:
    return list((await session.scalars(select(Centre.slug).order_by(Centre.slug))).all())


async def add_centre(session: AsyncSession, slug: str, fields: dict[str, str], now: dt.datetime) -> Centre:
    check_slug(slug)
    check_timezone(fields["timezone"])
    if await session.scalar(select(Centre.id).where(Centre.slug == slug)) is not None:
        raise DataError(f"centre {slug!r} already exists (change it with: clc-admin centre edit {slug})")
    centre = Centre(slug=slug, created_at=now, **fields)
    session.add(centre)
    await session.flush()
    return centre


async def edit_centre(session: AsyncSession, slug: str, changes: dict[str, str]) -> Centre:
    """Change only the given fields of the centre (and ``quiet_hours``: ``21:00-09:00``, none)."""
    centre = await resolve_centre(session, slug)
    if "timezone" in changes:
        check_timezone(changes["timezone"])
    for name, value in changes.items():
        if name == QUIET_HOURS:
            set_quiet_hours(centre, check_quiet_hours(value))
        elif name not in FIELDS:
            raise DataError(f"a centre has no field {name!r}")
        else:
            setattr(centre, name, value)
    centre.revision += 1
    await session.flush()
    return centre


def check_quiet_hours(text: str) -> QuietHours:
    try:
        return parse_quiet_hours(text)
    except ValueError as exc:
        raise DataError(f"bad quiet hours: {exc}") from None


def set_quiet_hours(centre: Centre, quiet: QuietHours) -> None:
    centre.quiet_from, centre.quiet_until = f"{quiet.start:%H:%M}", f"{quiet.end:%H:%M}"


def quiet_hours(centre: Centre | None) -> QuietHours:
    """The centre's quiet hours as stored (equal ends: none); the default for no centre."""
    if centre is None:
        return QuietHours()
    return QuietHours(parse_clock(centre.quiet_from), parse_clock(centre.quiet_until))


def centre_zone(centre: Centre | None) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(centre.timezone if centre is not None else DEFAULT_TIMEZONE)


async def contact_quiet_hours(
    session: AsyncSession, contact_id: int
) -> tuple[zoneinfo.ZoneInfo, QuietHours]:
    """The zone and quiet hours that hold for a person: their centre's, else the defaults
    (``flows.quiet_hours.quiet_until`` takes both)."""
    centre = await session.scalar(
        select(Centre).join(Contact, Contact.centre_id == Centre.id).where(Contact.id == contact_id)
    )
    return centre_zone(centre), quiet_hours(centre)


async def resolve_centre(session: AsyncSession, slug: str | None) -> Centre:
    """The centre a command means: the one named, or the only one; otherwise a clear error."""
    if slug is not None:
        centre = await session.scalar(select(Centre).where(Centre.slug == slug))
        if centre is None:
            known = ", ".join(await slugs(session)) or "none yet"
            raise DataError(f"no centre {slug!r} (known: {known})")
        return centre
    centres = list((await session.scalars(select(Centre).order_by(Centre.slug).limit(20))).all())
    if not centres:
        raise DataError("no centre yet: add one with clc-admin centre add SLUG … (or clc-admin demo)")
    if len(centres) > 1:
        known = ", ".join(await slugs(session))
        raise DataError(f"several centres: say which with --centre SLUG ({known})")
    return centres[0]


async def centres_with_counts(session: AsyncSession) -> list[CentreCounts]:
    contacts = (select(Contact.centre_id, func.count().label("n")).group_by(Contact.centre_id)).subquery()
    courses = (select(Course.centre_id, func.count().label("n")).where(Course.status == "open")
               .group_by(Course.centre_id)).subquery()
    roles = (select(FacilitatorRole.centre_id, func.count().label("n"))
             .group_by(FacilitatorRole.centre_id)).subquery()
    query = (select(Centre, func.coalesce(contacts.c.n, 0), func.coalesce(courses.c.n, 0),
                    func.coalesce(roles.c.n, 0))
             .outerjoin(contacts, contacts.c.centre_id == Centre.id)
             .outerjoin(courses, courses.c.centre_id == Centre.id)
             .outerjoin(roles, roles.c.centre_id == Centre.id)
             .order_by(Centre.slug))
    found = (await session.execute(query)).all()
    return [CentreCounts(centre, int(c), int(o), int(f)) for centre, c, o, f in found]
