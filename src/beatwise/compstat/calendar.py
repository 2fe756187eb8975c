"""The report's windows for an as-of date, and the 29 February rule.

A CompStat sheet compares, for an as-of date, the week to date (weeks run Monday to Sunday),
the last 28 days and the year to date with the same calendar dates one year earlier; the year
to date also with two years earlier and with chosen base years.

**29 February.** The NYPD leaves 29 February out of year-to-date comparisons, so that both
sides cover the same calendar days. Beatwise applies that rule to every compared window (week,
28 days, year to date, base years): a day is counted only if it is not 29 February. Prior dates
are the same month and day in the earlier year; 29 February maps to 28 February. Full-year
totals (the Historical Perspective) are not compared day by day and keep 29 February.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Window:
    """The days ``start`` to ``end``, both included (29 February never counted)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"window ends ({self.end}) before it starts ({self.start})")

    def days(self) -> Iterator[date]:
        """The counted days: every day of the window except 29 February."""
        day = self.start
        while day <= self.end:
            if not is_leap_day(day):
                yield day
            day += timedelta(days=1)

    def shifted(self, years: int) -> Window:
        """The same calendar dates ``years`` earlier."""
        return Window(years_before(self.start, years), years_before(self.end, years))


def is_leap_day(day: date) -> bool:
    """Whether ``day`` is 29 February."""
    return day.month == 2 and day.day == 29


def years_before(day: date, years: int) -> date:
    """The same month and day ``years`` earlier; 29 February becomes 28 February."""
    target = day.year - years
    if is_leap_day(day):
        return date(target, 2, 28)
    return day.replace(year=target)


def week_start(day: date) -> date:
    """The Monday of ``day``'s week (weeks run Monday to Sunday)."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class ReportCalendar:
    """Every window of a CompStat sheet for ``as_of``."""

    as_of: date

    @property
    def week(self) -> Window:
        """The week the sheet covers: its Monday to its Sunday."""
        start = week_start(self.as_of)
        return Window(start, start + timedelta(days=6))

    @property
    def week_to_date(self) -> Window:
        """Monday of the as-of week to the as-of date."""
        return Window(week_start(self.as_of), self.as_of)

    @property
    def last_28_days(self) -> Window:
        """The 28 days ending on the as-of date."""
        return Window(self.as_of - timedelta(days=27), self.as_of)

    @property
    def year_to_date(self) -> Window:
        """1 January to the as-of date."""
        return Window(date(self.as_of.year, 1, 1), self.as_of)

    def year_to_date_in(self, year: int) -> Window:
        """The year-to-date window moved to ``year`` (a base year)."""
        return self.year_to_date.shifted(self.as_of.year - year)
