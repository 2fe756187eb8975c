"""The Chicago adapter on hand-written rows in both real export formats."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from beatwise.ingest.errors import BadInputError

from .conftest import Load, rows_like, seen_locally


def test_rows_are_mapped_and_bad_rows_rejected_with_line_and_reason(load: Load) -> None:
    loaded = load("chicago", "chicago_crimes.csv")
    assert (loaded.result.rows_read, loaded.result.rows_rejected) == (16, 5)
    assert loaded.rejected() == [
        (12, "iucr", "9999"),
        (13, "date", "not a date"),
        (14, "latitude", "0.0"),
        (15, "latitude", "36.619446395"),
        (16, "date", "1/1/1015 0:01"),
    ]
    assert "chicago_iucr.csv" in loaded.rejects[0]["reason"]
    assert "outside the agency's extent" in loaded.rejects[2]["reason"]
    summary = {
        rid: (r["category"], r["nibrs_code"], r["attempted"], r["comparison_sets"])
        for rid, r in loaded.rows.items()
    }
    assert summary == {
        "11023904": ("weapons", "520", False, []),
        # line 17 repeats id 11733061 reclassified from 0810 to 0820: the later line wins
        "11733061": ("larceny", None, False, ["ucr_part1", "property"]),
        "11200001": ("assault", "13B", False, []),
        "11200002": ("robbery", "120", True, ["ucr_part1", "violent", "nypd_seven_majors"]),
        "11200003": ("homicide", "09A", False, ["ucr_part1", "violent", "nypd_seven_majors"]),
        "11200004": ("rape", None, False, ["ucr_part1", "violent", "nypd_seven_majors"]),
        "11200005": ("assault", "13A", False, ["ucr_part1", "violent", "nypd_seven_majors"]),
        "11200006": ("larceny", None, False, ["ucr_part1", "property"]),
        "11200007": ("burglary", "220", False, ["ucr_part1", "property", "nypd_seven_majors"]),
        "11200008": (
            "motor_vehicle_theft",
            "240",
            False,
            ["ucr_part1", "property", "nypd_seven_majors"],
        ),
    }
    assert loaded.rows["11733061"]["source_line"] == 17
    assert loaded.rows["11733061"]["offense_desc_src"] == "THEFT: $500 AND UNDER"


def test_times_are_local_chicago_time_in_utc(load: Load) -> None:
    rows = load("chicago", "chicago_crimes.csv").rows
    # 13:45 CDT (UTC-5) and 9:00 CST (UTC-6); 22:10 CST on 4 March is 04:10 UTC on 5 March
    assert rows["11023904"]["occurred_start"] == datetime(2017, 7, 19, 18, 45, tzinfo=UTC)
    assert rows["11200001"]["occurred_start"] == datetime(2018, 1, 5, 15, 0, tzinfo=UTC)
    assert rows["11200002"]["occurred_start"] == datetime(2018, 3, 5, 4, 10, tzinfo=UTC)
    assert rows["11023904"]["source_updated_at"] == datetime(2018, 2, 10, 21, 50, tzinfo=UTC)
    assert {r["date_only"] for r in rows.values()} == {False}
    assert {r["time_zone"] for r in rows.values()} == {"America/Chicago"}


def test_local_date_and_hour_are_those_written_not_the_utc_ones(load: Load) -> None:
    rows = load("chicago", "chicago_crimes.csv").rows
    # 22:10 CST on 4 March 2018 is 5 March in UTC; 23:59 on New Year's Eve is 2018 in UTC
    assert (rows["11200002"]["occurred_date"], rows["11200002"]["occurred_hour"]) == (
        date(2018, 3, 4),
        22,
    )
    assert (rows["11200008"]["occurred_date"], rows["11200008"]["occurred_hour"]) == (
        date(2017, 12, 31),
        23,
    )
    assert rows["11200008"]["occurred_start"].year == 2018
    for row in rows.values():
        assert (row["occurred_date"], row["occurred_hour"]) == seen_locally(row)


DST_DAYS = {
    "3/11/2018 1:59": (date(2018, 3, 11), 1),  # the last minute of CST
    "3/11/2018 2:30": (date(2018, 3, 11), 2),  # in the skipped hour: kept as written
    "3/11/2018 3:15": (date(2018, 3, 11), 3),
    "11/4/2018 1:30": (date(2018, 11, 4), 1),  # the repeated hour
    "11/4/2018 23:30": (date(2018, 11, 4), 23),  # 05:30 UTC on 5 November
    "2019-12-10": (date(2019, 12, 10), None),  # a date alone has no hour
}


def test_local_date_and_hour_across_the_clock_changes(load: Load, tmp_path: Path) -> None:
    changes = [{"id": str(i), "date": d} for i, d in enumerate(DST_DAYS, start=1)]
    rows = load("chicago", rows_like("chicago_crimes.csv", tmp_path / "dst.csv", changes)).rows
    got = {r["source_record_id"]: (r["occurred_date"], r["occurred_hour"]) for r in rows.values()}
    assert got == {str(i): expected for i, expected in enumerate(DST_DAYS.values(), start=1)}
    # occurred_start reads the skipped 2:30 as 3:30 CDT (08:30 UTC); the hour stays as written
    assert rows["2"]["occurred_start"] == datetime(2018, 3, 11, 8, 30, tzinfo=UTC)
    assert seen_locally(rows["2"]) == (date(2018, 3, 11), 3)
    # the repeated 1:30 is read as standard time (CST, UTC-6)
    assert rows["4"]["occurred_start"] == datetime(2018, 11, 4, 7, 30, tzinfo=UTC)
    for key in ("1", "3", "4", "5", "6"):
        assert got[key] == seen_locally(rows[key])


def test_areas_places_and_flags_are_normalised(load: Load) -> None:
    rows = load("chicago", "chicago_crimes.csv").rows
    first = rows["11023904"]
    assert (first["district"], first["beat"], first["ward"], first["neighbourhood"]) == (
        "8",
        "0832",
        "15",
        "66",
    )
    assert (first["lat"], first["lon"], first["geo_precision"]) == (
        41.7683084,
        -87.68497621,
        "block",
    )
    assert (first["arrest"], first["domestic"], first["location_type"]) == (True, False, "other")
    no_place = rows["11200008"]
    assert (no_place["lat"], no_place["lon"], no_place["geo_precision"]) == (None, None, "none")
    # beat 131.0 → 0131; community area 0 means unknown; lower-case "false" is read
    assert (no_place["beat"], no_place["neighbourhood"], no_place["arrest"]) == (
        "0131",
        None,
        False,
    )
    assert rows["11200006"]["location_type"] == "transit"
    assert rows["11200007"]["location_type"] == "residence"


def test_sex_offences_and_domestic_rows_are_sensitive(load: Load) -> None:
    rows = load("chicago", "chicago_crimes.csv").rows
    sensitive = {rid for rid, r in rows.items() if r["is_sensitive"]}
    assert sensitive == {"11200001", "11200004"}  # domestic battery; criminal sexual assault
    assert rows["11200001"]["domestic"] is True


def test_a_date_only_export_updates_the_same_records(load: Load) -> None:
    load("chicago", "chicago_crimes.csv")
    loaded = load("chicago", "chicago_crimes_2019.csv")
    assert (loaded.result.rows_inserted, loaded.result.rows_updated) == (2, 1)
    updated = loaded.rows["11023904"]  # "11023904.0" in the first export
    assert updated["date_only"] is True
    assert (updated["occurred_date"], updated["occurred_hour"]) == (date(2017, 7, 19), None)
    assert updated["occurred_start"] == datetime(2017, 7, 19, 5, 0, tzinfo=UTC)
    assert updated["source_updated_at"] == datetime(2019, 3, 1, 21, 50, tzinfo=UTC)
    assert loaded.rows["11879189"]["nibrs_code"] == "23C"  # 0860 retail theft
    assert loaded.rows["11976926"]["geo_precision"] == "none"
    assert len(loaded.rows) == 12


def test_a_portal_export_with_title_case_headers_is_refused(load: Load, tmp_path: Path) -> None:
    export = tmp_path / "Crimes_-_2001_to_Present.csv"
    export.write_text(
        "ID,Case Number,Date,Block,IUCR,Primary Type,Description,Location Description,Arrest,"
        "Domestic,Beat,District,Ward,Community Area,FBI Code,X Coordinate,Y Coordinate,Year,"
        "Updated On,Latitude,Longitude,Location\n"
        "9464711,HX114160,01/14/2014 05:00:00 AM,028XX E 80TH ST,0560,ASSAULT,SIMPLE,"
        "APARTMENT,false,true,0422,004,7,46,08A,1196652,1852516,2014,"
        '01/20/2014 12:40:05 AM,41.750176264,-87.554945591,"(41.750176264, -87.554945591)"\n'
    )
    with pytest.raises(BadInputError) as caught:
        load("chicago", export)
    assert "primary_type" in str(caught.value) and str(export) in str(caught.value)
