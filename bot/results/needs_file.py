"""The needs summary as a file: xlsx (a summary sheet with the ranked table and two native
charts, with several centres a sheet of each centre's figures and advice, a sheet per breakdown,
one with what else people want to learn), csv (the summary table, UTF-8 with BOM for Excel) or
json (everything, by id, with labels in both languages).

What villagers typed (settlements, "other" interests) goes through ``bot.results.sheets``: text
stays text in a cell, never a formula."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from bot.i18n import Translator
from bot.results.sheets import append_row, bom_csv, csv_text, header_row, sheet_title, show_axes
from flows.events import N_, Localized, Msg, Text
from flows.reports.needs import BREAKDOWNS, OTHER, SETTLEMENT, InterestNeed, NeedsSummary
from flows.reports.needs_seats import ADVICE, Advice

SUMMARY_COLUMNS = (
    ("rank", N_("Rank")), ("interest", N_("Learning interest")), ("asked", N_("Asked")),
    ("seats", N_("Seats")), ("free_seats", N_("Free seats")), ("waiting", N_("Waiting")),
    ("unmet", N_("Still wanting")), ("advice", N_("Advice")), ("courses", N_("Courses")),
)
BREAKDOWN_SHEETS = {
    "settlement": N_("Settlements"), "gender": N_("Gender"), "age_group": N_("Age"),
    "situation": N_("Occupation"), "times": N_("Convenient times"), "barriers": N_("Barriers"),
}
MIN_WIDTH, MAX_WIDTH = 8, 60
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
        with bom_csv(partial) as out:
            out.writerow(summary_headers(tr))
            out.writerows([csv_text(value) for value in row] for row in summary_rows(document.summary, tr))
    else:
        partial.write_text(json.dumps(as_json(document, tr), ensure_ascii=False, indent=2), encoding="utf-8")


def _t(tr: Translator, key: str, **params: Any) -> str:
    return tr.text(Msg(key, params))


def summary_headers(tr: Translator) -> list[str]:
    return [_t(tr, header) for _key, header in SUMMARY_COLUMNS]


def advice_text(row: InterestNeed, tr: Translator) -> str:
    """The interest's advice; with several centres the most urgent, and for which centres when
    not for all of them."""
    text = _t(tr, ADVICE[row.advice])
    if len(row.advice_at) < len(row.by_centre):
        return f"{text} ({', '.join(row.advice_at)})"
    return text


def summary_rows(summary: NeedsSummary, tr: Translator) -> list[list[str | int]]:
    return [[row.rank, tr.text(row.label), row.asked, row.seats, row.free, row.waiting, row.unmet,
             advice_text(row, tr), ", ".join(row.courses)] for row in summary.interests]


def _table(sheet: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[object]], freeze: str) -> None:
    """A bold header row, frozen, and columns as wide as their longest text (within reason)."""
    longest = [max(len("" if r[i] is None else str(r[i])) for r in [headers, *rows])
               for i in range(len(headers))]
    header_row(sheet, headers, [min(max(MIN_WIDTH, n + 2), MAX_WIDTH) for n in longest], freeze)
    for row in rows:
        append_row(sheet, row)


def _xlsx(partial: Path, document: NeedsDocument, tr: Translator) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its first sheet
    sheet.title = sheet_title(_t(tr, N_("Summary")))
    summary = document.summary
    _table(sheet, summary_headers(tr), summary_rows(summary, tr), "C2")
    last = sheet.max_row
    append_row(sheet, [])
    notes: list[tuple[str, object]] = [
        (_t(tr, N_("Centre")), ", ".join(document.centres)),
        (_t(tr, N_("Surveys completed since")), document.since or "—"),
        (_t(tr, N_("Made on")), document.made_on),
        (_t(tr, N_("People")), summary.people),
        (_t(tr, N_("Completed the survey")), summary.answered),
        (_t(tr, N_("No completed survey")), summary.not_answered),
        *((tr.text(choice.label), people) for choice, people in summary.nothing),
    ]
    for label, value in notes:
        append_row(sheet, [None, label, value])
        if isinstance(value, dt.date):
            sheet.cell(sheet.max_row, 3).number_format = "DD.MM.YYYY"
    explained = N_("Still wanting: people who asked or wait for a seat and hold no seat on "
                   "a course of that interest. Seats: open and planned courses.")
    append_row(sheet, [None, _t(tr, explained)])
    several = len(summary.centres) > 1
    if several:
        append_row(sheet, [None, _t(tr, N_("Each centre's seats answer its own people only. The advice is "
                                           "the most urgent of the centres', for those in brackets; the "
                                           "next sheet has each centre's."))])
    if summary.interests:
        _charts(sheet, last, tr)
    if several:
        _centres_sheet(book.create_sheet(sheet_title(_t(tr, N_("By centre")))), summary, tr)
    for breakdown in BREAKDOWNS:
        made = book.create_sheet(sheet_title(_t(tr, BREAKDOWN_SHEETS[breakdown])))
        if breakdown == SETTLEMENT:
            _settlements_sheet(made, summary, tr)
        else:
            _breakdown_sheet(made, summary, breakdown, tr)
    other = book.create_sheet(sheet_title(_t(tr, N_("Other interests"))))
    texts = [[text] for row in summary.interests if row.interest == OTHER for text in row.other_texts]
    _table(other, [_t(tr, N_("What else they want to learn"))], texts, "A2")
    book.save(partial)


def _charts(sheet: Worksheet, last: int, tr: Translator) -> None:
    interests = Reference(sheet, min_col=INTEREST_COLUMN, min_row=2, max_row=last)
    demand = BarChart()
    demand.type, demand.title = "bar", _t(tr, N_("Demand by interest"))
    demand.add_data(Reference(sheet, min_col=ASKED_COLUMN, min_row=1, max_row=last), titles_from_data=True)
    demand.set_categories(interests)
    demand.legend = None
    demand.x_axis.scaling.orientation = "maxMin"  # the most asked on top, as in the table
    demand.height, demand.width = max(7.5, 0.6 * last), 16
    sheet.add_chart(show_axes(demand), "K2")
    seats = BarChart()
    seats.type, seats.grouping, seats.title = "bar", "clustered", _t(tr, N_("Demand and seats"))
    for column in (ASKED_COLUMN, SEATS_COLUMN, WAITING_COLUMN):
        seats.add_data(Reference(sheet, min_col=column, min_row=1, max_row=last), titles_from_data=True)
    seats.set_categories(interests)
    seats.x_axis.scaling.orientation = "maxMin"
    seats.height, seats.width = max(7.5, 0.9 * last), 16
    sheet.add_chart(show_axes(seats), "K" + str(4 + round(2 * demand.height)))


def _centres_sheet(sheet: Worksheet, summary: NeedsSummary, tr: Translator) -> None:
    """Each centre's figures and advice, for the interests asked for or offered there."""
    headers = [_t(tr, N_("Centre")), *(_t(tr, h) for key, h in SUMMARY_COLUMNS
                                       if key not in ("rank", "courses"))]
    rows = [[need.centre, tr.text(row.label), need.asked, need.seats, need.free, need.waiting, need.unmet,
             _t(tr, ADVICE[need.advice])]
            for row in summary.interests for need in row.by_centre
            if need.asked or need.seats or need.waiting]
    _table(sheet, headers, sorted(rows, key=lambda r: str(r[0])), "C2")


