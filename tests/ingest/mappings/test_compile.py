"""The compiler turns each mapping feature into SQL with the documented meaning.

Each test writes a small export, compiles a small mapping for its header and evaluates the
projection in DuckDB; expected values are worked out independently (zoneinfo for local
times, pyproj for reprojection, hmac for pseudonyms, the taxonomy for derived sets).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from pyproj import Transformer

from beatwise.datamodel.taxonomy import CATEGORIES, index_sets
from beatwise.ingest.errors import BadInputError
from beatwise.ingest.mappings import MappingError, compile_mapping, parse_mapping

from .helpers import KEY, Projected, project, read_header

HEAD = """\
name: test-export
version: 1
title: Test export
agency: Test Police Department
table: {table}
time_zone: America/Chicago
credit: Test credit.
id: {{columns: [ID]}}
"""


def run(
    tmp_path: Path, rows: list[dict[str, str]], body: str, table: str = "use_of_force"
) -> Projected:
    path = tmp_path / "export.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    mapping = parse_mapping(HEAD.format(table=table) + body, "test.yaml")
    return project(compile_mapping(mapping, read_header(path), path=path), path)


def utc(zone: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone)).astimezone(UTC)


TIMES = """\
columns:
  occurred_at:
    column: [Date Occurred, OCCURRED_DT]
    format: ["%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y"]
    time: {column: [Time Occurred, OCCURRED_TM], format: ["%H%M", "%H:%M"], zero_pad: 4}
    required: true
"""


def test_local_dates_and_times_become_utc_and_a_missing_time_is_marked(tmp_path: Path) -> None:
    rows = [
        {"ID": "1", "Date  Occurred": "01/09/2014 12:00:00 AM", "Time  Occurred": "415"},
        {"ID": "2", "Date  Occurred": "07/04/2014", "Time  Occurred": "2330"},
        {"ID": "3", "Date  Occurred": "03/09/2014", "Time  Occurred": " "},
        {"ID": "4", "Date  Occurred": "13/45/2014", "Time  Occurred": "1000"},
        {"ID": "5", "Date  Occurred": "03/10/2014", "Time  Occurred": "2575"},
        {"ID": "6", "Date  Occurred": "", "Time  Occurred": "1000"},
    ]
    out = run(tmp_path, rows, TIMES)
    zone = "America/Chicago"
    assert [r["occurred_at"] for r in out.rows[:3]] == [
        utc(zone, 2014, 1, 9, 4, 15),
        utc(zone, 2014, 7, 4, 23, 30),
        utc(zone, 2014, 3, 9, 0, 0),  # the day daylight saving starts: still CST at midnight
    ]
    assert [r["date_only"] for r in out.rows[:3]] == [False, False, True]
    assert [(line, column) for line, column, _ in out.failures] == [
        (5, "Date  Occurred"),
        (6, "Time  Occurred"),
        (7, "Date  Occurred"),
    ]
    assert "format(s) %m/%d/%Y %I:%M:%S %p, %m/%d/%Y" in out.failures[0][2]
    assert "is required" in out.failures[2][2]


def test_alternative_columns_keep_one_shape_whatever_the_header(tmp_path: Path) -> None:
    mapping = parse_mapping(HEAD.format(table="use_of_force") + TIMES, "t.yaml")
    one = compile_mapping(mapping, ("ID", "Date Occurred", "Time Occurred"))
    other = compile_mapping(mapping, ("ID", "OCCURRED_DT", "OCCURRED_TM", "extra"))
    assert len(one.checks) == len(other.checks)
    assert [c.column for c in other.checks][:2] == ["OCCURRED_DT", "OCCURRED_TM"]
    assert one.projection.count(" AS ") == other.projection.count(" AS ")


def test_a_file_without_a_needed_column_is_refused_naming_all_missing(tmp_path: Path) -> None:
    mapping = parse_mapping(HEAD.format(table="use_of_force") + TIMES + "  reason: Why\n", "t.yaml")
    with pytest.raises(BadInputError) as caught:
        compile_mapping(mapping, ("ID", "Time Occurred"), path=tmp_path / "x.csv")
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'x.csv'}, line 1: missing column(s) ")
    assert "'Date Occurred' or 'OCCURRED_DT'" in message and "'Why'" in message


def test_maps_match_loosely_and_unmapped_values_are_rejected(tmp_path: Path) -> None:
    body = """\
