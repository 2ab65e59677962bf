"""The groups a monitoring report counts learners in, read from their latest needs-survey answers.

Each group is yes, no or unknown for a person: unknown when they never completed the survey or
skipped the question, never guessed. The answers are those of ``flows/questionnaires/needs.yaml``
(its choice ids are stable); earlier versions listed a disability among the occupations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

GROUPS = ("women", "unemployed", "pensioners", "disability", "young")
# Young people: under 30, the survey's age groups up to 29 (Kazakhstan's youth policy counts up
# to 35, which these groups cannot separate).
YOUNG_AGE_GROUPS = frozenset({"under_18", "age_18_29"})


def _chosen(answers: Mapping[str, Any], question: str) -> list[str] | None:
    value = answers.get(question)
    if value is None:
        return None
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def group_flags(answers: Mapping[str, Any] | None) -> dict[str, bool | None]:
    """Whether the person is in each group; None where the answers do not say."""
    if not answers:
        return dict.fromkeys(GROUPS)
    gender = answers.get("gender")
    situation = _chosen(answers, "situation")
    age = answers.get("age_group")
    disability = answers.get("disability")
    return {
        "women": None if gender not in ("female", "male") else gender == "female",
        "unemployed": None if situation is None else "unemployed" in situation,
        "pensioners": None if situation is None else "pensioner" in situation,
        "disability": True if situation is not None and "disability" in situation
        else None if disability not in ("yes", "no") else disability == "yes",
        "young": None if not isinstance(age, str) else age in YOUNG_AGE_GROUPS,
    }


@dataclass
class GroupCounts:
    """How many of some people are in each group, are not, or are not known to be."""

    people: int = 0
    yes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0))
    unknown: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0))

    def add(self, flags: Mapping[str, bool | None]) -> None:
        self.people += 1
        for group in GROUPS:
            if flags[group] is None:
                self.unknown[group] += 1
            elif flags[group]:
                self.yes[group] += 1
