"""The CompStat sheet's columns and wording, shared by every format.

One description of the printed columns (groups Week to Date, 28 Day, Year to Date with current
year, prior year, % change and Z; the year to date against two years earlier and each base year;
the Historical Perspective) drives the HTML, PDF and XLSX tables, so the formats cannot drift
apart. The notes every sheet carries (data version, method, the 29 February rule, generation
time, legend) are written here once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

import beatwise
from beatwise.compstat.change import Change
from beatwise.compstat.cube import CITY
from beatwise.compstat.report import METHOD, Report, SheetRow

Measure = Literal["current", "prior", "pct_change", "z", "history"]

UP, DOWN = "\u25b2", "\u25bc"
"""Flag symbols: a rise or fall with ``|Z| ≥ 2`` (shown as a symbol, never by colour alone)."""
OFFICIAL = "\u2020"
"""Marks a Historical Perspective figure taken from the publisher's official counts."""
NO_PRIOR = "***.*"

LEAP_DAY_RULE = (
    "29 February is left out of every compared window, so both years cover the same calendar "
    "days; full-year totals keep it."
)
LEGEND: tuple[tuple[str, str], ...] = (
    (
        f"{UP} {DOWN}",
        "a rise or fall with |Z| \u2265 2, Z = 2(\u221acurrent \u2212 \u221aprior): more than "
        "chance usually gives on counts this size (a screen, not a test)",
    ),
    (NO_PRIOR, "no count in the comparison period: percent change undefined"),
    (OFFICIAL, "official published count"),
    ("blank", "not known: the data do not cover that whole year"),
)


@dataclass(frozen=True)
class Comparison:
    """A compared pair of windows: its key in the JSON, its printed title and its counts."""

    key: str
    title: str
    shows_counts: bool
    """Whether the current and prior counts are printed (the YTD-vs-year blocks print % only)."""
    pick: Callable[[SheetRow], Change]


@dataclass(frozen=True)
class Column:
    """One printed column: its header group, its own heading and what it shows."""

    group: str
    heading: str
    measure: Measure
    comparison: Comparison | None = None
    year: int | None = None
    """The Historical Perspective year (``measure == "history"``)."""

    def change(self, row: SheetRow) -> Change:
        """The row's change this column reads (every measure but ``history``)."""
        if self.comparison is None:
            raise ValueError(f"column {self.heading!r} shows no change")
        return self.comparison.pick(row)


def comparisons(report: Report) -> tuple[Comparison, ...]:
    """Week, 28 days, year to date, YTD against two years earlier and each base year."""
    year = report.calendar.as_of.year
    fixed = (
        Comparison("wtd", "Week to Date", True, lambda r: r.wtd),
        Comparison("d28", "28 Day", True, lambda r: r.d28),
        Comparison("ytd", "Year to Date", True, lambda r: r.ytd),
        Comparison("ytd_vs_2y", f"YTD vs {year - 2}", False, lambda r: r.ytd_vs_2y),
    )
    return fixed + tuple(_base(y) for y in report.options.base_years)


def _base(year: int) -> Comparison:
    return Comparison(f"ytd_vs_{year}", f"YTD vs {year}", False, lambda r: r.ytd_vs_base[year])


def printed_columns(report: Report) -> tuple[Column, ...]:
    """Every column after the row label, in printed order."""
    year = report.calendar.as_of.year
    columns: list[Column] = []
    for c in comparisons(report):
        if c.shows_counts:
            columns.append(Column(c.title, str(year), "current", c))
            columns.append(Column(c.title, str(year - 1), "prior", c))
        columns.append(Column(c.title, "% Chg", "pct_change", c))
        columns.append(Column(c.title, "Z", "z", c))
    for y in report.options.years_needing_history():
        columns.append(Column("Historical Perspective", str(y), "history", year=y))
    return tuple(columns)


def ytd_columns(report: Report) -> tuple[Column, ...]:
    """The Year to Date block's columns (the cover's list of commands shows them)."""
    return tuple(c for c in printed_columns(report) if c.comparison and c.comparison.key == "ytd")


def header_groups(columns: tuple[Column, ...]) -> list[tuple[str, int]]:
    """``(group title, number of columns)`` for the top header row, in order."""
    groups: list[tuple[str, int]] = []
    for column in columns:
        if groups and groups[-1][0] == column.group:
            groups[-1] = (column.group, groups[-1][1] + 1)
        else:
            groups.append((column.group, 1))
    return groups


def flag_symbol(change: Change) -> str:
    """``▲`` or ``▼`` when the change is flagged, else empty."""
    if not change.flagged:
        return ""
    return UP if change.z > 0 else DOWN


def z_text(z: float) -> str:
    """Z to two decimals, never ``-0.00``."""
    return f"{z + 0.0:.2f}"


def us_date(day: date) -> str:
    """``M/D/YYYY``, as the NYPD prints dates."""
    return f"{day.month}/{day.day}/{day.year}"


def week_line(report: Report) -> str:
    """``Report covering the week M/D/YYYY through M/D/YYYY`` (Monday to the as-of date)."""
    window = report.calendar.week_to_date
    return f"Report covering the week {us_date(window.start)} through {us_date(window.end)}"


def place_name(level: str, geography: str) -> str:
    """``Citywide`` for the city level, else the level and the geography (``District 011``)."""
    if level == CITY:
        return "Citywide"
    return f"{level.replace('_', ' ').title()} {geography}"


def sheet_title(report: Report, geography: str) -> str:
    """``CompStat — <agency> — <geography>``."""
    return f"CompStat \u2014 {report.agency} \u2014 {place_name(report.level, geography)}"


def anchor(prefix: str, geography: str) -> str:
    """An HTML id for a geography's sheet (letters, digits and hyphens only)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", geography).strip("-").lower() or "blank"
    return f"{prefix}-{slug}"


@dataclass(frozen=True)
class Notes:
    """What every sheet's footer says: the data, the method, the leap-day rule, when made."""

    data_version: str
    method: str
    leap_day: str
    generated: str
    legend: tuple[tuple[str, str], ...]


def notes(report: Report, generated: datetime) -> Notes:
    """The footer of every sheet of ``report``, generated at ``generated``."""
    versions = ", ".join(
        f"{table} v{version}" if version is not None else f"{table} (none)"
        for table, version in report.data_version.items()
    )
    stamp = generated.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Notes(
        data_version=f"Data version: {versions}.",
        method=f"Method: {METHOD} (percent change and the Poisson change score Z).",
        leap_day=LEAP_DAY_RULE,
        generated=f"Generated {stamp} by Beatwise {beatwise.__version__}.",
        legend=LEGEND,
    )


def cover_report(report: Report, cover: Report | None) -> Report | None:
    """The citywide report the cover shows: ``cover``, or ``report`` itself at the city level."""
    if cover is None:
        return report if report.level == CITY else None
    if cover.level != CITY:
        raise ValueError(f"the cover must be a city-level report, not level {cover.level!r}")
    if cover.calendar != report.calendar or cover.agency != report.agency:
        raise ValueError(
            f"the cover ({cover.agency}, as of {cover.calendar.as_of}) is not the report's "
            f"agency and date ({report.agency}, as of {report.calendar.as_of})"
        )
    return cover
