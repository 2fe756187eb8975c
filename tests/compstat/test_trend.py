"""The weekly trend against counts made by hand and in plain Python over a hand-made cube."""

from __future__ import annotations

import itertools
import math
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beatwise.compstat.cube import CITY, CITYWIDE, DataVersion, build_cube
from beatwise.compstat.rows import ROW_SETS, RowSpec, extra_row
from beatwise.compstat.selection import Selection
from beatwise.compstat.trend import TrendOptions, predictive_interval, weekly_trend
from beatwise.reports.charts import trend_chart
from beatwise.warehouse.engines import open_engine

from .test_report import Incident, cube_of
from .vega import render
from .warehouses import TORONTO, City, build_city, tiny_city_frame

MCI = "toronto_mci"
ROBBERY = RowSpec("Robbery", "robbery", MCI)
AS_OF = date(2021, 1, 10)  # a Sunday: the week 2021-01-04 .. 2021-01-10 is ISO 2021-W01


def many(n: int, day: date, district: str = "11", category: str = "robbery") -> list[Incident]:
    return [(district, category, MCI, day)] * n


FIXTURE: list[Incident] = [
    ("7", "assault", MCI, date(2018, 12, 17)),  # the first day of data (a Monday)
    # baseline weeks (district 11 robberies): see test_band_from_known_prior_year_weeks
    *many(4, date(2018, 12, 31)),
    *many(2, date(2019, 1, 14)),
    *many(3, date(2019, 12, 30)),
    *many(2, date(2020, 1, 6)),
    *many(1, date(2020, 1, 13)),
    # the weeks shown and the weeks their moving averages reach back to
    *many(2, date(2020, 11, 29)),  # 2020-W48 (Sunday)
    *many(1, date(2020, 12, 7)),  # W50; W49 has none
    *many(4, date(2020, 12, 14)),  # W51
    # W52 (2020-12-21 .. 27) has none
    *many(2, date(2020, 12, 31)),  # W53, across New Year: 2020-12-28 .. 2021-01-03
    *many(1, date(2021, 1, 3)),
    *many(5, date(2021, 1, 10)),  # 2021-W01, the as-of week
    *many(1, date(2021, 1, 11)),  # after the as-of date: never counted
    ("11", "robbery", "", date(2021, 1, 5)),  # not in the MCI set: the MCI row skips it
    ("11", "assault", MCI, date(2021, 1, 5)),  # in TOTAL only
    ("7", "robbery", MCI, date(2021, 1, 5)),  # another district
]
DISTRICT_11 = Selection(ROBBERY, level="district", geography="11")


def nb_quantile(total: int, n: int, p: float) -> int:
    """Smallest k with P(Y ≤ k) ≥ p, Y negative binomial(size total + ½, prob n/(n + 1)),
    summed from k = 0 by the pmf's recurrence."""
    size, prob = total + 0.5, n / (n + 1)
    k, pk = 0, prob**size
    cdf = pk
    while cdf < p:
        pk *= (k + size) / (k + 1) * (1 - prob)
        k += 1
        cdf += pk
    return k


def test_weeks_across_new_year_and_a_53_week_year() -> None:
    trend = weekly_trend(cube_of(FIXTURE), AS_OF, DISTRICT_11, TrendOptions(weeks=4))
    weeks = trend.as_json()["weeks"]
    assert [(w["start"], w["end"], w["iso_year"], w["iso_week"]) for w in weeks] == [
        ("2020-12-14", "2020-12-20", 2020, 51),
        ("2020-12-21", "2020-12-27", 2020, 52),
        ("2020-12-28", "2021-01-03", 2020, 53),
        ("2021-01-04", "2021-01-10", 2021, 1),
    ]
    assert [w["count"] for w in weeks] == [4, 0, 3, 5]  # W52: a real zero, not missing
    # trailing 4-week means: W48..W51, W49..W52, W50..W53, W51..W01
    assert [w["average"] for w in weeks] == [1.75, 1.25, 2.0, 3.0]
    assert all(w["days"] == 7 for w in weeks)


