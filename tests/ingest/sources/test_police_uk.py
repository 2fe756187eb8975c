"""The data.police.uk street-level adapter: month-only dates, derived ids, crime types."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from .conftest import FIXTURES, Load


def by_line(rows: dict[str, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {r["source_line"]: r for r in rows.values()}


def test_crime_types_map_and_bad_rows_are_rejected(load: Load) -> None:
    loaded = load("police-uk", "police_uk_street.csv")
    assert (loaded.result.rows_read, loaded.result.rows_rejected) == (13, 3)
    assert loaded.rejected() == [
        (9, "Latitude", "0.000000"),
        (10, "Month", "2024-13"),
        (11, "Crime type", "Jaywalking"),
    ]
    assert "police_uk_crime_types.csv" in loaded.rejects[2]["reason"]
    rows = by_line(loaded.rows)
    assert {
        line: (r["category"], r["nibrs_code"], r["comparison_sets"]) for line, r in rows.items()
    } == {
        2: ("burglary", "220", ["ucr_part1", "property"]),
        3: ("other", None, []),
        4: ("other", None, []),
        5: ("assault", None, []),
        6: ("larceny", None, ["ucr_part1", "property"]),
        7: ("larceny", "23C", ["ucr_part1", "property"]),
        8: ("larceny", None, ["ucr_part1", "property"]),
        12: ("robbery", "120", ["ucr_part1", "violent"]),
        13: ("burglary", "220", ["ucr_part1", "property"]),
        14: ("larceny", None, ["ucr_part1", "property"]),
    }
    assert rows[3]["crime_against"] is None  # anti-social behaviour is not a crime
    # British Transport Police reported line 14, within the Met's area: the Met is the agency
    assert {r["agency"] for r in rows.values()} == {"Metropolitan Police Service"}
    assert rows[5]["is_sensitive"] is False


def test_identical_rows_without_crime_id_stay_separate(load: Load) -> None:
    rows = by_line(load("police-uk", "police_uk_street.csv").rows)
    ids = {line: r["source_record_id"] for line, r in rows.items()}
    assert len(set(ids.values())) == 10
    assert ids[3].endswith("-1") and ids[4].endswith("-2")
    assert ids[3].rpartition("-")[0] == ids[4].rpartition("-")[0]
    # an exact duplicate line with a Crime ID is, for now, a second row (see the module doc)
    assert ids[2].rpartition("-")[0] == ids[13].rpartition("-")[0]


def test_month_spans_the_whole_local_month(load: Load) -> None:
    rows = by_line(load("police-uk", "police_uk_street.csv").rows)
    february, april = rows[6], rows[7]
    assert (february["occurred_start"], february["occurred_end"]) == (
        datetime(2024, 2, 1, 0, 0, tzinfo=UTC),
        datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=UTC),
    )
    # British Summer Time: April starts at 23:00 UTC on 31 March
    assert (april["occurred_start"], april["occurred_end"]) == (
        datetime(2024, 3, 31, 23, 0, tzinfo=UTC),
        datetime(2024, 4, 30, 22, 59, 59, 999999, tzinfo=UTC),
    )
    assert {(r["date_only"], r["time_zone"]) for r in rows.values()} == {(True, "Europe/London")}


def test_the_local_date_is_the_first_of_the_month_and_there_is_no_hour(load: Load) -> None:
    rows = by_line(load("police-uk", "police_uk_street.csv").rows)
    assert {line: r["occurred_date"] for line, r in rows.items()} == {
        line: date(2024, month, 1)
        for line, month in {2: 3, 3: 3, 4: 3, 5: 3, 6: 2, 7: 4, 8: 3, 12: 3, 13: 3, 14: 3}.items()
    }
    # April began on 31 March in UTC: the local date is not the UTC one
    assert rows[7]["occurred_start"].date() == date(2024, 3, 31)
    assert {r["occurred_hour"] for r in rows.values()} == {None}


def test_snap_points_lsoa_and_missing_locations(load: Load) -> None:
    rows = by_line(load("police-uk", "police_uk_street.csv").rows)
    first = rows[2]
    assert (first["lat"], first["lon"], first["geo_precision"]) == (51.518207, -0.106453, "block")
    assert (first["neighbourhood"], first["location_type_src"]) == (
        "E01000914",
        "On or near Chancery Lane",
    )
    unplaced = rows[8]
    assert (unplaced["lat"], unplaced["geo_precision"], unplaced["neighbourhood"]) == (
        None,
        "none",
        None,
    )


def test_the_last_outcome_is_the_status_as_published(load: Load) -> None:
    rows = by_line(load("police-uk", "police_uk_street.csv").rows)
    assert {line: r["status"] for line, r in rows.items()} == {
        2: "Investigation complete; no suspect identified",
        3: None,  # anti-social behaviour has no outcome
        4: None,
        5: "Under investigation",
        6: "Status update unavailable",
        7: "Offender given a caution",
        8: "Investigation complete; no suspect identified",
        12: "Awaiting court outcome",
        13: "Investigation complete; no suspect identified",
        14: "Under investigation",
    }


def test_a_later_export_with_a_new_outcome_updates_that_row_only(
    load: Load, tmp_path: Path
) -> None:
    first = load("police-uk", "police_uk_street.csv")
    later = tmp_path / "2024-03-metropolitan-street.csv"
    text = (FIXTURES / "police_uk_street.csv").read_text()
    assert text.count("Awaiting court outcome") == 1
    later.write_text(text.replace("Awaiting court outcome", "Offender sent to prison"))
    second = load("police-uk", later)
    assert (second.result.rows_inserted, second.result.rows_updated) == (0, 1)
    assert second.result.rows_unchanged == 9
    assert set(second.rows) == set(first.rows)
    changed = {
        key for key, row in second.rows.items() if row["status"] != first.rows[key]["status"]
    }
    assert changed == {by_line(first.rows)[12]["source_record_id"]}
    assert second.rows[changed.pop()]["status"] == "Offender sent to prison"
    assert second.result.version == first.result.version + 1
