"""The shipped mapping tables agree with the taxonomy and with the rules their adapters state."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from beatwise.datamodel.taxonomy import CATEGORIES, COMPARISON_SETS, index_sets
from beatwise.ingest.sources.data import OptionalColumns

DATA = Path(__file__).resolve().parents[3] / "src" / "beatwise" / "ingest" / "sources" / "data"
OFFENSE_TABLES = (
    "chicago_iucr.csv",
    "nypd_ky_cd.csv",
    "code_offense_codes.csv",
    "police_uk_crime_types.csv",
)
PREMISES_TABLES = ("chicago_locations.csv", "nypd_premises.csv", "code_location_categories.csv")
LOCATION_TYPES = {"residence", "commercial", "outdoors", "transit", "school", "other"}
CLAIMED = {code for c in CATEGORIES.values() for code in c.nibrs_codes}


def read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("name", OFFENSE_TABLES)
def test_every_offence_row_agrees_with_the_taxonomy(name: str) -> None:
    rows = read(name)
    assert len({r["code"] for r in rows}) == len(rows), "codes repeat"
    for row in rows:
        category = CATEGORIES[row["category"]]
        nibrs = row["nibrs_code"] or None
        sets = [s for s in row["comparison_sets"].split(";") if s]
        crime = bool(row["crime_against"])
        where = f"{name} {row['code']}"
        assert set(sets) <= set(COMPARISON_SETS), where
        assert [s for s in sets if s != "nypd_seven_majors"] == (
            list(index_sets(category.slug, nibrs)) if crime else []
        ), where
        assert row["crime_against"] in {category.crime_against.value, ""}, where
        assert crime or (category.slug == "other" and not sets), where
        assert nibrs is None or nibrs in category.nibrs_codes or nibrs not in CLAIMED, where
        assert row["sensitive"] in {"true", "false"}, where
        assert row["sensitive"] == "true" or not category.sensitive, where
        assert row["attempted"] in {"true", "false", ""}, where


def test_chicago_index_crime_and_seven_majors_follow_cpds_fbi_codes() -> None:
    index = {"01A", "01B", "02", "03", "04A", "04B", "05", "06", "07", "09"}
    seven = {"01A", "02", "03", "04A", "04B", "05", "07"}
    for row in read("chicago_iucr.csv"):
        sets = row["comparison_sets"].split(";")
        fbi, where = row["fbi_code"], row["code"]
        assert ("ucr_part1" in sets) == (fbi in index), where
        over_500 = fbi == "06" and row["description"] == "OVER $500"
        assert ("nypd_seven_majors" in sets) == (fbi in seven or over_500), where
        attempt = bool(re.search(r"^ATT(EMPT)?\b|\bATTEMPT\b", row["description"]))
        assert row["attempted"] == str(attempt).lower(), where
        assert len(row["code"]) == 4, where


def test_nypd_seven_majors_are_the_nypd_key_codes() -> None:
    rows = read("nypd_ky_cd.csv")
    seven = {r["code"] for r in rows if "nypd_seven_majors" in r["comparison_sets"]}
    assert seven == {"101", "104", "105", "106", "107", "109", "110"}
    assert {r["attempted"] for r in rows} == {""}  # CRM_ATPT_CPTD_CD decides per row


def test_police_uk_table_has_the_fourteen_current_crime_types() -> None:
    current = {
        "Anti-social behaviour",
        "Bicycle theft",
        "Burglary",
        "Criminal damage and arson",
        "Drugs",
        "Other crime",
        "Other theft",
        "Possession of weapons",
        "Public order",
        "Robbery",
        "Shoplifting",
        "Theft from the person",
        "Vehicle crime",
        "Violence and sexual offences",
    }
    assert current <= {r["code"] for r in read("police_uk_crime_types.csv")}


@pytest.mark.parametrize("name", PREMISES_TABLES)
def test_premises_tables_use_canonical_location_types(name: str) -> None:
    rows = read(name)
    assert {r["location_type"] for r in rows} <= LOCATION_TYPES
    assert len({r["value"] for r in rows}) == len(rows)


def test_code_cities_have_zones_and_boxes() -> None:
    for row in read("code_cities.csv"):
        ZoneInfo(row["time_zone"])
        south, west, north, east = (float(row[k]) for k in ("south", "west", "north", "east"))
        assert -90 < south < north < 90 and -180 < west < east < 0, row["city_name"]


def test_optional_columns_must_be_declared() -> None:
    optional = OptionalColumns(anchor="uid", names=("city_name",))
    assert "'^(uid|city_name)$'" in optional.text("city_name")
    with pytest.raises(ValueError, match="offense_code"):
        optional.text("offense_code")
