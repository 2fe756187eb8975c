"""The trend around the table: weekly counts over two years, a moving average and the band of
counts to expect from the same weeks of earlier years.

Computed from the daily-count cube (:mod:`beatwise.compstat.cube`), so it costs no warehouse
query and gives the same numbers on every engine. Weeks run Monday to Sunday; every day counts
(29 February too: a week is always seven days, nothing is compared day by day).

Method, formulas and citations: docs/methods/compstat-trend.md. In short, for the week starting
Monday *m* and each of up to ``years_back`` earlier years *k*, the comparable week is the one
holding the same calendar date as *m*'s Thursday *k* years earlier (the ISO rule that names a
week by its Thursday); it and ``half_width`` weeks either side make the baseline. With *n*
baseline weeks holding *S* incidents, the expected count is *S/n* and the band is the central
95% interval of the Poisson–gamma predictive distribution, a negative binomial with size
*S + ½* and probability *n/(n + 1)* (Jeffreys prior), so a short history gives a wide band.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from beatwise.compstat.calendar import week_start, years_before
from beatwise.compstat.change import half_up
from beatwise.compstat.cube import Cube
from beatwise.compstat.selection import Selection
from beatwise.compstat.windows import LevelCounts
from beatwise.datamodel.geography import area_order

METHOD = "docs/methods/compstat-trend.md"
_EPOCH = date(1970, 1, 1)
_WEEK = timedelta(days=7)


@dataclass(frozen=True)
class TrendOptions:
    """How many weeks are shown, how they are averaged, and how the band is made."""

    weeks: int = 104
    average_weeks: int = 4
    """The moving average is over this week and the ``average_weeks - 1`` before it."""
    years_back: int = 3
    """Earlier years the baseline may use (fewer when the data do not reach back)."""
    half_width: int = 1
    """Weeks either side of the comparable week, so each year gives ``2 × half_width + 1``."""
    min_years: int = 1
    """A week with fewer usable earlier years has no band."""
    coverage: float = 0.95
    """Probability of the central predictive interval."""

    def __post_init__(self) -> None:
        if self.weeks < 1 or self.average_weeks < 1 or self.half_width < 0:
            raise ValueError("weeks and average_weeks must be at least 1, half_width at least 0")
        if not 1 <= self.min_years <= self.years_back:
            raise ValueError(f"min_years must be 1 to years_back ({self.years_back})")
        if not 0 < self.coverage < 1:
            raise ValueError(f"coverage must be between 0 and 1, not {self.coverage}")

    def as_json(self) -> dict[str, int | float]:
        """The parameters, by name."""
        return {
            "weeks": self.weeks,
            "average_weeks": self.average_weeks,
            "years_back": self.years_back,
            "half_width": self.half_width,
            "min_years": self.min_years,
            "coverage": self.coverage,
        }


@dataclass(frozen=True)
class TrendWeek:
    """One week: its count, moving average and band (None where the data cannot say)."""

    start: date
    days: int
    """Days counted: 7, or fewer for an as-of week cut short by the as-of date."""
    count: int | None
    """None when the data start after the week's Monday (a zero is a real zero)."""
    average: float | None
    expected: float | None
    lower: int | None
    upper: int | None
    baseline_years: int
    """Earlier years the band was made from (0: no band)."""

    @property
    def end(self) -> date:
        """The week's Sunday."""
        return self.start + timedelta(days=6)

    @property
    def flag(self) -> str | None:
        """``above`` or ``below`` the band, else None."""
        if self.count is None or self.lower is None or self.upper is None:
            return None
        if self.count > self.upper:
            return "above"
        return "below" if self.count < self.lower else None

    def as_json(self) -> dict[str, Any]:
        """The week with its ISO year and week number; averages to two decimals."""
        iso = self.start.isocalendar()
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "iso_year": iso.year,
            "iso_week": iso.week,
            "days": self.days,
            "count": self.count,
            "average": _two(self.average),
            "expected": _two(self.expected),
            "lower": self.lower,
            "upper": self.upper,
            "baseline_years": self.baseline_years,
            "flag": self.flag,
        }


