"""The CompStat sheet: for an as-of date, every geography of a level × every row × every window.

Columns, as the NYPD prints them: week to date, 28 days and year to date, each with the same
dates a year earlier, the percent change and the Poisson change score; the year to date against
two years earlier and against chosen base years; and the Historical Perspective (full-year
totals). Rows: the agency's comparison set, TOTAL (their sum), then extra rows. The windows and
the 29 February rule are in :mod:`beatwise.compstat.calendar`; the method in
docs/methods/compstat.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow.compute as pc

from beatwise.compstat.calendar import ReportCalendar, Window
from beatwise.compstat.change import Change
from beatwise.compstat.cube import CITY, Cube
from beatwise.compstat.history import OfficialCounts, YearTotal, whole_years
from beatwise.compstat.rows import RowSet, RowSpec, default_row_set
from beatwise.compstat.windows import LevelCounts
from beatwise.datamodel.geography import area_order

METHOD = "docs/methods/compstat.md"
TOTAL = "TOTAL"


@dataclass(frozen=True)
class SheetOptions:
    """What a report shows: date, level, geography, rows and the extra comparison years."""

    as_of: date
    level: str = CITY
    geography: str | None = None
    rows: RowSet | None = None
    extras: tuple[RowSpec, ...] = ()
    base_years: tuple[int, ...] = ()
    history_years: tuple[int, ...] = ()

    def years_needing_history(self) -> tuple[int, ...]:
        """The Historical Perspective years, or by default the five before the as-of year."""
        if self.history_years:
            return self.history_years
        return tuple(range(self.as_of.year - 5, self.as_of.year))


@dataclass(frozen=True)
class SheetRow:
    """One line of a sheet: a geography and row with every window's comparison."""

    geography: str
    label: str
    category: str | None
    kind: str
    """``set`` (a comparison-set row), ``total`` or ``extra``."""
    wtd: Change
    d28: Change
    ytd: Change
    ytd_vs_2y: Change
    ytd_vs_base: dict[int, Change] = field(default_factory=dict)
    history: dict[int, YearTotal | None] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The row in the documented JSON shape (docs/compstat.md)."""
        return {
            "geography": self.geography,
            "category": self.label,
            "category_slug": self.category,
            "kind": self.kind,
            "wtd": self.wtd.as_json(),
            "d28": self.d28.as_json(),
            "ytd": self.ytd.as_json(),
            "ytd_vs_2y": self.ytd_vs_2y.as_json(),
            "ytd_vs_base": {str(y): c.as_json() for y, c in self.ytd_vs_base.items()},
            "history": {str(y): t.as_json() if t else None for y, t in self.history.items()},
        }


@dataclass(frozen=True)
class Report:
    """A CompStat report: its sheets' rows, the windows, and the data and method behind them."""

    agency: str
    calendar: ReportCalendar
    level: str
    geographies: tuple[str, ...]
    row_set: RowSet
    options: SheetOptions
    data_version: dict[str, int | None]
    rows: tuple[SheetRow, ...]

    def sheet(self, geography: str) -> list[SheetRow]:
        """The rows of one geography's sheet, in printed order."""
        return [r for r in self.rows if r.geography == geography]

    def as_json(self) -> dict[str, Any]:
        """The documented JSON shape (docs/compstat.md)."""
        cal = self.calendar
        return {
            "as_of": cal.as_of.isoformat(),
            "week": _span(cal.week),
            "level": self.level,
            "agency": self.agency,
            "data_version": self.data_version,
            "method": METHOD,
            "row_set": self.row_set.slug,
            "windows": {
                "wtd": _span(cal.week_to_date),
                "d28": _span(cal.last_28_days),
                "ytd": _span(cal.year_to_date),
            },
            "base_years": list(self.options.base_years),
            "history_years": list(self.options.years_needing_history()),
            "geographies": list(self.geographies),
            "rows": [r.as_json() for r in self.rows],
        }


def _span(window: Window) -> dict[str, str]:
    return {"start": window.start.isoformat(), "end": window.end.isoformat()}


def build_report(cube: Cube, options: SheetOptions, official: OfficialCounts) -> Report:
    """The report of ``options`` from the daily counts ``cube`` and the published counts."""
    if options.level not in cube.levels and not official:
        known = ", ".join(cube.levels)
        raise KeyError(f"no level {options.level!r} is loaded for {cube.agency}; levels: {known}")
    row_set = options.rows or default_row_set(set(cube.sets_present))
    specs = (*row_set.rows, *options.extras)
    geographies = _geographies(cube.geographies(options.level), official)
    key = ("counts", options.level, specs, geographies)
    if key not in cube.memo:
        records = cube.level_table(options.level)
        cube.memo[key] = LevelCounts.of(records, specs, geographies)
    shown = _shown(geographies, options.geography)
    sheet = _Sheet(
        counts=cube.memo[key],
        shown=shown,
        row_set=row_set,
        specs=specs,
        options=options,
        official=official,
        covered=_covered_years(cube),
    )
    return Report(
        agency=cube.agency,
        calendar=ReportCalendar(options.as_of),
        level=options.level,
        geographies=tuple(geographies[g] for g in shown),
        row_set=row_set,
        options=options,
        data_version=cube.version.as_json(),
        rows=sheet.rows(),
    )


