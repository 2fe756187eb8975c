"""The shipped use-of-force mappings on hand-written files in each city's real format.

These go through the real pipeline: one import of several yearly files whose headers differ,
rejects with file, line and column, keyed pseudonyms that never leave the raw badge number
anywhere in the warehouse, and re-imports that update rather than duplicate.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
from pyproj import Transformer

from beatwise.warehouse import Warehouse

from .conftest import Ingest
from .helpers import FIXTURES, KEY


def keyed(kind: str, agency: str, value: str) -> str:
    text = f"{kind}|{agency}|{value}"
    return "p_" + hmac.new(KEY.encode(), text.encode(), hashlib.sha256).hexdigest()[:20]


def local(zone: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def rows_by_line(warehouse: Warehouse) -> dict[tuple[str, int], dict[str, object]]:
    table = warehouse.to_arrow("use_of_force").to_pylist()
    return {(str(r["source_file"]).rsplit("/", 1)[-1], int(r["source_line"])): r for r in table}


def rejects(warehouse: Warehouse) -> list[tuple[str, int, str]]:
    return sorted(
        (str(r["source_file"]).rsplit("/", 1)[-1], int(r["source_line"]), str(r["column"]))
        for r in warehouse.to_arrow("rejects").to_pylist()
    )


def strings_in(table: pa.Table) -> set[str]:
    return {
        str(v)
        for column in table.columns
        for v in column.to_pylist()
        if isinstance(v, str | list)
        for v in (v if isinstance(v, list) else [v])
    }


DALLAS = [FIXTURES / f"dallas_{year}.csv" for year in (2014, 2017, 2018)]


DALLAS_REJECTS = [
    ("dallas_2014.csv", 4, "OCCURRED_D"),  # no date
    ("dallas_2014.csv", 5, "OCCURRED_TM"),  # 25:99
    ("dallas_2014.csv", 6, "ForceType"),  # not in the map
    ("dallas_2017.csv", 3, "X"),  # 0,0
    ("dallas_2018.csv", 3, "GeoLocation"),  # North Carolina
]


def test_dallas_yearly_formats_load_as_one_import(ingest: Ingest) -> None:
    warehouse, result = ingest("dallas-use-of-force", DALLAS)
    assert (result.rows_read, result.rows_inserted, result.rows_rejected) == (10, 5, 5)
    assert [(f, line) for f, line, _ in rejects(warehouse)] == [
        (f, line) for f, line, _ in DALLAS_REJECTS
    ]
    rows = rows_by_line(warehouse)
    first = rows[("dallas_2014.csv", 2)]
    assert first["occurred_at"] == local("America/Chicago", 2014, 1, 9, 21, 0)
    assert first["force_types"] == ["Verbal Command", "Taser"]
    assert (first["highest_force_level"], first["subject_perceived_crisis"]) == (4, True)
    assert (first["subject_sex"], first["subject_race_ethnicity"]) == ("male", "black")
    assert first["officer_key"] == keyed("officer", "Dallas Police Department", "90018")
    assert rows[("dallas_2014.csv", 3)]["occurred_at"] == local(
        "America/Chicago", 2014, 7, 4, 0, 45
    )
    k9 = rows[("dallas_2017.csv", 2)]
    lon, lat = Transformer.from_crs("EPSG:2276", "EPSG:4326", always_xy=True).transform(
        2500000, 6970000
    )
    assert k9["highest_force_level"] == 6 and k9["geo_precision"] == "block"
    assert k9["lat"] == pytest.approx(lat, abs=1e-7) and k9["lon"] == pytest.approx(lon, abs=1e-7)
    firearm = rows[("dallas_2018.csv", 2)]
    assert firearm["officer_key"] == first["officer_key"]  # CURRENT_BAxx, the same officer
    assert firearm["occurred_at"] == local("America/Chicago", 2018, 8, 3, 0, 0)  # date only
    assert (firearm["highest_force_level"], firearm["lat"]) == (7, 32.782059)
    assert rows[("dallas_2018.csv", 4)]["highest_force_level"] is None  # a foot pursuit


def test_rejects_name_each_files_own_column(ingest: Ingest) -> None:
    warehouse, _ = ingest("dallas-use-of-force", DALLAS)
    assert rejects(warehouse) == DALLAS_REJECTS


def test_no_raw_badge_number_is_stored_anywhere(ingest: Ingest) -> None:
    warehouse, _ = ingest("dallas-use-of-force", DALLAS)
    stored = strings_in(warehouse.to_arrow("use_of_force")) | strings_in(
        warehouse.to_arrow("rejects")
    )
    badges = {"90018", "90019", "90020", "90021", "90022"}
    assert not {s for s in stored if any(b in s for b in badges)}


def test_a_reimport_keeps_the_same_rows(ingest: Ingest) -> None:
    warehouse, first = ingest("dallas-use-of-force", DALLAS)
    ids = sorted(warehouse.to_arrow("use_of_force").column("record_id").to_pylist())
    _, second = ingest("dallas-use-of-force", DALLAS)
    assert (first.rows_inserted, second.rows_inserted) == (len(ids), 0)
    assert sorted(warehouse.to_arrow("use_of_force").column("record_id").to_pylist()) == ids


def test_austin_headers_with_odd_spacing_and_clock_times_without_zeros(ingest: Ingest) -> None:
    files = [FIXTURES / "austin_2009.csv", FIXTURES / "austin_2016.csv"]
    warehouse, result = ingest("austin-use-of-force", files)
    assert (result.rows_read, result.rows_rejected) == (4, 1)
    assert rejects(warehouse) == [("austin_2016.csv", 3, "X-Coordinate")]  # far outside Austin
    rows = rows_by_line(warehouse)
    one, two = rows[("austin_2009.csv", 2)], rows[("austin_2009.csv", 3)]
    zone = "America/Chicago"
    assert one["occurred_at"] == local(zone, 2009, 1, 1, 4, 15)
    assert two["occurred_at"] == local(zone, 2009, 6, 15, 0, 0)  # a blank time: date only
    assert rows[("austin_2016.csv", 2)]["occurred_at"] == local(zone, 2016, 6, 15, 0, 5)
    assert (one["highest_force_level"], two["highest_force_level"]) == (4, 4)
    assert rows[("austin_2016.csv", 2)]["highest_force_level"] == 7  # "firearm -  shotgun"
    assert one["force_types"] == [
        "WEAPONLESS (PRESSURE POINTS/KICKS/HAND)",
        "CED - PRONGS-ENTER # SHOTS",
    ]
    assert one["subject_person_key"] == two["subject_person_key"]
    assert one["subject_person_key"] == keyed("person", "Austin Police Department", "12345")
    assert (one["subject_race_ethnicity"], two["subject_race_ethnicity"]) == ("hispanic", "black")
    assert (one["ward"], rows[("austin_2016.csv", 2)]["ward"]) == ("9", "2")


def test_seattle_levels_and_placeholder_areas(ingest: Ingest) -> None:
    warehouse, result = ingest("seattle-use-of-force", [FIXTURES / "seattle.csv"])
    assert (result.rows_inserted, result.rows_rejected) == (3, 0)
    rows = rows_by_line(warehouse)
    ois = rows[("seattle.csv", 3)]
    assert (ois["highest_force_level"], ois["district"], ois["beat"]) == (7, None, None)
    assert rows[("seattle.csv", 2)]["highest_force_level"] is None
    assert ois["subject_person_key"] == rows[("seattle.csv", 2)]["subject_person_key"]
    assert ois["occurred_at"] == local("America/Los_Angeles", 2015, 3, 8, 2, 30)


def test_identical_rows_stay_apart_and_dates_without_times_load(ingest: Ingest) -> None:
    warehouse, result = ingest("indianapolis-use-of-force", [FIXTURES / "indianapolis.csv"])
    assert (result.rows_inserted, rejects(warehouse)) == (3, [("indianapolis.csv", 5, "Date")])
    rows = rows_by_line(warehouse)
    assert rows[("indianapolis.csv", 2)]["record_id"] != rows[("indianapolis.csv", 3)]["record_id"]
    assert rows[("indianapolis.csv", 4)]["subject_race_ethnicity"] == "black"  # "Blace"
    assert rows[("indianapolis.csv", 4)]["lat"] is None  # the city-centre placeholder is not read


def test_cincinnati_codes_and_coarse_age_bands(ingest: Ingest) -> None:
    warehouse, result = ingest("cincinnati-use-of-force", [FIXTURES / "cincinnati.csv"])
    assert (result.rows_inserted, result.rows_rejected) == (2, 0)
    rows = rows_by_line(warehouse)
    old, taser = rows[("cincinnati.csv", 2)], rows[("cincinnati.csv", 3)]
    assert (old["highest_force_level"], old["geo_precision"], old["call_ref"]) == (
        None,
        "none",
        "P989780319",
    )
    assert (taser["highest_force_level"], taser["subject_age_band"]) == (4, "under_18")
    assert (taser["subject_race_ethnicity"], taser["call_ref"]) == ("hispanic", None)
    assert taser["occurred_at"] == local("America/New_York", 2013, 5, 28, 14, 48)


def test_new_orleans_duplicates_and_shifted_rows(ingest: Ingest) -> None:
    warehouse, result = ingest("new-orleans-use-of-force", [FIXTURES / "new_orleans.csv"])
    assert result.rows_inserted == 3
    assert rejects(warehouse) == [
        ("new_orleans.csv", 5, "Officer Injured"),
        ("new_orleans.csv", 5, "Subject Age"),
    ]
    rows = rows_by_line(warehouse)
    shown, cew = rows[("new_orleans.csv", 2)], rows[("new_orleans.csv", 4)]
    assert shown["record_id"] != rows[("new_orleans.csv", 3)]["record_id"]
    assert (shown["highest_force_level"], shown["subject_sex"]) == (1, None)
    assert (cew["highest_force_level"], cew["subject_age_band"], cew["subject_hospitalised"]) == (
        4,
        "under_18",
        True,
    )


def test_orlando_yes_no_columns_and_multi_offender_rows(ingest: Ingest) -> None:
    warehouse, result = ingest("orlando-use-of-force", [FIXTURES / "orlando.csv"])
    assert result.rows_inserted == 2
    assert {line for _, line, _ in rejects(warehouse)} == {4}  # the repeated header words
    rows = rows_by_line(warehouse)
    strike, gas = rows[("orlando.csv", 2)], rows[("orlando.csv", 3)]
    assert (strike["force_types"], strike["highest_force_level"]) == (
        ["physical strikes", "K9 unit"],
        6,
    )
    assert (strike["subject_race_ethnicity"], strike["subject_arrested"]) == ("hispanic", True)
    assert (gas["highest_force_level"], gas["subject_sex"], gas["subject_arrested"]) == (
        4,
        None,
        False,
    )
    assert (gas["lat"], gas["lon"], strike["geo_precision"]) == (28.54, -81.38, "none")
