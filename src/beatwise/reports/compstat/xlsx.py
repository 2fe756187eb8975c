"""The CompStat report as an XLSX workbook: a cover, then one worksheet per geography.

Figures stay numbers for whoever sorts and charts them: counts are integers, percent changes are
fractions with a ``0.0%`` format (``***.*`` as text where the prior is 0, as printed), Z has two
decimals and a flagged Z carries its ``▲``/``▼`` in the number format, so the symbol shows
without turning the cell into text. Historical Perspective figures from official counts carry
``†`` the same way. The title, week line and column headers stay frozen while scrolling.
"""

from __future__ import annotations

import io
import re
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from beatwise.compstat.report import Report, SheetRow
from beatwise.reports.compstat.layout import (
    NO_PRIOR,
    OFFICIAL,
    Column,
    Notes,
    cover_report,
    flag_symbol,
    header_groups,
    notes,
    place_name,
    printed_columns,
    sheet_title,
    week_line,
    ytd_columns,
)

COUNT = "#,##0"
PERCENT = "0.0%"
Z = "0.00"
HEADER_ROWS = 5
"""Title, week line, a blank line and the two header rows: frozen on every sheet."""
BOLD = Font(bold=True)
FLAGGED = PatternFill("solid", fgColor="FBE6C9")
HEADER = PatternFill("solid", fgColor="E8EDF3")

Entry = tuple[int | float | str | None, str]
"""A value and its number format."""


def value(column: Column, row: SheetRow) -> Entry:
    """What a worksheet cell holds for ``row`` under ``column``, with its number format."""
    if column.measure == "history":
        assert column.year is not None
        total = row.history.get(column.year)
        if total is None:
            return None, "General"
        marked = total.source == "official"
        return total.count, f'{COUNT}"{OFFICIAL}"' if marked else COUNT
    change = column.change(row)
    if column.measure in ("current", "prior"):
        return (change.current if column.measure == "current" else change.prior), COUNT
    if column.measure == "pct_change":
        pct = change.pct_change
        return (NO_PRIOR, "@") if pct is None else (pct / 100, PERCENT)
    symbol = flag_symbol(change)
    return change.z, f'{Z}" {symbol}"' if symbol else Z


def sheet_names(report: Report) -> dict[str, str]:
    """Geography → worksheet name: Excel's forbidden characters replaced, 31 characters, unique."""
    taken = {"cover"}
    names = {}
    for geography in report.geographies:
        base = re.sub(r"[\[\]:*?/\\']", "_", geography).strip() or "blank"
        name, n = base[:31], 1
        while name.casefold() in taken:
            n += 1
            name = f"{base[: 31 - len(str(n)) - 1]}~{n}"
        taken.add(name.casefold())
        names[geography] = name
    return names


def write_table(ws: Worksheet, report: Report, geography: str, top: int) -> int:
    """The sheet's table with its two header rows from row ``top``; returns the next free row."""
    columns = printed_columns(report)
    ws.cell(top, 1, "Crime complaints").font = BOLD
    ws.merge_cells(start_row=top, start_column=1, end_row=top + 1, end_column=1)
    at = 2
    for title, span in header_groups(columns):
        ws.cell(top, at, title).alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=top, start_column=at, end_row=top, end_column=at + span - 1)
        at += span
    for i, column in enumerate(columns, start=2):
        ws.cell(top + 1, i, column.heading).alignment = Alignment(horizontal="right")
    for header in ws.iter_rows(min_row=top, max_row=top + 1, max_col=len(columns) + 1):
        for c in header:
            c.fill, c.font = HEADER, BOLD
    line = top + 2
    for row in report.sheet(geography):
        ws.cell(line, 1, row.label).font = Font(bold=row.kind == "total")
        for i, column in enumerate(columns, start=2):
            data, number_format = value(column, row)
            target = ws.cell(line, i, data)
            target.number_format = number_format
            target.alignment = Alignment(horizontal="right")
            if column.measure in ("pct_change", "z") and column.change(row).flagged:
                target.fill, target.font = FLAGGED, BOLD
            elif row.kind == "total":
                target.font = BOLD
        line += 1
    return line


def write_notes(ws: Worksheet, footer: Notes, top: int) -> int:
    """The legend and the footer lines from row ``top``; returns the next free row."""
    lines = [f"{symbol}: {meaning}" for symbol, meaning in footer.legend]
    lines += [footer.data_version, footer.method, footer.leap_day, footer.generated]
    for i, text in enumerate(lines):
        ws.cell(top + i, 1, text).font = Font(size=9, color="4A5562")
    return top + len(lines)


def _heading(ws: Worksheet, title: str, week: str) -> None:
    ws.cell(1, 1, title).font = Font(bold=True, size=14)
    ws.cell(2, 1, week).font = BOLD
    ws.column_dimensions["A"].width = 24
    ws.page_setup.orientation = "landscape"


def write_sheet(ws: Worksheet, report: Report, geography: str, footer: Notes) -> None:
    """One geography's worksheet: heading, frozen headers, the table, then the notes."""
    _heading(ws, sheet_title(report, geography), week_line(report))
    end = write_table(ws, report, geography, top=HEADER_ROWS - 1)
    write_notes(ws, footer, end + 1)
    ws.freeze_panes = f"B{HEADER_ROWS + 1}"


def write_cover(
    ws: Worksheet, report: Report, city: Report | None, names: dict[str, str], footer: Notes
) -> None:
    """The cover: the citywide sheet (when there is one), then the list of commands (linked)."""
    _heading(ws, f"CompStat \u2014 {report.agency}", week_line(report))
    line = HEADER_ROWS - 1
    if city is not None and city.geographies:
        line = write_table(ws, city, city.geographies[0], top=line) + 1
    ws.cell(line, 1, "Commands").font = Font(bold=True, size=12)
    ytd = ytd_columns(report)
    for i, column in enumerate(ytd, start=2):
        ws.cell(line, i, f"YTD {column.heading}").font = BOLD
    for geography in report.geographies:
        line += 1
        link = ws.cell(line, 1, place_name(report.level, geography))
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{names[geography]}'!A1")
        total = [r for r in report.sheet(geography) if r.kind == "total"]
        for i, column in enumerate(ytd if total else (), start=2):
            data, number_format = value(column, total[0])
            ws.cell(line, i, data).number_format = number_format
    write_notes(ws, footer, line + 2)


def render_xlsx(report: Report, cover: Report | None, generated: datetime) -> bytes:
    """The workbook's bytes: ``Cover`` then one worksheet per geography, in report order."""
    footer = notes(report, generated)
    names = sheet_names(report)
    book = Workbook()
    first = book.active
    assert isinstance(first, Worksheet)
    first.title = "Cover"
    write_cover(first, report, cover_report(report, cover), names, footer)
    for geography in report.geographies:
        write_sheet(book.create_sheet(names[geography]), report, geography, footer)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
