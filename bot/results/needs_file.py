"""The needs summary as a file: xlsx (a summary sheet with the ranked table and two native
charts, a sheet per breakdown, one with what else people want to learn), csv (the summary
table, UTF-8 with BOM for Excel) or json (everything, by id, with labels in both languages)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.i18n import Translator
from flows.events import N_, Localized, Msg, Text
from flows.reports.needs import ADVICE, BREAKDOWNS, OTHER, InterestNeed, NeedsSummary

SUMMARY_COLUMNS = (
    ("rank", N_("Rank")), ("interest", N_("Learning interest")), ("asked", N_("Asked")),
    ("seats", N_("Seats")), ("free_seats", N_("Free seats")), ("waiting", N_("Waiting")),
    ("unmet", N_("Still wanting")), ("advice", N_("Advice")), ("courses", N_("Courses")),
)
BREAKDOWN_SHEETS = {
    "settlement": N_("Settlements"), "gender": N_("Gender"), "age_group": N_("Age"),
    "situation": N_("Occupation"), "times": N_("Convenient times"), "barriers": N_("Barriers"),
}
BOLD = Font(bold=True)
MAX_WIDTH = 60
# Column letters of the summary sheet the charts read (see SUMMARY_COLUMNS).
INTEREST_COLUMN, ASKED_COLUMN, SEATS_COLUMN, WAITING_COLUMN = 2, 3, 4, 6


@dataclass(frozen=True)
class NeedsDocument:
    summary: NeedsSummary
    centres: tuple[str, ...]
    since: dt.date | None
    made_on: dt.date


def write_needs(partial: Path, form: str, document: NeedsDocument, tr: Translator) -> None:
    """Write ``document`` in ``form`` (xlsx, csv, json) to ``partial`` (``files.safe_output``)."""
    if form == "xlsx":
        _xlsx(partial, document, tr)
    elif form == "csv":
        # utf-8-sig: the BOM makes Excel read the Cyrillic as UTF-8.
        with partial.open("w", encoding="utf-8-sig", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(summary_headers(tr))
            out.writerows(summary_rows(document.summary, tr))
    else:
        partial.write_text(json.dumps(as_json(document, tr), ensure_ascii=False, indent=2), encoding="utf-8")


def _t(tr: Translator, key: str, **params: Any) -> str:
    return tr.text(Msg(key, params))


def summary_headers(tr: Translator) -> list[str]:
    return [_t(tr, header) for _key, header in SUMMARY_COLUMNS]


def advice_text(row: InterestNeed, tr: Translator) -> str:
    return _t(tr, ADVICE[row.advice])


def summary_rows(summary: NeedsSummary, tr: Translator) -> list[list[str | int]]:
    return [[row.rank, tr.text(row.label), row.asked, row.seats, row.free, row.waiting, row.unmet,
             advice_text(row, tr), ", ".join(row.courses)] for row in summary.interests]


def _sheet_title(text: str) -> str:
    """Excel's rules for a sheet's name: at most 31 characters, none of []:*?/\\."""
    return "".join(" " if c in "[]:*?/\\" else c for c in text)[:31]


def _table(sheet: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[object]], freeze: str) -> None:
    """A bold header row, frozen, and columns as wide as their longest text (within reason)."""
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(list(row))
    for index in range(1, len(headers) + 1):
        longest = max((len(str(sheet.cell(r, index).value or "")) for r in range(1, sheet.max_row + 1)),
                      default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(8, longest + 2), MAX_WIDTH)
    sheet.freeze_panes = freeze


def _xlsx(partial: Path, document: NeedsDocument, tr: Translator) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its first sheet
    sheet.title = _sheet_title(_t(tr, N_("Summary")))
    summary = document.summary
    _table(sheet, summary_headers(tr), summary_rows(summary, tr), "C2")
    last = sheet.max_row
    sheet.append([])
    notes: list[tuple[str, object]] = [
        (N_("Centre"), ", ".join(document.centres)),
        (N_("Surveys completed since"), document.since or "—"),
        (N_("Made on"), document.made_on),
        (N_("People"), summary.people),
        (N_("Completed the survey"), summary.answered),
        (N_("No completed survey"), summary.not_answered),
    ]
    for label, value in notes:
        sheet.append([None, _t(tr, label), value])
        if isinstance(value, dt.date):
            sheet.cell(sheet.max_row, 3).number_format = "DD.MM.YYYY"
    sheet.append([None, _t(tr, N_("Still wanting: people who asked or wait for a seat and hold no seat on "
                                  "a course of that interest. Seats: open and planned courses."))])
    if summary.interests:
        _charts(sheet, last, tr)
    for breakdown in BREAKDOWNS:
        _breakdown_sheet(book.create_sheet(_sheet_title(_t(tr, BREAKDOWN_SHEETS[breakdown]))),
                         summary, breakdown, tr)
    other = book.create_sheet(_sheet_title(_t(tr, N_("Other interests"))))
    texts = [[text] for row in summary.interests if row.interest == OTHER for text in row.other_texts]
    _table(other, [_t(tr, N_("What else they want to learn"))], texts, "A2")
    book.save(partial)


def _shown_axes(chart: BarChart) -> BarChart:
    """Axes with their labels: openpyxl 3.1 leaves ``delete`` out, which Excel reads as hidden."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    return chart