def test_band_from_known_prior_year_weeks() -> None:
    trend = weekly_trend(cube_of(FIXTURE), AS_OF, DISTRICT_11, TrendOptions(weeks=4))
    by_start = {w["start"]: w for w in trend.as_json()["weeks"]}
    # 2021-W01: its Thursday 2021-01-07 a year earlier is in the week of 2020-01-06; two years
    # earlier, in the week of 2019-01-07. With a week either side: 2019-12-30 (3), 2020-01-06
    # (2), 2020-01-13 (1), 2018-12-31 (4), 2019-01-07 (0), 2019-01-14 (2) → 12 in 6 weeks. Three
    # years earlier (weeks of 2017-12-25 .. 2018-01-08) is before the data start.
    w01 = by_start["2021-01-04"]
    assert (w01["baseline_years"], w01["expected"]) == (2, 2.0)
    assert (w01["lower"], w01["upper"]) == (nb_quantile(12, 6, 0.025), nb_quantile(12, 6, 0.975))
    assert (w01["lower"], w01["upper"]) == (0, 6)
    assert w01["flag"] is None
    # 2020-W53: Thursday 2020-12-31 → weeks of 2019-12-30 and 2018-12-31, each ± a week:
    # 0 + 3 + 2 and 0 + 4 + 0 → 9 in 6 weeks.
    w53 = by_start["2020-12-28"]
    assert (w53["baseline_years"], w53["expected"]) == (2, 1.5)
    assert (w53["lower"], w53["upper"]) == (nb_quantile(9, 6, 0.025), nb_quantile(9, 6, 0.975))
    # 2020-W51: two years earlier needs the week of 2018-12-10, before the data start.
    w51 = by_start["2020-12-14"]
    assert w51["baseline_years"] == 1 and w51["expected"] == 0.0  # 2019-12-09 .. 2019-12-29
    assert (w51["lower"], w51["upper"]) == (0, nb_quantile(0, 3, 0.975))
    assert w51["flag"] == "above"  # 4 robberies where none were expected
    assert trend.as_json()["baseline_years"] == {"most": 2, "weeks_with_band": 4}


def test_min_years_leaves_weeks_without_enough_history_without_band() -> None:
    options = TrendOptions(weeks=4, min_years=2)
    weeks = weekly_trend(cube_of(FIXTURE), AS_OF, DISTRICT_11, options).weeks
    assert [w.baseline_years for w in weeks] == [0, 2, 2, 2]
    assert (weeks[0].expected, weeks[0].lower, weeks[0].upper, weeks[0].flag) == (None,) * 4


def test_weeks_before_the_data_are_missing_not_zero() -> None:
    trend = weekly_trend(cube_of(FIXTURE), date(2019, 1, 6), DISTRICT_11, TrendOptions(weeks=5))
    assert [(w.start, w.count) for w in trend.weeks] == [
        (date(2018, 12, 3), None),
        (date(2018, 12, 10), None),
        (date(2018, 12, 17), 0),  # the data start on this Monday
        (date(2018, 12, 24), 0),
        (date(2018, 12, 31), 4),
    ]
    assert [w.average for w in trend.weeks] == [None] * 5  # no 4 covered weeks yet
    assert trend.data_start == date(2018, 12, 17)


def test_an_as_of_date_inside_a_week_counts_the_week_to_date() -> None:
    trend = weekly_trend(cube_of(FIXTURE), date(2021, 1, 5), DISTRICT_11, TrendOptions(weeks=2))
    last = trend.weeks[-1]
    assert (last.days, last.count) == (2, 0)  # Monday and Tuesday; the 10th is after the as-of
    assert (last.average, last.expected, last.baseline_years) == (None, None, 0)