columns:
  subject_sex: {column: Sex, map: {Male: male, Female: female, Unknown: null}}
  subject_race_ethnicity: {column: Race, map: {B: black, W: white}, default: other}
"""
    rows = [
        {"ID": "1", "Sex": "  MALE ", "Race": "b"},
        {"ID": "2", "Sex": "unknown", "Race": "Q"},
        {"ID": "3", "Sex": "Martian", "Race": ""},
    ]
    out = run(tmp_path, rows, body)
    assert [(r["subject_sex"], r["subject_race_ethnicity"]) for r in out.rows] == [
        ("male", "black"),
        (None, "other"),
        (None, None),
    ]
    assert out.failures == [
        (
            4,
            "Sex",
            "Sex has a value missing from the map for subject_sex (add it, or give a default)",
        )
    ]


def test_lists_split_map_and_reduce_to_the_highest_level(tmp_path: Path) -> None:
    body = """\
columns:
  force_types: {column: ForceType, split: ","}
  highest_force_level:
    column: ForceType
    split: ","
    map: {Verbal Command: 1, Taser: 4, Foot Pursuit: null}
    reduce: max
"""
    rows = [
        {"ID": "1", "ForceType": " Verbal Command, Taser,"},
        {"ID": "2", "ForceType": "Foot Pursuit"},
        {"ID": "3", "ForceType": ""},
        {"ID": "4", "ForceType": "Taser, Lasso"},
    ]
    out = run(tmp_path, rows, body)
    assert [(r["force_types"], r["highest_force_level"]) for r in out.rows[:3]] == [
        (["Verbal Command", "Taser"], 4),
        (["Foot Pursuit"], None),
        (None, None),
    ]
    assert [(line, column) for line, column, _ in out.failures] == [(5, "ForceType")]


def test_yes_no_columns_become_flags_and_booleans(tmp_path: Path) -> None:
    body = """\
columns:
  force_types: {flags: {Taser Used: CEW, K9 Used: K9}}
  highest_force_level: {flags: {Taser Used: 4, K9 Used: 6}, reduce: max}
  subject_arrested: {column: Arrested, map: {Felony: true, Misdemeanor: true, None: false}}
  subject_injured: Injured
  officer_injured: {column: Hurt, true_values: [Hurt], false_values: [Fine]}
"""
    rows = [
        {
            "ID": "1",
            "Taser Used": "Yes",
            "K9 Used": "yes",
            "Arrested": "Felony",
            "Injured": "N",
            "Hurt": "Hurt",
        },
        {
            "ID": "2",
            "Taser Used": "No",
            "K9 Used": "No",
            "Arrested": "None",
            "Injured": "true",
            "Hurt": "Fine",
        },
        {
            "ID": "3",
            "Taser Used": "TaserUsed",
            "K9 Used": "No",
            "Arrested": "",
            "Injured": "maybe",
            "Hurt": "",
        },
    ]
    out = run(tmp_path, rows, body)
    got = [
        (
            r["force_types"],
            r["highest_force_level"],
            r["subject_arrested"],
            r["subject_injured"],
            r["officer_injured"],
        )
        for r in out.rows[:2]
    ]
    assert got == [(["CEW", "K9"], 6, True, False, True), (None, None, False, True, False)]
    # One yes/no check for "Taser Used", though two specs read it.
    assert [(line, column) for line, column, _ in out.failures] == [
        (4, "Taser Used"),
        (4, "Injured"),
    ]


def test_first_of_pattern_and_age_bands(tmp_path: Path) -> None:
    body = """\
columns:
  subject_race_ethnicity:
    first_of:
      - {column: Ethnicity, map: {H: hispanic, N: null}}
      - {column: Race, map: {W: white, B: black}}
  incident_ref: {column: Report, pattern: "^RPT-([0-9]+)$"}
  subject_age_band: {column: Age, age_band: true, null_values: ["0"]}
"""
    rows = [
        {"ID": "1", "Ethnicity": "H", "Race": "W", "Report": "RPT-0042", "Age": "17"},
        {"ID": "2", "Ethnicity": "N", "Race": "B", "Report": "RPT-7", "Age": "65"},
        {"ID": "3", "Ethnicity": "", "Race": "W", "Report": "", "Age": "0"},
        {"ID": "4", "Ethnicity": "N", "Race": "B", "Report": "report 9", "Age": "-1"},
    ]
    out = run(tmp_path, rows, body)
    assert [
        (r["subject_race_ethnicity"], r["incident_ref"], r["subject_age_band"])
        for r in out.rows[:3]
    ] == [("hispanic", "0042", "under_18"), ("black", "7", "65_plus"), ("white", None, None)]
    assert [(line, column) for line, column, _ in out.failures] == [(5, "Report"), (5, "Age")]


def test_identifiers_are_keyed_pseudonyms_and_never_checked(tmp_path: Path) -> None:
    body = """\
