"""The monitoring report as rows: each figure with a stable key (json, csv) and its label as a
message id (kk/ru in the xlsx and csv), and a row per course. The writers only render these."""

from __future__ import annotations

from dataclasses import dataclass

from flows.events import N_, Localized, Msg
from flows.reports.groups import GROUPS, GroupCounts
from flows.reports.monitoring import CentreReport

SECTIONS = {
    "learners": N_("Learners"),
    "satisfaction": N_("Satisfaction"),
    "waiting": N_("Waiting lists"),
    "surveys": N_("Needs surveys"),
    "announcements": N_("Announcements"),
}
# One whole message per group and kind, so each language words it as it needs.
GROUP_LABELS = {
    "trained": {
        "women": N_("Of the trained: women"),
        "unemployed": N_("Of the trained: unemployed"),
        "pensioners": N_("Of the trained: pensioners"),
        "disability": N_("Of the trained: people with disabilities"),
        "young": N_("Of the trained: young people (under 30)"),
    },
    "completed": {
        "women": N_("Of those who completed: women"),
        "unemployed": N_("Of those who completed: unemployed"),
        "pensioners": N_("Of those who completed: pensioners"),
        "disability": N_("Of those who completed: people with disabilities"),
        "young": N_("Of those who completed: young people (under 30)"),
    },
}
ANSWERS = {
    ("useful", "very"): N_("Useful: very"),
    ("useful", "somewhat"): N_("Useful: somewhat"),
    ("useful", "not_useful"): N_("Useful: not useful"),
    ("teaching", "excellent"): N_("Teaching: excellent"),
    ("teaching", "good"): N_("Teaching: good"),
    ("teaching", "fair"): N_("Teaching: fair"),
    ("teaching", "poor"): N_("Teaching: poor"),
    ("recommend", "yes"): N_("Would recommend the course"),
    ("recommend", "no"): N_("Would not recommend the course"),
}
CHANNELS = {"telegram": Localized("Telegram", "Telegram"), "sms": Localized("SMS", "SMS"),
            "simulator": Localized("терминал", "терминал")}


@dataclass(frozen=True)
class FigureRow:
    section: str
    key: str
    label: Msg
    value: int | float | None  # None: nothing to compute it from (no answers, nobody waited)
    unknown: int | None = None  # for a group: how many of the people are not known to be in it or not


@dataclass(frozen=True)
class CourseRow:
    code: str
    title: Localized
    sessions_held: int
    trained: GroupCounts
    completed: int | None  # None: the course did not end in the period


def figure_rows(report: CentreReport, percent: int) -> list[FigureRow]:
    rows = [
        FigureRow("learners", "trained", Msg(N_("Trained (present at one session or more)")),
                  report.trained.people),
        FigureRow("learners", "completed", Msg(N_("Completed (present at {percent}% of sessions or more)"),
                                               {"percent": percent}), report.completed.people),
    ]
    rows += _groups("trained", report.trained) + _groups("completed", report.completed)
    rows += _satisfaction(report)
    waiting = report.waiting
    rows += [
        FigureRow("waiting", "waiting_now", Msg(N_("Waiting for a seat when the report was made")),
                  waiting.waiting_now),
        FigureRow("waiting", "median_wait_days", Msg(N_("Median wait for a seat, days")),
                  waiting.median_wait_days),
        FigureRow("waiting", "offers_made", Msg(N_("Seat offers made")), waiting.offers_made),
        FigureRow("waiting", "offers_accepted", Msg(N_("Offers accepted")), waiting.accepted),
        FigureRow("waiting", "offers_declined", Msg(N_("Offers declined")), waiting.declined),
        FigureRow("waiting", "offers_expired", Msg(N_("Offers expired unanswered")), waiting.expired),
    ]
    for channel in sorted(set(report.surveys_started) | {"telegram", "sms"}):
        name = CHANNELS.get(channel, Localized(channel, channel))
        started = Msg(N_("Surveys started on {channel}"), {"channel": name})
        completed = Msg(N_("Surveys completed on {channel}"), {"channel": name})
        rows += [FigureRow("surveys", f"started.{channel}", started, report.surveys_started[channel]),
                 FigureRow("surveys", f"completed.{channel}", completed, report.surveys_completed[channel])]
    sent = report.facts.announcements
    rows += [
        FigureRow("announcements", "broadcasts", Msg(N_("Announcements sent out")), sent.broadcasts),
        FigureRow("announcements", "messages_sent", Msg(N_("Messages sent")), sent.sent),
        FigureRow("announcements", "messages_delivered", Msg(N_("SMS confirmed delivered")), sent.delivered),
    ]
    return rows


def _groups(kind: str, counts: GroupCounts) -> list[FigureRow]:
    return [FigureRow("learners", f"{kind}.{group}", Msg(GROUP_LABELS[kind][group]), counts.yes[group],
                      counts.unknown[group]) for group in GROUPS]


def _satisfaction(report: CentreReport) -> list[FigureRow]:
    found = report.satisfaction
    rate = found.response_rate
    rows = [
        FigureRow("satisfaction", "invited", Msg(N_("Feedback questionnaires sent")), found.invited),
        FigureRow("satisfaction", "responded", Msg(N_("Feedback questionnaires answered")), found.responded),
        FigureRow("satisfaction", "response_rate", Msg(N_("Response rate, %")),
                  None if rate is None else round(rate * 100, 1)),
    ]
    rows += [FigureRow("satisfaction", f"{question}.{answer}", Msg(label), found.answers[question][answer])
             for (question, answer), label in ANSWERS.items()]
    return rows


def course_rows(report: CentreReport) -> list[CourseRow]:
    return [CourseRow(item.course.code, item.course.title, item.sessions_held, item.trained,
                      None if item.completed is None else item.completed.people) for item in report.courses]