def test_rows_total_and_geographies() -> None:
    cube = cube_of(FIXTURE)

    def as_of_week(selection: Selection) -> int | None:
        return weekly_trend(cube, AS_OF, selection, TrendOptions(weeks=1)).weeks[0].count

    assert as_of_week(DISTRICT_11) == 5
    assert as_of_week(Selection(ROW_SETS[MCI], "district", "11")) == 6  # + the MCI assault
    assert as_of_week(Selection(extra_row("robbery"), "district", "11")) == 6  # + the non-MCI
    assert as_of_week(Selection(ROBBERY, "district", "7")) == 1
    assert as_of_week(Selection(ROBBERY)) == 6  # citywide
    with pytest.raises(KeyError, match="levels: city, district"):
        as_of_week(Selection(ROBBERY, "beat", "1"))
    with pytest.raises(KeyError, match="known: 7, 11"):
        as_of_week(Selection(ROBBERY, "district", "12"))
    with pytest.raises(ValueError, match="one geography"):
        Selection(ROBBERY, CITY, "11")


def test_the_default_two_years_and_the_json() -> None:
    trend = weekly_trend(cube_of(FIXTURE), AS_OF, DISTRICT_11, TrendOptions())
    starts = [w.start for w in trend.weeks]
    assert len(starts) == 104 and starts[-1] == date(2021, 1, 4)
    assert all(b - a == timedelta(days=7) for a, b in itertools.pairwise(starts))
    expected = sum(
        1
        for district, category, sets, day in FIXTURE
        if (district, category, sets) == ("11", "robbery", MCI) and starts[0] <= day <= AS_OF
    )
    assert sum(w.count or 0 for w in trend.weeks) == expected
    payload = trend.as_json()
    assert {k: payload[k] for k in ("level", "geography", "row", "category", "in_set")} == {
        "level": "district",
        "geography": "11",
        "row": "Robbery",
        "category": "robbery",
        "in_set": MCI,
    }
    assert payload["data_version"]["incidents"] == 3
    assert payload["method"] == "docs/methods/compstat-trend.md"
    assert payload["parameters"]["years_back"] == 3


def brute_force_week(incidents: list[Incident], monday: date) -> int:
    return sum(
        1
        for district, category, sets, day in incidents
        if (district, category, sets) == ("11", "robbery", MCI)
        and monday <= day <= monday + timedelta(days=6)
    )


def same_date(day: date, years: int) -> date:
    if (day.month, day.day) == (2, 29):
        return date(day.year - years, 2, 28)
    return date(day.year - years, day.month, day.day)


DAYS = st.dates(date(2016, 1, 1), date(2020, 12, 31))


@settings(max_examples=60, deadline=None)
@given(st.lists(DAYS, min_size=1, max_size=60), st.integers(0, 800))
def test_counts_averages_and_baselines_match_brute_force(days: list[date], offset: int) -> None:
    incidents = [("11", "robbery", MCI, d) for d in days]
    incidents.append(("7", "assault", MCI, date(2016, 1, 4)))  # data start: a Monday
    as_of = date(2018, 3, 4) + timedelta(days=offset)
    trend = weekly_trend(cube_of(incidents), as_of, DISTRICT_11, TrendOptions(weeks=10))
    for week in trend.weeks:
        if week.days == 7:
            assert week.count == brute_force_week(incidents, week.start)
        recent = [brute_force_week(incidents, week.start - timedelta(weeks=i)) for i in range(4)]
        assert week.average == (sum(recent) / 4 if week.days == 7 else None)
        thursday = week.start + timedelta(days=3)
        totals = []
        for k in (1, 2, 3):
            twin = same_date(thursday, k)
            centre = twin - timedelta(days=twin.weekday())
            weeks = [centre + timedelta(weeks=j) for j in (-1, 0, 1)]
            if weeks[0] >= date(2016, 1, 4):
                totals.append(sum(brute_force_week(incidents, m) for m in weeks))
        if week.days == 7:
            assert week.baseline_years == len(totals)
            assert week.expected == pytest.approx(sum(totals) / (3 * len(totals)))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 400), st.integers(1, 15), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_predictive_interval_equals_the_summed_pmf(total: int, n: int, coverage: float) -> None:
    tail = (1 - coverage) / 2
    lower, upper = predictive_interval(total, n, coverage)
    assert (lower, upper) == (nb_quantile(total, n, tail), nb_quantile(total, n, 1 - tail))