columns:
  officer_key: {column: Badge, pseudonymise: true}
  subject_person_key: {column: Subject, pattern: "^([0-9]+):", pseudonymise: true}
"""
    rows = [
        {"ID": "1", "Badge": " 10018 ", "Subject": "555: 2014001"},
        {"ID": "2", "Badge": "", "Subject": "not a match"},
    ]
    out = run(tmp_path, rows, body)

    def keyed(text: str) -> str:
        return "p_" + hmac.new(KEY.encode(), text.encode(), hashlib.sha256).hexdigest()[:20]

    assert (out.rows[0]["officer_key"], out.rows[0]["subject_person_key"]) == (
        keyed("officer|Test Police Department|10018"),
        keyed("person|Test Police Department|555"),
    )
    assert (out.rows[1]["officer_key"], out.rows[1]["subject_person_key"]) == (None, None)
    assert out.failures == []


def test_places_from_lat_lon_projected_xy_and_point_text(tmp_path: Path) -> None:
    body = """\
columns: {}
coordinates:
  - {x: X, y: Y, crs: "EPSG:2276", optional: true}
  - {lat: Lat, lon: Lon, precision: intersection}
  - {point: Where, precision: block}
extent: [-97.10, 32.55, -96.45, 33.10]
"""
    rows = [
        {"ID": "1", "X": "2500000", "Y": "6970000", "Lat": "", "Lon": "", "Where": ""},
        {"ID": "2", "X": "", "Y": "", "Lat": "32.8", "Lon": "-96.8", "Where": ""},
        {"ID": "3", "X": "", "Y": "", "Lat": "", "Lon": "", "Where": "POINT (-96.75 32.70)"},
        {"ID": "4", "X": "", "Y": "", "Lat": "", "Lon": "", "Where": "100 ELM ST\n(32.9, -96.6)"},
        {"ID": "5", "X": "", "Y": "", "Lat": "", "Lon": "", "Where": "100 ELM ST Dallas, TX"},
        {"ID": "6", "X": "0", "Y": "0", "Lat": "", "Lon": "", "Where": ""},
        {"ID": "7", "X": "", "Y": "", "Lat": "", "Lon": "", "Where": "POINT (-77.38 35.60)"},
        {"ID": "8", "X": "", "Y": "", "Lat": "north", "Lon": "-96.8", "Where": ""},
    ]
    out = run(tmp_path, rows, body)
    lon, lat = Transformer.from_crs("EPSG:2276", "EPSG:4326", always_xy=True).transform(
        2500000, 6970000
    )
    first = out.rows[0]
    assert first["lat"] == pytest.approx(lat, abs=1e-7)
    assert first["lon"] == pytest.approx(lon, abs=1e-7)
    assert [(r["lat"], r["lon"], r["geo_precision"]) for r in out.rows[1:5]] == [
        (32.8, -96.8, "intersection"),
        (32.70, -96.75, "block"),
        (32.9, -96.6, "block"),
        (None, None, "none"),
    ]
    assert [(line, column) for line, column, _ in out.failures] == [
        (7, "X"),
        (8, "Where"),
        (9, "Lat"),
    ]
    assert "0,0" in out.failures[0][2] and "outside the agency's extent" in out.failures[1][2]


def test_incidents_get_slugs_and_what_the_category_says(tmp_path: Path) -> None:
    body = """\
columns:
  category: {column: Offense, map: {AUTO: auto theft, AGG: assault, RAPE: rape, BUR: b&e}}
  nibrs_code: {column: Offense, map: {AGG: 13A}, default: null}
  offense_desc_src: Offense