Grid = npt.NDArray[np.int64]
"""Geography × printed row counts (set rows, TOTAL, extras)."""


@dataclass(frozen=True)
class _Sheet:
    """Everything one level's sheets are computed from."""

    counts: LevelCounts
    shown: tuple[int, ...]
    """Indexes (into ``counts.geographies``) of the geographies printed."""
    row_set: RowSet
    specs: tuple[RowSpec, ...]
    options: SheetOptions
    official: OfficialCounts
    covered: set[int]

    @property
    def n_set(self) -> int:
        return len(self.row_set.rows)

    def grid(self, window: Window) -> Grid:
        """Counts over ``window`` with the TOTAL column after the set rows."""
        by_row = self.counts.sums(window)
        n = self.n_set
        return np.column_stack([by_row[:, :n], by_row[:, :n].sum(axis=1), by_row[:, n:]])

    def printed(self) -> list[tuple[str, str | None, str]]:
        """Label, category and kind of every printed row, in order."""
        rows: list[tuple[str, str | None, str]] = [
            (s.label, s.category, "set") for s in self.row_set.rows
        ]
        rows.append((TOTAL, None, "total"))
        return rows + [(s.label, s.category, "extra") for s in self.options.extras]

    def rows(self) -> tuple[SheetRow, ...]:
        cal = ReportCalendar(self.options.as_of)
        spans = {"wtd": cal.week_to_date, "d28": cal.last_28_days, "ytd": cal.year_to_date}
        now = {k: self.grid(w) for k, w in spans.items()}
        then = {k: self.grid(w.shifted(1)) for k, w in spans.items()}
        two_years = self.grid(cal.year_to_date.shifted(2))
        base = {y: self.grid(cal.year_to_date_in(y)) for y in self.options.base_years}
        history = self.history()
        rows = []
        for g in self.shown:
            geography = self.counts.geographies[g]
            for r, (label, category, kind) in enumerate(self.printed()):

                def change(a: Grid, b: Grid, g: int = g, r: int = r) -> Change:
                    return Change(int(a[g, r]), int(b[g, r]))

                rows.append(
                    SheetRow(
                        geography=geography,
                        label=label,
                        category=category,
                        kind=kind,
                        wtd=change(now["wtd"], then["wtd"]),
                        d28=change(now["d28"], then["d28"]),
                        ytd=change(now["ytd"], then["ytd"]),
                        ytd_vs_2y=change(now["ytd"], two_years),
                        ytd_vs_base={y: change(now["ytd"], b) for y, b in base.items()},
                        history={y: h[g][r] for y, h in history.items()},
                    )
                )
        return tuple(rows)

    def history(self) -> dict[int, list[list[YearTotal | None]]]:
        """Per year, geography and printed row: the full-year total, or None when unknown."""
        published = {(g, y) for g, y, _ in self.official}
        result: dict[int, list[list[YearTotal | None]]] = {}
        for year in self.options.years_needing_history():
            whole = Window(date(year, 1, 1), date(year, 12, 31))
            counted = self.counts.sums(whole, skip_leap_day=False) if year in self.covered else None
            table: list[list[YearTotal | None]] = []
            for g, geography in enumerate(self.counts.geographies):
                if (geography, year) in published:
                    found = [self.official.get((geography, year, s.category)) for s in self.specs]
                    table.append(self.with_total(found, "official"))
                elif counted is not None:
                    table.append(self.with_total([int(v) for v in counted[g]], "incidents"))
                else:
                    table.append([None] * (len(self.specs) + 1))
            result[year] = table
        return result

    def with_total(self, values: list[int | None], source: str) -> list[YearTotal | None]:
        """Set rows, their TOTAL (None if any is unknown), extras — each as a YearTotal."""
        in_set = values[: self.n_set]
        known = [v for v in in_set if v is not None]
        total = sum(known) if len(known) == len(in_set) else None
        ordered = [*in_set, total, *values[self.n_set :]]
        return [None if v is None else YearTotal(v, source) for v in ordered]


def _geographies(found: list[str], official: OfficialCounts) -> tuple[str, ...]:
    """The level's geographies (with incidents or published counts) in natural order."""
    return tuple(sorted(set(found) | {g for g, _, _ in official}, key=area_order))


def _shown(geographies: tuple[str, ...], wanted: str | None) -> tuple[int, ...]:
    """Indexes of the geographies to print: all, or just ``wanted`` (an error lists them)."""
    if wanted is None:
        return tuple(range(len(geographies)))
    if wanted not in geographies:
        known = ", ".join(geographies[:30])
        raise KeyError(f"no geography {wanted!r} at this level; known: {known}")
    return (geographies.index(wanted),)


def _covered_years(cube: Cube) -> set[int]:
    """The years the agency's dated incidents cover whole."""
    key = ("covered",)
    if key not in cube.memo:
        days = cube.table["day"]
        empty = not len(cube.table)
        cube.memo[key] = set() if empty else whole_years(pc.min(days).as_py(), pc.max(days).as_py())
    covered: set[int] = cube.memo[key]
    return covered