def test_predictive_interval_on_large_counts_is_near_the_normal_approximation() -> None:
    # 18,000 incidents in 9 weeks: mean 2000.06, variance 2000.06 × 10/9; ±1.96 sd ≈ ±92
    lower, upper = predictive_interval(18000, 9)
    sd = math.sqrt(18000.5 / 9 * 10 / 9)
    assert abs(lower - (2000.06 - 1.96 * sd)) < 3 and abs(upper - (2000.06 + 1.96 * sd)) < 3
    assert predictive_interval(0, 9) == (0, 1)  # P(0) = 0.9^½ = 0.949, P(≤ 1) = 0.996


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="min_years"):
        TrendOptions(min_years=4)
    with pytest.raises(ValueError, match="coverage"):
        TrendOptions(coverage=1.0)
    assert Selection(ROBBERY).geography == CITYWIDE


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    return build_city(tmp_path_factory.mktemp("trend"))


@pytest.mark.parametrize(
    ("level", "geography", "column"),
    [("neighbourhood", "Elm Park", "Neighbourhood"), ("zone", "003", "zone")],
)
def test_tiny_city_trend_equals_pandas(city: City, level: str, geography: str, column: str) -> None:
    with open_engine("duckdb", city.warehouse) as engine:
        cube = build_cube(engine, TORONTO, DataVersion.latest(engine))
    as_of = date(2020, 12, 27)
    selection = Selection(ROW_SETS[MCI], level, geography)
    trend = weekly_trend(cube, as_of, selection, TrendOptions())
    frame = tiny_city_frame(city.csv)
    monday = frame["day"].map(lambda d: d - timedelta(days=d.weekday()))
    weekly = frame[frame[column] == geography].groupby(monday).size()
    first = frame["day"].min()
    assert trend.data_start == first
    for week in trend.weeks:
        expected_count = None if week.start < first else int(weekly.get(week.start, 0))
        assert week.count == expected_count, week.start
        if week.baseline_years:
            thursday = pd.Timestamp(week.start + timedelta(days=3))
            twins = [(thursday - pd.DateOffset(years=k)).date() for k in (1, 2, 3)]
            centres = [t - timedelta(days=t.weekday()) for t in twins]
            used = [c for c in centres if c - timedelta(weeks=1) >= first]
            around = [c + timedelta(weeks=j) for c in used for j in (-1, 0, 1)]
            total = sum(int(weekly.get(m, 0)) for m in around)
            assert week.baseline_years == len(used)
            assert week.expected == pytest.approx(total / len(around))
    assert trend.most_baseline_years == 1 and sum(w.count or 0 for w in trend.weeks) > 100


def test_trend_chart_draws_the_trend_and_names_its_data_and_method() -> None:
    trend = weekly_trend(cube_of(FIXTURE), AS_OF, DISTRICT_11, TrendOptions(weeks=8))
    spec = trend_chart(trend)
    assert spec["data"]["values"] == trend.as_json()["weeks"]
    assert spec["title"]["text"] == (
        "Robbery — 11 (district), Test PS: weekly incidents, 2020-11-16 to 2021-01-10"
    )
    subtitle = " ".join(spec["title"]["subtitle"])
    assert "Data: incidents v3 · method: docs/methods/compstat-trend.md" in subtitle
    assert "Band: 95% predictive interval" in subtitle and "at most 2 available" in subtitle
    warnings, svg = render(spec)
    assert warnings == []
    for mark in ("mark-area", "mark-rect", "mark-line", "mark-symbol"):
        assert mark in svg
    assert "weekly incidents, 2020-11-16 to 2021-01-10" in svg
