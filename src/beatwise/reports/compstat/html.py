"""The CompStat report as HTML: the web app's sheet partial and the standalone page (and PDF).

Every cell's text, classes and flag are prepared here, so the template
``web/templates/compstat/sheet.html`` only lays them out and needs no filters of its own: the
web app includes it with its own environment, the CLI renders it through
``compstat/report.html`` (cover, then one sheet per geography), which WeasyPrint also prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

import jinja2

from beatwise.compstat.change import format_pct
from beatwise.compstat.followup import ReportFollowUps
from beatwise.compstat.report import Report, SheetRow
from beatwise.reports.compstat.layout import (
    DOWN,
    OFFICIAL,
    Column,
    Notes,
    anchor,
    cover_report,
    flag_symbol,
    header_groups,
    notes,
    place_name,
    printed_columns,
    sheet_title,
    week_line,
    ytd_columns,
    z_text,
)


@dataclass(frozen=True)
class Cell:
    """One table cell as printed: text, CSS classes, and the flag symbol with its spoken name."""

    text: str
    css: str
    flag: str = ""
    flag_label: str = ""


@dataclass(frozen=True)
class RowView:
    """A printed row: its label, kind (``set``, ``total``, ``extra``) and cells."""

    label: str
    kind: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class SheetView:
    """Everything ``compstat/sheet.html`` shows for one geography."""

    anchor: str
    geography: str
    title: str
    week_line: str
    caption: str
    row_heading: str
    groups: list[tuple[str, int]]
    headings: tuple[str, ...]
    rows: tuple[RowView, ...]
    notes: Notes


@dataclass(frozen=True)
class CommandView:
    """A line of the cover's list of commands: the sheet's link and its TOTAL year to date."""

    name: str
    anchor: str
    cells: tuple[Cell, ...]


def cell(column: Column, row: SheetRow) -> Cell:
    """The printed cell of ``row`` under ``column``."""
    if column.measure == "history":
        assert column.year is not None
        total = row.history.get(column.year)
        if total is None:
            return Cell("", "num history unknown")
        official = total.source == "official"
        text = f"{total.count:,}{OFFICIAL if official else ''}"
        return Cell(text, "num history official" if official else "num history")
    change = column.change(row)
    symbol = flag_symbol(change)
    flagged = " flagged" if symbol else ""
    if column.measure == "current":
        return Cell(f"{change.current:,}", "num count")
    if column.measure == "prior":
        return Cell(f"{change.prior:,}", "num count prior")
    if column.measure == "pct_change":
        none = " no-prior" if change.pct_change is None else ""
        return Cell(format_pct(change.pct_change), f"num pct{none}{flagged}")
    label = ("notable fall" if symbol == DOWN else "notable rise") if symbol else ""
    return Cell(z_text(change.z), f"num z{flagged}", symbol, label)


def sheet_view(report: Report, geography: str, footer: Notes, prefix: str = "sheet") -> SheetView:
    """The view of ``geography``'s sheet; ``prefix`` keeps HTML ids unique on one page."""
    columns = printed_columns(report)
    title = sheet_title(report, geography)
    return SheetView(
        anchor=anchor(prefix, geography),
        geography=geography,
        title=title,
        week_line=week_line(report),
        caption=(
            f"{report.row_set.title}: counts, percent change and change score Z, "
            f"as of {report.calendar.as_of.isoformat()}"
        ),
        row_heading="Crime complaints",
        groups=header_groups(columns),
        headings=tuple(c.heading for c in columns),
        rows=tuple(
            RowView(r.label, r.kind, tuple(cell(c, r) for c in columns))
            for r in report.sheet(geography)
        ),
        notes=footer,
    )


def commands(report: Report) -> tuple[CommandView, ...]:
    """The cover's list of commands: each geography with its TOTAL year to date."""
    ytd = ytd_columns(report)
    found = []
    for geography in report.geographies:
        total = [r for r in report.sheet(geography) if r.kind == "total"]
        cells = tuple(cell(c, total[0]) for c in ytd) if total else ()
        found.append(
            CommandView(place_name(report.level, geography), anchor("sheet", geography), cells)
        )
    return tuple(found)


@cache
def environment() -> jinja2.Environment:
    """Templates from ``beatwise/web/templates``: strict and autoescaped, as in the web app."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("beatwise.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def document(
    report: Report,
    cover: Report | None,
    generated: datetime,
    *,
    paged: bool,
    followups: ReportFollowUps | None = None,
) -> str:
    """The standalone page: cover (citywide sheet, list of commands) then every sheet, each
    followed by its follow-up items when ``followups`` is given.

    ``paged`` adds what only print shows (the page numbers of the list of commands).
    """
    footer = notes(report, generated)
    city = cover_report(report, cover)
    city_sheet = (
        sheet_view(city, city.geographies[0], footer, "cover")
        if city is not None and city.geographies
        else None
    )
    template = environment().get_template("compstat/report.html")
    return template.render(
        title=f"CompStat \u2014 {report.agency}",
        week_line=week_line(report),
        level=report.level,
        row_set=report.row_set.title,
        cover_sheet=city_sheet,
        commands=commands(report),
        command_headings=tuple(c.heading for c in ytd_columns(report)),
        sheets=[sheet_view(report, g, footer) for g in report.geographies],
        notes=footer,
        paged=paged,
        followups=followups,
    )