"""
    rows = [{"ID": str(i), "Offense": o} for i, o in enumerate(["AUTO", "AGG", "RAPE", "BUR", "X"])]
    out = run(tmp_path, rows, body, table="incidents")
    got = [
        (r["category"], r["crime_against"], r["is_sensitive"], r["comparison_sets"], r["date_only"])
        for r in out.rows[:4]
    ]
    expected = [
        (
            slug,
            CATEGORIES[slug].crime_against.value,
            CATEGORIES[slug].sensitive,
            list(index_sets(slug, code)),
            False,
        )
        for slug, code in [
            ("motor_vehicle_theft", None),
            ("assault", "13A"),
            ("rape", None),
            ("burglary", None),
        ]
    ]
    assert got == expected
    assert [(line, column) for line, column, _ in out.failures] == [(6, "Offense")]  # one reason


def test_a_compound_id_keeps_empty_parts_and_an_empty_id_is_rejected(tmp_path: Path) -> None:
    mapping = parse_mapping(
        HEAD.format(table="use_of_force").replace("[ID]", "[File, Seq]") + "columns: {}\n",
        "t.yaml",
    )
    path = tmp_path / "ids.csv"
    path.write_text("File,Seq\nA,1\nA,\n,\n")
    source = compile_mapping(mapping, read_header(path))
    with duckdb.connect() as con:
        ids = con.execute(
            f"SELECT {source.natural_id} FROM read_csv('{path}', all_varchar = true)"
        ).fetchall()
    assert ids == [("A|1",), ("A|",), (None,)]
    assert [line for line, _, _ in project(source, path).failures] == [4]


INCIDENT_TIMES = """\
columns:
  category: {constant: robbery}
  occurred_start:
    column: When
    format: ["%m/%d/%Y %H:%M", "%Y-%m-%dT%H:%M:%S%z", "%m/%d/%Y"]
"""


def test_incidents_get_the_local_date_and_hour_they_were_written_with(tmp_path: Path) -> None:
    written = {
        "03/04/2018 22:10": (date(2018, 3, 4), 22),  # 04:10 UTC on 5 March
        "03/11/2018 01:59": (date(2018, 3, 11), 1),  # clocks go forward at 2:00
        "03/11/2018 03:15": (date(2018, 3, 11), 3),
        "11/04/2018 01:30": (date(2018, 11, 4), 1),  # the repeated hour
        "11/04/2018 23:30": (date(2018, 11, 4), 23),  # 05:30 UTC on 5 November
        "07/19/2017": (date(2017, 7, 19), None),  # a date alone: no hour
        "2018-03-05T05:30:00+00:00": (date(2018, 3, 4), 23),  # its own offset, seen locally
        "": (None, None),
    }
    rows = [{"ID": str(i), "When": w} for i, w in enumerate(written)]
    out = run(tmp_path, rows, INCIDENT_TIMES, table="incidents")
    assert out.failures == []
    assert [(r["occurred_date"], r["occurred_hour"]) for r in out.rows] == list(written.values())
    for row in out.rows[:-1]:
        local = row["occurred_start"].astimezone(ZoneInfo("America/Chicago"))
        assert row["occurred_date"] == local.date()
        assert row["occurred_hour"] == (None if row["date_only"] else local.hour)


def test_a_separate_time_column_and_first_of_keep_the_local_date_and_hour(
    tmp_path: Path,
) -> None:
    body = """\
columns:
  category: {constant: robbery}
  occurred_start:
    first_of:
      - column: Date
        format: "%m/%d/%Y"
        time: {column: Time, format: "%H%M", zero_pad: 4}
      - {column: Fallback, format: "%Y-%m-%d %H:%M"}
"""
    rows = [
        {"ID": "1", "Date": "03/10/2019", "Time": "2330", "Fallback": ""},  # 04:30 UTC, 11th
        {"ID": "2", "Date": "03/10/2019", "Time": "", "Fallback": ""},  # a date alone
        {"ID": "3", "Date": "", "Time": "", "Fallback": "2019-11-03 23:15"},
    ]
    out = run(tmp_path, rows, body, table="incidents")
    assert [(r["occurred_date"], r["occurred_hour"]) for r in out.rows] == [
        (date(2019, 3, 10), 23),
        (date(2019, 3, 10), None),
        (date(2019, 11, 3), 23),
    ]
    assert [r["date_only"] for r in out.rows] == [False, True, False]
    assert out.rows[0]["occurred_start"] == utc("America/Chicago", 2019, 3, 10, 23, 30)
    assert out.rows[2]["occurred_start"] == datetime(2019, 11, 4, 5, 15, tzinfo=UTC)


def test_the_local_date_and_hour_cannot_be_mapped(tmp_path: Path) -> None:
    text = HEAD.format(table="incidents") + INCIDENT_TIMES + "  occurred_date: When\n"
    with pytest.raises(MappingError) as caught:
        parse_mapping(text, "test.yaml")
    assert "occurred_date is set from occurred_start" in str(caught.value)
