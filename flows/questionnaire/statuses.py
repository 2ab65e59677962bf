"""Survey run and invitation statuses: one list of each, for the flows, storage and the database.

``storage.models.surveys`` builds its ``CHECK`` constraints from these tuples.

A run is in progress until the person answers the last question (completed) or stops
(abandoned; an abandoned run can be resumed). An invitation is sent, then started when the
person opens it, and ends completed or declined.
"""

from __future__ import annotations

from typing import Literal, get_args

RunStatus = Literal["in_progress", "completed", "abandoned"]
RUN_STATUSES: tuple[RunStatus, ...] = get_args(RunStatus)

InvitationStatus = Literal["sent", "started", "completed", "declined"]
INVITATION_STATUSES: tuple[InvitationStatus, ...] = get_args(InvitationStatus)
# Still waiting for the person: shown to them, and answerable.
OPEN_INVITATION_STATUSES: tuple[InvitationStatus, ...] = ("sent", "started")