@dataclass(frozen=True)
class Trend:
    """The weekly trend of one row at one geography, and the data and method behind it."""

    agency: str
    selection: Selection
    as_of: date
    data_version: dict[str, int | None]
    data_start: date | None
    options: TrendOptions
    weeks: tuple[TrendWeek, ...]

    @property
    def most_baseline_years(self) -> int:
        """The most earlier years any week's band used."""
        return max((w.baseline_years for w in self.weeks), default=0)

    def as_json(self) -> dict[str, Any]:
        """The trend as JSON: what, as of when, from which data, by which method, and the weeks."""
        return {
            "agency": self.agency,
            **self.selection.as_json(),
            "as_of": self.as_of.isoformat(),
            "data_version": self.data_version,
            "data_start": self.data_start.isoformat() if self.data_start else None,
            "method": METHOD,
            "parameters": self.options.as_json(),
            "baseline_years": {
                "most": self.most_baseline_years,
                "weeks_with_band": sum(w.baseline_years > 0 for w in self.weeks),
            },
            "weeks": [w.as_json() for w in self.weeks],
        }


def _two(value: float | None) -> float | None:
    return None if value is None else half_up(value, 2)


@dataclass(frozen=True)
class _Weeks:
    """Weekly counts from the Monday of the data's first week to the as-of week."""

    origin: date
    counts: npt.NDArray[np.int64]
    data_start: date | None
    as_of: date

    def days(self, monday: date) -> int:
        """Days of the week starting ``monday`` up to the as-of date."""
        return min(7, (self.as_of - monday).days + 1)

    def count(self, monday: date) -> int | None:
        """The week's count, None when the data do not cover it from its Monday."""
        if self.data_start is None or monday < self.data_start:
            return None
        return int(self.counts[(monday - self.origin).days // 7])

    def whole(self, monday: date) -> int | None:
        """The count of a covered, complete week, else None."""
        return self.count(monday) if self.days(monday) == 7 else None


def weekly_trend(
    cube: Cube, as_of: date, selection: Selection, options: TrendOptions | None = None
) -> Trend:
    """The ``options.weeks`` weeks ending with ``as_of``'s week, from the cube's daily counts.

    Parameters
    ----------
    cube
        The agency's daily counts (:func:`beatwise.compstat.cube.build_cube`).
    as_of
        The last day counted; its week (Monday to Sunday) is the last shown.
    selection
        The level, geography and row (or a row set's TOTAL).
    options
        Weeks shown, moving-average length and how the band is made (default: two years, a
        4-week average, a 95% band from up to 3 earlier years).

    Examples
    --------
    >>> from beatwise.compstat.rows import ROW_SETS
    >>> selection = Selection(ROW_SETS["toronto_mci"], "neighbourhood", "Elm Park")
    >>> trend = weekly_trend(cube, date(2020, 3, 1), selection)  # doctest: +SKIP
    """
    options = options or TrendOptions()
    weeks = _weekly_counts(cube, as_of, selection)
    last = week_start(as_of)
    shown = [last - _WEEK * i for i in reversed(range(options.weeks))]
    return Trend(
        agency=cube.agency,
        selection=selection,
        as_of=as_of,
        data_version=cube.version.as_json(),
        data_start=weeks.data_start,
        options=options,
        weeks=tuple(_week(weeks, monday, options) for monday in shown),
    )


def _week(weeks: _Weeks, monday: date, options: TrendOptions) -> TrendWeek:
    """One shown week: count, moving average and band."""
    recent = [weeks.whole(monday - _WEEK * i) for i in range(options.average_weeks)]
    average = None if None in recent else sum(c for c in recent if c is not None) / len(recent)
    years, total = _baseline(weeks, monday, options)
    band = None
    if years >= options.min_years and weeks.days(monday) == 7:
        n = years * (2 * options.half_width + 1)
        band = (total / n, *predictive_interval(total, n, options.coverage))
    return TrendWeek(
        start=monday,
        days=weeks.days(monday),
        count=weeks.count(monday),
        average=average,
        expected=band[0] if band else None,
        lower=band[1] if band else None,
        upper=band[2] if band else None,
        baseline_years=years if band else 0,
    )


def _baseline(weeks: _Weeks, monday: date, options: TrendOptions) -> tuple[int, int]:
    """Earlier years whose comparable weeks are all covered, and the incidents in them."""
    years, total = 0, 0
    span = range(-options.half_width, options.half_width + 1)
    for k in range(1, options.years_back + 1):
        centre = week_start(years_before(monday + timedelta(days=3), k))
        found = [weeks.whole(centre + _WEEK * j) for j in span]
        if None not in found:
            years += 1
            total += sum(c for c in found if c is not None)
    return years, total


def predictive_interval(total: int, n: int, coverage: float = 0.95) -> tuple[int, int]:
    """The central ``coverage`` interval of next week's count after ``total`` in ``n`` weeks.

    Weekly counts are Poisson with a mean μ; with Jeffreys' prior, μ given ``total`` is
    Gamma(total + ½, rate n), and the next count is negative binomial with size ``total + ½`` and
    probability ``n / (n + 1)`` (Gelman et al., *Bayesian Data Analysis*, 3rd ed., §2.6). The
    bounds are its ``(1 − coverage)/2`` and ``(1 + coverage)/2`` quantiles (smallest *k* whose
    cumulative probability reaches them), so the interval holds at least ``coverage``.

    >>> predictive_interval(0, 9)
    (0, 1)
    """
    size, prob = total + 0.5, n / (n + 1)
    mean = size * (1 - prob) / prob
    sd = math.sqrt(mean / prob)
    low = max(0, math.floor(mean - 12 * sd))
    k = np.arange(low, math.ceil(mean + 12 * sd) + 40, dtype=np.float64)
    first = (
        math.lgamma(low + size) - math.lgamma(size) - math.lgamma(low + 1)
        + size * math.log(prob) + low * math.log1p(-prob)
    )  # fmt: skip
    steps = np.log((k[:-1] + size) / (k[:-1] + 1)) + math.log1p(-prob)
    cdf = np.cumsum(np.exp(first + np.concatenate([[0.0], np.cumsum(steps)])))
    tail = (1 - coverage) / 2
    lower, upper = np.searchsorted(cdf, [tail, 1 - tail], side="left")
    return int(k[lower]), int(k[upper])


def _weekly_counts(cube: Cube, as_of: date, selection: Selection) -> _Weeks:
    """Counts of the selection per week, from the data's first week to the as-of week."""
    records = _records(cube, selection)
    start = pc.min(cube.table["day"]).as_py() if len(cube.table) else None
    if start is None or start > as_of:
        return _Weeks(week_start(as_of), np.zeros(1, dtype=np.int64), None, as_of)
    origin = week_start(start)
    level = LevelCounts.of(records, selection.specs, (selection.geography,))
    hits = level.row_matrix.sum(axis=1)[level.cell] * level.counts
    first, last = ((d - _EPOCH).days for d in (origin, as_of))
    keep = (level.days >= first) & (level.days <= last)
    size = (week_start(as_of) - origin).days // 7 + 1
    by_week = np.bincount((level.days[keep] - first) // 7, weights=hits[keep], minlength=size)
    return _Weeks(origin, np.rint(by_week).astype(np.int64), start, as_of)


def _records(cube: Cube, selection: Selection) -> pa.Table:
    """The cube records of the selection's geography; errors name the levels or geographies."""
    if selection.level not in cube.levels:
        known = ", ".join(cube.levels)
        raise KeyError(f"no level {selection.level!r} is loaded for {cube.agency}; levels: {known}")
    at_level = pc.field("level") == selection.level
    records = cube.table.filter(at_level & (pc.field("geography") == selection.geography))
    if not len(records):
        found = {str(g) for g in cube.table.filter(at_level)["geography"].unique().to_pylist()}
        if found:
            known = ", ".join(sorted(found, key=area_order)[:30])
            raise KeyError(
                f"no geography {selection.geography!r} at level {selection.level}; known: {known}"
            )
    return records
