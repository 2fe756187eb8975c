"""The Crime Open Database adapters: the full format (Unix-seconds dates) and an extract."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from beatwise.ingest.errors import BadInputError
from beatwise.ingest.sources import get_source

from .conftest import FIXTURES, Load, rows_like, seen_locally


def test_full_format_maps_codes_cities_and_local_unix_seconds(load: Load) -> None:
    loaded = load("code", "code_homicides.csv")
    assert (loaded.result.rows_read, loaded.result.rows_rejected) == (13, 5)
    assert loaded.rejected() == [
        (8, "city_name", "Springfield"),  # not a CODE city ...
        (8, "latitude", "39.78"),  # ... so its point is in no CODE city's box either
        (9, "offense_code", "99Z"),
        (10, "latitude", "0"),
        (11, "date_single", "not-a-date"),
        (12, "latitude", "-73.9"),  # latitude and longitude swapped
    ]
    assert "code_offense_codes.csv" in loaded.rejects[2]["reason"]
    assert "code_cities.csv" in loaded.rejects[0]["reason"]
    rows = loaded.rows
    # Unix seconds hold local wall time: 1420495860 is 2015-01-05 22:11 in Chicago (CST)
    expected = {
        "2873990": ("America/Chicago", datetime(2015, 1, 6, 4, 11, tzinfo=UTC)),
        "3000001": ("America/Los_Angeles", datetime(2015, 7, 1, 7, 0, tzinfo=UTC)),
        "3000002": ("America/New_York", datetime(2015, 3, 8, 5, 0, tzinfo=UTC)),
        "3000003": ("America/Phoenix", datetime(2015, 9, 1, 7, 0, tzinfo=UTC)),
        "3000004": ("America/Detroit", datetime(2015, 5, 1, 4, 0, tzinfo=UTC)),
        "3000009": ("America/New_York", datetime(2015, 1, 1, 5, 0, tzinfo=UTC)),
        # the later line reclassified 09A to 09B
        "2872478": ("America/Chicago", datetime(2015, 1, 3, 11, 50, tzinfo=UTC)),
    }
    assert {rid: (r["time_zone"], r["occurred_start"]) for rid, r in rows.items()} == expected
    assert (rows["2872478"]["nibrs_code"], rows["2872478"]["comparison_sets"]) == (
        "09B",
        ["ucr_part1"],
    )
    assert rows["2873990"]["comparison_sets"] == ["ucr_part1", "violent"]
    assert {r["category"] for r in rows.values()} == {"homicide"}
    assert {r["attempted"] for r in rows.values()} == {None}
    assert (rows["3000004"]["lat"], rows["3000004"]["geo_precision"]) == (None, "none")
    assert (rows["3000003"]["location_type"], rows["3000003"]["location_type_src"]) == (
        "outdoors",
        "other open space",
    )
    assert rows["3000002"]["location_type"] is None


def test_single_offence_extract_takes_the_offence_from_the_source_name(load: Load) -> None:
    loaded = load("code:240", "code_nyc_mvt.csv")
    assert (loaded.result.rows_read, loaded.result.rows_rejected) == (11, 2)
    assert loaded.rejected() == [(6, "date_single", "not a date"), (7, "latitude", "0")]
    rows = loaded.rows
    assert sorted(rows) == [
        "12386084",
        "12386093",
        "12386163",
        "12386230",
        "12386302",
        "12386303",
        "12386304",
        "12386305",  # written 12386305.0
    ]
    assert {
        (r["category"], r["nibrs_code"], r["offense_code_src"], r["time_zone"])
        for r in rows.values()
    } == {("motor_vehicle_theft", "240", "240", "America/New_York")}
    assert {tuple(r["comparison_sets"]) for r in rows.values()} == {("ucr_part1", "property")}
    assert rows["12386084"]["source_line"] == 10  # an identical later line wins
    # CODE's date_single is the midpoint of a range: the range comes from date_start/date_end
    assert (rows["12386084"]["occurred_start"], rows["12386084"]["occurred_end"]) == (
        datetime(2013, 12, 31, 15, 0, tzinfo=UTC),
        datetime(2014, 1, 1, 21, 30, tzinfo=UTC),
    )
    assert rows["12386163"]["occurred_start"] == datetime(2014, 7, 4, 6, 0, tzinfo=UTC)
    assert rows["12386230"]["occurred_start"] == datetime(2015, 3, 8, 7, 30, tzinfo=UTC)
    assert rows["12386163"]["occurred_end"] is None
    assert rows["12386305"]["date_only"] is False  # 00:00 is a time of day
    assert rows["12386302"]["geo_precision"] == "none"
    assert (rows["12386303"]["location_type"], rows["12386304"]["location_type"]) == (
        "outdoors",
        "commercial",
    )


def test_local_date_and_hour_are_the_wall_clock_of_each_city(load: Load) -> None:
    rows = load("code", "code_homicides.csv").rows
    local = {rid: (r["occurred_date"], r["occurred_hour"]) for rid, r in rows.items()}
    assert local["2873990"] == (date(2015, 1, 5), 22)  # 04:11 UTC on 6 January
    assert local["3000001"] == (date(2015, 7, 1), 0)  # Los Angeles midnight, 07:00 UTC
    assert local["3000002"] == (date(2015, 3, 8), 0)  # New York, the day clocks went forward
    assert all(local[rid] == seen_locally(row) for rid, row in rows.items())


def test_an_extract_takes_the_local_date_and_hour_from_the_range_start(
    load: Load, tmp_path: Path
) -> None:
    rows = load("code:240", "code_nyc_mvt.csv").rows
    local = {rid: (r["occurred_date"], r["occurred_hour"]) for rid, r in rows.items()}
    assert local["12386084"] == (date(2013, 12, 31), 10)  # date_start, not date_single
    assert local["12386230"] == (date(2015, 3, 8), 3)  # 3:30 EDT on the spring-forward day
    assert local["12386303"] == (date(2017, 12, 31), 23)  # 04:00 UTC on 1 January 2018
    assert all(local[rid] == seen_locally(row) for rid, row in rows.items())
    changes = [
        {"uid": "1", "date_single": "2016-11-06", "date_start": "", "date_end": ""},
        {"uid": "2", "date_single": "2016-11-06 01:30", "date_start": "", "date_end": ""},
        {"uid": "3", "date_single": "2016-11-06 23:30", "date_start": "", "date_end": ""},
    ]
    loaded = load("code:240", rows_like("code_nyc_mvt.csv", tmp_path / "dst.csv", changes))
    fall_back = {k: loaded.rows[k] for k in ("1", "2", "3")}
    assert {k: (r["occurred_date"], r["occurred_hour"]) for k, r in fall_back.items()} == {
        "1": (date(2016, 11, 6), None),  # a date alone
        "2": (date(2016, 11, 6), 1),  # the repeated hour
        "3": (date(2016, 11, 6), 23),  # 04:30 UTC on 7 November
    }
    assert all(
        (r["occurred_date"], r["occurred_hour"]) == seen_locally(r) for r in fall_back.values()
    )


def test_an_extract_is_refused_by_the_full_format_adapter(load: Load) -> None:
    with pytest.raises(BadInputError) as caught:
        load("code", "code_nyc_mvt.csv")
    message = str(caught.value)
    assert "city_name" in message and "offense_code" in message and "line 1" in message


def test_an_extract_rejects_rows_whose_own_code_differs(load: Load) -> None:
    loaded = load("code:09A", "code_homicides.csv")
    mismatch = [r for r in loaded.rejects if r["source_line"] == 13]
    assert [(r["column"], r["value"]) for r in mismatch] == [("uid", "2872478")]
    assert loaded.rows["2872478"]["source_line"] == 2
    assert loaded.rows["2872478"]["offense_code_src"] == "09A"


def test_unknown_extract_offence_is_refused_by_name() -> None:
    with pytest.raises(KeyError, match="unknown CODE offence 'XYZ'"):
        get_source("code:XYZ")
    assert get_source("code:240").name == get_source("code").name == "code"
    assert (FIXTURES / "code_nyc_mvt.csv").is_file()
