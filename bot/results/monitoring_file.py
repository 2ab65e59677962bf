"""The monitoring report as a file: xlsx (a cover sheet, a figures sheet per centre with native
charts, a courses sheet), csv (one row per figure, UTF-8 with BOM for Excel) or json."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from bot.i18n import Translator
from bot.results.sheets import append_row, bom_csv, csv_text, header_row, sheet_title, show_axes
from flows.events import N_, Msg
from flows.reports.groups import GROUPS
from flows.reports.monitoring import CentreReport
from flows.reports.monitoring_rows import SECTIONS, course_rows, figure_rows

COURSE_GROUPS = {"women": N_("Women"), "unemployed": N_("Unemployed"), "pensioners": N_("Pensioners"),
                 "disability": N_("With disabilities"), "young": N_("Young (under 30)")}


@dataclass(frozen=True)
class MonitoringDocument:
    reports: tuple[CentreReport, ...]
    first_day: dt.date
    last_day: dt.date
    made_on: dt.date
    percent: int  # present at this share of sessions or more: completed


def write_monitoring(partial: Path, form: str, document: MonitoringDocument, tr: Translator) -> None:
    """Write ``document`` in ``form`` (xlsx, csv, json) to ``partial`` (``files.safe_output``)."""
    if form == "xlsx":
        _xlsx(partial, document, tr)
    elif form == "csv":
        _csv(partial, document, tr)
    else:
        partial.write_text(json.dumps(as_json(document), ensure_ascii=False, indent=2), encoding="utf-8")


def _t(tr: Translator, key: str, **params: Any) -> str:
    return tr.text(Msg(key, params))


def _period(document: MonitoringDocument) -> str:
    return f"{document.first_day:%d.%m.%Y} – {document.last_day:%d.%m.%Y}"


def _xlsx(partial: Path, document: MonitoringDocument, tr: Translator) -> None:
    book = Workbook()
    cover = book.active
    assert cover is not None  # a new workbook has its first sheet
    cover.title = sheet_title(_t(tr, N_("Cover")))
    cover.append([_t(tr, N_("Monitoring report"))])
    cover["A1"].font = Font(bold=True, size=14)
    append_row(cover, [_t(tr, N_("Centre")), ", ".join(tr.text(r.facts.name) for r in document.reports)])
    cover.append([_t(tr, N_("Period")), _period(document)])
    cover.append([_t(tr, N_("Made on")), document.made_on])
    cover["B4"].number_format = "DD.MM.YYYY"
    cover.append([])
    cover.append([_t(tr, N_("Completed: present at {percent}% of a course's sessions or more."),
                     percent=document.percent)])
    cover.append([_t(tr, N_("Unknown: people who never answered the needs survey or skipped the question; "
                            "they are never guessed."))])
    cover.column_dimensions["A"].width, cover.column_dimensions["B"].width = 28, 50
    for report in document.reports:
        _figures_sheet(book.create_sheet(sheet_title(report.facts.slug)), report, document.percent, tr)
    _courses_sheet(book.create_sheet(sheet_title(_t(tr, N_("Courses")))), document, tr)
    book.save(partial)


def _figures_sheet(sheet: Worksheet, report: CentreReport, percent: int, tr: Translator) -> None:
    labels = [_t(tr, N_("Section")), _t(tr, N_("Figure")), _t(tr, N_("Value")), _t(tr, N_("Unknown"))]
    header_row(sheet, labels, [18, 58, 10, 10])
    at: dict[str, int] = {}
    for row in figure_rows(report, percent):
        append_row(sheet, [_t(tr, SECTIONS[row.section]), tr.text(row.label), row.value, row.unknown])
        at[row.key] = sheet.max_row
    trained = [at[f"trained.{group}"] for group in GROUPS]
    chart = BarChart()
    chart.type, chart.title = "bar", _t(tr, N_("Learners by group"))
    for kind, label in (("trained", N_("Trained")), ("completed", N_("Completed"))):
        rows = [at[f"{kind}.{group}"] for group in GROUPS]
        chart.add_data(Reference(sheet, min_col=3, min_row=rows[0], max_row=rows[-1]), titles_from_data=False)
        chart.series[-1].tx = SeriesLabel(v=_t(tr, label))
    chart.set_categories(Reference(sheet, min_col=2, min_row=trained[0], max_row=trained[-1]))
    sheet.add_chart(show_axes(chart), "F2")
    answers = [at[key] for key in at if key.startswith(("useful.", "teaching.", "recommend."))]
    if answers:
        satisfaction = BarChart()
        satisfaction.type, satisfaction.title = "bar", _t(tr, N_("Satisfaction"))
        satisfaction.add_data(Reference(sheet, min_col=3, min_row=answers[0], max_row=answers[-1]))
        satisfaction.set_categories(Reference(sheet, min_col=2, min_row=answers[0], max_row=answers[-1]))
        satisfaction.legend = None
        sheet.add_chart(show_axes(satisfaction), "F20")


def _courses_sheet(sheet: Worksheet, document: MonitoringDocument, tr: Translator) -> None:
    header_row(sheet, [_t(tr, N_("Centre")), _t(tr, N_("Course code")), _t(tr, N_("Course")),
                       _t(tr, N_("Sessions held")), _t(tr, N_("Trained")), _t(tr, N_("Completed")),
                       *(_t(tr, COURSE_GROUPS[group]) for group in GROUPS)],
               [14, 16, 40, 10, 10, 10, 10, 10, 10, 10, 10])
    for report in document.reports:
        for row in course_rows(report):
            groups = [row.trained.yes[group] for group in GROUPS]
            append_row(sheet, [report.facts.slug, row.code, tr.text(row.title), row.sessions_held,
                               row.trained.people, row.completed, *groups])
    if sheet.max_row > 1:
        chart = BarChart()
        chart.title = _t(tr, N_("Trained and completed by course"))
        chart.add_data(Reference(sheet, min_col=5, max_col=6, min_row=1, max_row=sheet.max_row),
                       titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=3, min_row=2, max_row=sheet.max_row))
        sheet.add_chart(show_axes(chart), "M2")


def _csv(partial: Path, document: MonitoringDocument, tr: Translator) -> None:
    with bom_csv(partial) as out:
        out.writerow([_t(tr, N_("Centre")), _t(tr, N_("Period")), _t(tr, N_("Section")), "key",
                      _t(tr, N_("Figure")), _t(tr, N_("Value")), _t(tr, N_("Unknown"))])
        for report in document.reports:
            rows = [(_t(tr, SECTIONS[r.section]), r.key, tr.text(r.label), r.value, r.unknown)
                    for r in figure_rows(report, document.percent)]
            rows += [(_t(tr, N_("Courses")), f"course.{c.code}.{name}", tr.text(c.title), value, None)
                     for c in course_rows(report)
                     for name, value in (("trained", c.trained.people), ("completed", c.completed))]
            for section, key, label, value, unknown in rows:
                out.writerow([csv_text(report.facts.slug), _period(document), section, key, csv_text(label),
                              "" if value is None else value, "" if unknown is None else unknown])


def as_json(document: MonitoringDocument) -> dict[str, Any]:
    """Keys, not labels: the same in every language (a program reads it)."""
    return {
        "first_day": document.first_day.isoformat(), "last_day": document.last_day.isoformat(),
        "made_on": document.made_on.isoformat(), "completed_percent": document.percent,
        "centres": [{
            "centre": report.facts.slug,
            "name": {"kk": report.facts.name.kk, "ru": report.facts.name.ru},
            "figures": {row.key: row.value if row.unknown is None
                        else {"value": row.value, "unknown": row.unknown}
                        for row in figure_rows(report, document.percent)},
            "courses": [{"code": c.code, "title": {"kk": c.title.kk, "ru": c.title.ru},
                         "sessions_held": c.sessions_held, "trained": c.trained.people,
                         "completed": c.completed, "trained_groups": dict(c.trained.yes)}
                        for c in course_rows(report)],
        } for report in document.reports],
    }
