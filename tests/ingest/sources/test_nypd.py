"""The NYPD complaint adapter on hand-written rows in the real 35-column layout."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from .conftest import Load, rows_like, seen_locally

SEVEN_VIOLENT = ["ucr_part1", "violent", "nypd_seven_majors"]
SEVEN_PROPERTY = ["ucr_part1", "property", "nypd_seven_majors"]


def test_key_codes_map_to_categories_and_the_seven_majors(load: Load) -> None:
    loaded = load("nypd", "nypd_complaints.csv")
    assert (loaded.result.rows_read, loaded.result.rows_rejected) == (16, 4)
    assert loaded.rejected() == [
        (8, "KY_CD", "999"),
        (9, "CMPLNT_FR_DT", "(null)"),
        (10, "CMPLNT_FR_DT", "01/01/1015"),
        (11, "Latitude", "0"),
    ]
    assert "nypd_ky_cd.csv" in loaded.rejects[0]["reason"]
    summary = {
        rid: (r["category"], r["nibrs_code"], r["attempted"], r["comparison_sets"])
        for rid, r in loaded.rows.items()
    }
    assert summary == {
        "100000001": ("homicide", "09A", False, SEVEN_VIOLENT),
        "100000002": ("assault", "13A", True, SEVEN_VIOLENT),
        "100000003": ("larceny", None, False, SEVEN_PROPERTY),
        "100000004": ("larceny", None, False, ["ucr_part1", "property"]),
        "100000005": ("rape", "11A", False, SEVEN_VIOLENT),
        "100000006": ("assault", None, False, []),
        "100000011": ("vandalism", "290", False, []),
        "100000012": ("assault", None, False, []),
        "100000013": ("burglary", "220", False, SEVEN_PROPERTY),
        # the later line reclassifies 110 grand larceny of a motor vehicle to 342 petit
        "100000014": ("motor_vehicle_theft", "240", False, ["ucr_part1", "property"]),
        "100000015": ("robbery", "120", False, SEVEN_VIOLENT),
    }
    assert loaded.rows["100000015"]["offense_code_src"] == "105"
    assert loaded.rows["100000002"]["offense_desc_src"] == (
        "FELONY ASSAULT: ASSAULT 2,1,UNCLASSIFIED"
    )


def test_occurrence_range_and_report_date_in_new_york_time(load: Load) -> None:
    rows = load("nypd", "nypd_complaints.csv").rows
    murder = rows["100000001"]  # 23:30 EST on 15 January
    assert murder["occurred_start"] == datetime(2018, 1, 16, 4, 30, tzinfo=UTC)
    assert murder["reported_at"] == datetime(2018, 1, 16, 5, 0, tzinfo=UTC)
    assert rows["100000002"]["occurred_start"] == datetime(2019, 7, 5, 1, 15, tzinfo=UTC)
    larceny = rows["100000003"]
    assert (larceny["occurred_start"], larceny["occurred_end"]) == (
        datetime(2019, 3, 1, 13, 0, tzinfo=UTC),
        datetime(2019, 3, 3, 23, 0, tzinfo=UTC),
    )
    midnight = rows["100000012"]  # 24:00:00 on 31 December is the next midnight
    assert (midnight["occurred_start"], midnight["date_only"]) == (
        datetime(2019, 1, 1, 5, 0, tzinfo=UTC),
        False,
    )
    no_time = rows["100000013"]
    assert (no_time["occurred_start"], no_time["date_only"]) == (
        datetime(2019, 2, 2, 5, 0, tzinfo=UTC),
        True,
    )
    assert {r["time_zone"] for r in rows.values()} == {"America/New_York"}


def test_local_date_and_hour_are_new_york_ones(load: Load) -> None:
    rows = load("nypd", "nypd_complaints.csv").rows
    local = {rid: (r["occurred_date"], r["occurred_hour"]) for rid, r in rows.items()}
    assert local["100000001"] == (date(2018, 1, 15), 23)  # 04:30 UTC on 16 January
    assert local["100000002"] == (date(2019, 7, 4), 21)  # 01:15 UTC on 5 July
    assert local["100000012"] == (date(2019, 1, 1), 0)  # 24:00:00 on 31 December
    assert local["100000013"] == (date(2019, 2, 2), None)  # no time of day
    assert all(local[rid] == seen_locally(row) for rid, row in rows.items())


def test_local_date_and_hour_across_the_clock_changes(load: Load, tmp_path: Path) -> None:
    written = {
        "1": ("03/10/2019", "01:30:00", (date(2019, 3, 10), 1)),
        "2": ("03/10/2019", "03:30:00", (date(2019, 3, 10), 3)),  # EDT from 3:00
        "3": ("11/03/2019", "01:30:00", (date(2019, 11, 3), 1)),  # the repeated hour
        "4": ("11/03/2019", "23:00:00", (date(2019, 11, 3), 23)),  # 04:00 UTC on 4 November
        "5": ("11/03/2019", "25:00:00", (date(2019, 11, 3), None)),  # not a time: date only
    }
    changes = [
        {"CMPLNT_NUM": key, "CMPLNT_FR_DT": day, "CMPLNT_FR_TM": clock}
        for key, (day, clock, _) in written.items()
    ]
    path = rows_like("nypd_complaints.csv", tmp_path / "dst.csv", changes)
    rows = load("nypd", path).rows
    assert {k: (r["occurred_date"], r["occurred_hour"]) for k, r in rows.items()} == {
        key: expected for key, (_, _, expected) in written.items()
    }
    assert rows["2"]["occurred_start"] == datetime(2019, 3, 10, 7, 30, tzinfo=UTC)
    assert all((r["occurred_date"], r["occurred_hour"]) == seen_locally(r) for r in rows.values())


def test_precinct_place_and_premises(load: Load) -> None:
    rows = load("nypd", "nypd_complaints.csv").rows
    assert rows["100000015"]["district"] == "114"  # written 114.0
    assert (rows["100000001"]["lat"], rows["100000001"]["geo_precision"]) == (40.67006, "block")
    unplaced = rows["100000011"]
    assert (unplaced["lat"], unplaced["geo_precision"], unplaced["location_type_src"]) == (
        None,
        "none",
        None,  # "(null)" is a placeholder, not a premises
    )
    types = {rid: r["location_type"] for rid, r in rows.items()}
    assert (types["100000001"], types["100000002"], types["100000004"]) == (
        "outdoors",
        "residence",
        "commercial",
    )
    assert types["100000015"] == "transit"


def test_rape_and_juvenile_victims_are_sensitive(load: Load) -> None:
    rows = load("nypd", "nypd_complaints.csv").rows
    assert {rid for rid, r in rows.items() if r["is_sensitive"]} == {"100000005", "100000006"}