def _charts(sheet: Worksheet, last: int, tr: Translator) -> None:
    interests = Reference(sheet, min_col=INTEREST_COLUMN, min_row=2, max_row=last)
    demand = BarChart()
    demand.type, demand.title = "bar", _t(tr, N_("Demand by interest"))
    demand.add_data(Reference(sheet, min_col=ASKED_COLUMN, min_row=1, max_row=last), titles_from_data=True)
    demand.set_categories(interests)
    demand.legend = None
    demand.x_axis.scaling.orientation = "maxMin"  # the most asked on top, as in the table
    demand.height, demand.width = max(7.5, 0.6 * last), 16
    sheet.add_chart(_shown_axes(demand), "K2")
    seats = BarChart()
    seats.type, seats.grouping, seats.title = "bar", "clustered", _t(tr, N_("Demand and seats"))
    for column in (ASKED_COLUMN, SEATS_COLUMN, WAITING_COLUMN):
        seats.add_data(Reference(sheet, min_col=column, min_row=1, max_row=last), titles_from_data=True)
    seats.set_categories(interests)
    seats.x_axis.scaling.orientation = "maxMin"
    seats.height, seats.width = max(7.5, 0.9 * last), 16
    sheet.add_chart(_shown_axes(seats), "K" + str(4 + round(2 * demand.height)))


def _breakdown_sheet(sheet: Worksheet, summary: NeedsSummary, breakdown: str, tr: Translator) -> None:
    columns = summary.columns[breakdown]
    headers = [_t(tr, N_("Learning interest")), _t(tr, N_("Asked")), *(tr.text(c.label) for c in columns)]
    rows = [[tr.text(row.label), row.asked, *(row.breakdowns[breakdown][c.id] for c in columns)]
            for row in summary.interests]
    _table(sheet, headers, rows, "C2")


def _both(label: Text, tr: Translator) -> dict[str, str]:
    if isinstance(label, Localized):
        return {"kk": label.kk, "ru": label.ru}
    return {language: tr.catalogs.translator(language).text(label) for language in ("kk", "ru")}


def as_json(document: NeedsDocument, tr: Translator) -> dict[str, Any]:
    """Ids for keys (the same in every language), labels in both languages beside them."""
    summary = document.summary
    return {
        "report": "needs", "centres": list(document.centres),
        "since": document.since.isoformat() if document.since else None,
        "made_on": document.made_on.isoformat(),
        "people": summary.people, "answered": summary.answered, "not_answered": summary.not_answered,
        "interests": [{
            "rank": row.rank, "id": row.interest, "label": _both(row.label, tr), "asked": row.asked,
            "seats": row.seats, "free_seats": row.free, "waiting": row.waiting, "served": row.served,
            "unmet": row.unmet, "group_size": row.group, "advice": row.advice,
            "advice_text": _both(Msg(ADVICE[row.advice]), tr), "courses": list(row.courses),
            "breakdowns": {b: [{"id": c.id, "label": _both(c.label, tr), "people": row.breakdowns[b][c.id]}
                               for c in summary.columns[b]] for b in BREAKDOWNS},
            **({"other_texts": list(row.other_texts)} if row.interest == OTHER else {}),
        } for row in summary.interests],
    }
