"""What a questionnaire run asks the dispatcher to store, each in the step's own transaction.

A run is created lazily, with the first answer worth keeping: a refused consent leaves no
trace. ``run_key`` names the run in the conversation state and in button contexts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.events import Effect


@dataclass(frozen=True)
class StartRun(Effect):
    run_key: str
    questionnaire_id: str
    version: int
    channel: str
    invitation: int | None = None  # the invitation this run answers, if the bot invited the person


@dataclass(frozen=True)
class SaveAnswer(Effect):
    """An accepted answer; a second one for the same question (after "back") replaces it."""

    run_key: str
    questionnaire_id: str
    version: int
    question_id: str
    value: Any
    raw_text: str | None


@dataclass(frozen=True)
class DiscardAnswer(Effect):
    """A stored answer no longer applies (skipped after "back", or its condition turned false)."""

    run_key: str
    question_id: str


@dataclass(frozen=True)
class FinishRun(Effect):
    run_key: str


@dataclass(frozen=True)
class AbandonRun(Effect):
    """The person left; ``discard_answers`` also deletes them (consent refused after all)."""

    run_key: str
    discard_answers: bool = False


@dataclass(frozen=True)
class ResumeRun(Effect):
    """Continue an unfinished run found in the database (after a detour or on another channel)."""

    run_key: str