def _settlements_sheet(sheet: Worksheet, summary: NeedsSummary, tr: Translator) -> None:
    """A row per settlement (the largest, the others together, unknown), a column per interest:
    villagers' spellings can be thousands, more than a sheet has columns."""
    headers = [_t(tr, N_("Settlement")), *(tr.text(row.label) for row in summary.interests)]
    rows = [[tr.text(place.label), *(row.breakdowns[SETTLEMENT][place.id] for row in summary.interests)]
            for place in summary.columns[SETTLEMENT]]
    _table(sheet, headers, rows, "B2")


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


def _advice(advice: Advice, tr: Translator) -> dict[str, str]:
    return _both(Msg(ADVICE[advice]), tr)


def as_json(document: NeedsDocument, tr: Translator) -> dict[str, Any]:
    """Ids for keys (the same in every language), labels in both languages beside them."""
    summary = document.summary
    return {
        "report": "needs", "centres": list(document.centres),
        "since": document.since.isoformat() if document.since else None,
        "made_on": document.made_on.isoformat(),
        "people": summary.people, "answered": summary.answered, "not_answered": summary.not_answered,
        "nothing_now": [{"id": choice.id, "label": _both(choice.label, tr), "people": people}
                        for choice, people in summary.nothing],
        "interests": [{
            "rank": row.rank, "id": row.interest, "label": _both(row.label, tr), "asked": row.asked,
            "seats": row.seats, "free_seats": row.free, "waiting": row.waiting, "served": row.served,
            "unmet": row.unmet, "group_size": row.group, "advice": row.advice,
            "advice_text": _advice(row.advice, tr), "advice_centres": list(row.advice_at),
            "courses": list(row.courses),
            "by_centre": [{"centre": need.centre, "asked": need.asked, "seats": need.seats,
                           "free_seats": need.free, "waiting": need.waiting, "served": need.served,
                           "unmet": need.unmet, "group_size": need.group, "advice": need.advice,
                           "advice_text": _advice(need.advice, tr)} for need in row.by_centre],
            "breakdowns": {b: [{"id": c.id, "label": _both(c.label, tr), "people": row.breakdowns[b][c.id]}
                               for c in summary.columns[b]] for b in BREAKDOWNS},
            **({"other_texts": list(row.other_texts)} if row.interest == OTHER else {}),
        } for row in summary.interests],
    }
