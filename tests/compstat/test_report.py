"""The sheet against plain-Python counts over a hand-made cube with known answers."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beatwise.compstat.calendar import ReportCalendar
from beatwise.compstat.cube import CITY, CITYWIDE, CUBE_SCHEMA, Cube, DataVersion
from beatwise.compstat.report import SheetOptions, build_report
from beatwise.compstat.rows import ROW_SETS, extra_row

Incident = tuple[str, str, str, date]
"""District, category, set key, local day."""

MCI = "toronto_mci"


def cube_of(incidents: list[Incident]) -> Cube:
    """The daily-count cube of ``incidents`` at the city and district levels."""
    counted: Counter[tuple[str, str, str, str, date]] = Counter()
    for district, category, sets, day in incidents:
        counted[(CITY, CITYWIDE, category, sets, day)] += 1
        counted[("district", district, category, sets, day)] += 1
    keys = list(counted)
    table = pa.table(
        {
            "level": [k[0] for k in keys],
            "geography": [k[1] for k in keys],
            "category": [k[2] for k in keys],
            "sets": [k[3] for k in keys],
            "day": [k[4] for k in keys],
            "count": [counted[k] for k in keys],
        },
        schema=CUBE_SCHEMA,
    )
    sets = {s for _, _, key, _ in incidents for s in key.split(";") if s}
    return Cube("Test PS", DataVersion(3, None, None), (CITY, "district"), table, frozenset(sets))


def row(report_json: dict[str, object], geography: str, label: str) -> dict[str, object]:
    rows = report_json["rows"]
    assert isinstance(rows, list)
    (found,) = [
        r
        for r in rows
        if r["geography"] == geography and r["category"] == label and r["kind"] != "extra"
    ]
    assert isinstance(found, dict)
    return found


FIXTURE: list[Incident] = [
    # the as-of week (Mon 2019-06-24 .. Sun 2019-06-30), district 11
    ("11", "robbery", MCI, date(2019, 6, 24)),
    ("11", "robbery", MCI, date(2019, 6, 30)),
    ("11", "robbery", MCI, date(2019, 7, 1)),  # after the as-of date: never counted
    ("11", "assault", MCI, date(2019, 6, 26)),
    ("7", "assault", MCI, date(2019, 6, 27)),
    ("11", "assault", "", date(2019, 6, 27)),  # not in the MCI set: only an extra row sees it
    # the same week a year earlier
    ("11", "robbery", MCI, date(2018, 6, 25)),
    ("11", "robbery", MCI, date(2018, 6, 23)),  # the day before the prior week
    # 28 days, this year and last
    ("11", "robbery", MCI, date(2019, 6, 3)),
    ("11", "robbery", MCI, date(2019, 6, 2)),  # one day too early
    ("11", "robbery", MCI, date(2018, 6, 3)),
    # year to date
    ("11", "robbery", MCI, date(2019, 1, 1)),
    ("11", "robbery", MCI, date(2018, 12, 31)),  # last year, after its YTD window
    ("11", "robbery", MCI, date(2017, 3, 5)),  # two years ago, inside its YTD window
    ("11", "burglary", MCI, date(2016, 2, 29)),  # a leap day: not in any compared window
    ("11", "burglary", MCI, date(2016, 2, 28)),
]


def test_known_answers() -> None:
    options = SheetOptions(
        as_of=date(2019, 6, 30),
        level="district",
        extras=(extra_row("assault"),),
        base_years=(2016,),
        history_years=(2016, 2017, 2018),
    )
    report = build_report(cube_of(FIXTURE), options, {}).as_json()
    assert report["week"] == {"start": "2019-06-24", "end": "2019-06-30"}
    assert report["geographies"] == ["7", "11"]  # numbers sort as numbers
    assert report["data_version"] == {
        "incidents": 3,
        "area_membership": None,
        "official_counts": None,
    }
    robbery = row(report, "11", "Robbery")
    assert robbery["wtd"] == {
        "current": 2,
        "prior": 1,
        "pct_change": 100.0,
        "z": 0.83,
        "flagged": False,
    }
    # 2018-06-23 is outside the prior week but inside the prior 28 days and YTD
    assert robbery["d28"]["current"] == 3 and robbery["d28"]["prior"] == 3
    assert robbery["ytd"]["current"] == 5 and robbery["ytd"]["prior"] == 3
    assert robbery["ytd_vs_2y"]["prior"] == 1
    burglary = row(report, "11", "Break and Enter")
    assert burglary["ytd_vs_base"]["2016"] == {
        "current": 0,
        "prior": 1,
        "pct_change": -100.0,
        "z": -2.0,
        "flagged": True,
    }
    total = row(report, "11", "TOTAL")
    assert total["wtd"]["current"] == 3 and total["wtd"]["prior"] == 1  # 2 robberies + 1 assault
    assert row(report, "11", "Assault")["wtd"]["current"] == 1
    extra = [r for r in report["rows"] if r["geography"] == "11" and r["kind"] == "extra"]
    assert [(r["category"], r["wtd"]["current"]) for r in extra] == [("Assault", 2)]
    auto = row(report, "7", "Auto Theft")
    assert auto["ytd"] == {"current": 0, "prior": 0, "pct_change": None, "z": 0.0, "flagged": False}
    # the data run from 2016-02-28 to 2019-07-01: 2017 and 2018 are whole, 2016 is not
    assert total["history"] == {
        "2016": None,
        "2017": {"count": 1, "source": "incidents"},
        "2018": {"count": 4, "source": "incidents"},
    }


def test_leap_day_incident_is_left_out_of_both_sides() -> None:
    incidents = [
        ("1", "robbery", MCI, date(2020, 2, 29)),
        ("1", "robbery", MCI, date(2020, 2, 28)),
        ("1", "robbery", MCI, date(2019, 2, 28)),
        ("1", "robbery", MCI, date(2019, 3, 1)),
    ]
    report = build_report(cube_of(incidents), SheetOptions(as_of=date(2020, 3, 1)), {}).as_json()
    robbery = row(report, CITYWIDE, "Robbery")
    assert robbery["wtd"]["current"] == 1 and robbery["wtd"]["prior"] == 2
    assert robbery["ytd"]["current"] == 1 and robbery["ytd"]["prior"] == 2


def test_official_counts_fill_the_history_as_published() -> None:
    official = {("11", 2010, "robbery"): 40, ("11", 2010, "assault"): 7}
    options = SheetOptions(as_of=date(2019, 6, 30), level="district", history_years=(2010,))
    report = build_report(cube_of(FIXTURE), options, official).as_json()
    assert row(report, "11", "Robbery")["history"]["2010"] == {"count": 40, "source": "official"}
    assert row(report, "11", "Auto Theft")["history"]["2010"] is None  # not published
    assert row(report, "11", "TOTAL")["history"]["2010"] is None  # incomplete set, no sum
    assert row(report, "7", "Robbery")["history"]["2010"] is None


def test_unknown_level_and_geography_are_clear_errors() -> None:
    cube = cube_of(FIXTURE)
    with pytest.raises(KeyError, match="levels: city, district"):
        build_report(cube, SheetOptions(as_of=date(2019, 6, 30), level="beat"), {})
    with pytest.raises(KeyError, match="known: 7, 11"):
        build_report(cube, SheetOptions(date(2019, 6, 30), "district", geography="12"), {})


def test_default_rows_follow_the_sets_the_data_carry() -> None:
    report = build_report(cube_of(FIXTURE), SheetOptions(as_of=date(2019, 6, 30)), {})
    assert report.row_set is ROW_SETS["toronto_mci"]
    labels = [r.label for r in report.sheet(CITYWIDE)]
    assert labels == ["Assault", "Break and Enter", "Robbery", "Auto Theft", "Theft Over", "TOTAL"]


districts = st.sampled_from(["1", "2", "10"])
categories = st.sampled_from(["robbery", "assault", "larceny"])
set_keys = st.sampled_from([MCI, "", "toronto_mci;ucr_part1"])
days = st.dates(min_value=date(2015, 1, 1), max_value=date(2021, 12, 31))


def brute_force(
    incidents: list[Incident], district: str, category: str, start: date, end: date
) -> int:
    """Incidents of the MCI row by direct comparison (29 February never counted)."""
    return sum(
        1
        for d, c, sets, day in incidents
        if d == district
        and c == category
        and MCI in sets.split(";")
        and start <= day <= end
        and (day.month, day.day) != (2, 29)
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(districts, categories, set_keys, days), min_size=1, max_size=80),
    st.dates(min_value=date(2018, 1, 1), max_value=date(2021, 12, 31)),
)
def test_windows_equal_brute_force(incidents: list[Incident], as_of: date) -> None:
    report = build_report(cube_of(incidents), SheetOptions(as_of=as_of, level="district"), {})
    cal = ReportCalendar(as_of)
    monday = as_of - timedelta(days=as_of.weekday())
    for r in report.rows:
        if r.kind != "set" or r.category not in {"robbery", "assault", "larceny"}:
            continue
        args = (incidents, r.geography, r.category)
        assert r.wtd.current == brute_force(*args, monday, as_of)
        assert r.d28.current == brute_force(*args, as_of - timedelta(days=27), as_of)
        assert r.ytd.current == brute_force(*args, date(as_of.year, 1, 1), as_of)
        prior = cal.year_to_date.shifted(1)
        assert r.ytd.prior == brute_force(*args, prior.start, prior.end)
