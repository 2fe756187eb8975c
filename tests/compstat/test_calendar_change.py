"""Windows, the 29 February rule and the change figures, against worked answers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beatwise.compstat.calendar import ReportCalendar, Window, years_before
from beatwise.compstat.change import Change, format_pct, half_up


def test_windows_of_a_sunday_as_of() -> None:
    cal = ReportCalendar(date(2019, 6, 30))
    assert cal.week == Window(date(2019, 6, 24), date(2019, 6, 30))
    assert cal.week_to_date == cal.week
    assert cal.last_28_days == Window(date(2019, 6, 3), date(2019, 6, 30))
    assert cal.year_to_date == Window(date(2019, 1, 1), date(2019, 6, 30))
    assert cal.year_to_date.shifted(1) == Window(date(2018, 1, 1), date(2018, 6, 30))
    assert cal.year_to_date_in(1993) == Window(date(1993, 1, 1), date(1993, 6, 30))


def test_week_spanning_new_year() -> None:
    cal = ReportCalendar(date(2020, 1, 2))  # a Thursday
    assert cal.week == Window(date(2019, 12, 30), date(2020, 1, 5))
    assert cal.week_to_date == Window(date(2019, 12, 30), date(2020, 1, 2))
    assert cal.year_to_date == Window(date(2020, 1, 1), date(2020, 1, 2))
    assert cal.last_28_days.start == date(2019, 12, 6)


def test_leap_day_is_never_counted_and_maps_to_28_february() -> None:
    week = ReportCalendar(date(2020, 3, 1)).week_to_date
    assert week == Window(date(2020, 2, 24), date(2020, 3, 1))
    assert date(2020, 2, 29) not in set(week.days())
    assert len(list(week.days())) == 6
    prior = week.shifted(1)
    assert prior == Window(date(2019, 2, 24), date(2019, 3, 1))
    assert len(list(prior.days())) == 6  # both sides count the same calendar days
    assert years_before(date(2020, 2, 29), 1) == date(2019, 2, 28)
    assert years_before(date(2020, 2, 29), 4) == date(2016, 2, 28)


@given(st.dates(min_value=date(1904, 1, 1), max_value=date(2100, 12, 31)))
def test_ytd_sides_count_the_same_days(as_of: date) -> None:
    ytd = ReportCalendar(as_of).year_to_date
    assert len(list(ytd.days())) == len(list(ytd.shifted(1).days()))
    assert len(list(ytd.days())) == len(list(ytd.shifted(2).days()))


def test_change_figures_as_the_issue_prints_them() -> None:
    change = Change(12, 9)
    assert change.pct_change == 33.3
    assert change.z == 0.93
    assert not change.flagged
    assert change.as_json() == {
        "current": 12,
        "prior": 9,
        "pct_change": 33.3,
        "z": 0.93,
        "flagged": False,
    }


@pytest.mark.parametrize(
    ("current", "prior", "pct", "z", "flagged"),
    [
        (0, 0, None, 0.0, False),
        (5, 0, None, 4.47, True),  # 2√5
        (1, 8, -87.5, -3.66, True),  # 2(1 − 2√2)
        (100, 81, 23.5, 2.0, True),  # 2(10 − 9): exactly at the flag
        (2, 4, -50.0, -1.17, False),
        (7, 6, 16.7, 0.39, False),
    ],
)
def test_change_table(current: int, prior: int, pct: float | None, z: float, flagged: bool) -> None:
    change = Change(current, prior)
    assert change.pct_change == pct
    assert change.z == z
    assert change.flagged is flagged


def test_percent_prints_as_the_nypd_does() -> None:
    assert format_pct(None) == "***.*"
    assert format_pct(33.3) == "33.3"
    assert format_pct(-100.0) == "-100.0"


def test_halves_round_away_from_zero() -> None:
    assert half_up(0.125, 2) == 0.13
    assert half_up(-0.125, 2) == -0.13
    assert half_up(33.35, 1) == 33.4
