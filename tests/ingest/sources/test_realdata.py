"""The adapters on the real exports in ../shared/data, checked against pandas.

The expected counts are computed here with pandas from the raw file and the shipped mapping
table, independently of the adapters' SQL: same mapping data, a second implementation of the
rules (normalised codes and ids, the extent box, later lines winning).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from .conftest import Load

pytestmark = pytest.mark.realdata

REAL = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
DATA = Path(__file__).resolve().parents[3] / "src" / "beatwise" / "ingest" / "sources" / "data"
CHICAGO_2017 = "chicago/chicago_crimes_sample_2017_2019.csv"
CHICAGO_2019 = "chicago/chicago_crimes_sample_2019_50k.csv"
NYC_MVT = "nyc/nyc_motor_vehicle_thefts_2014_2017_CODE.csv.gz"
HOMICIDES = "aggregate/homicides_9_us_cities_2015_CODE.csv"
NEW_YORK = ZoneInfo("America/New_York")


def real(name: str) -> Path:
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"real data file {path} is missing (../shared/data is not here)")
    return path


def raw(name: str) -> pd.DataFrame:
    return pd.read_csv(real(name), dtype=str, keep_default_na=False)


def integer(values: pd.Series) -> pd.Series:
    return values.str.replace(r"\.0+$", "", regex=True)


def in_box(frame: pd.DataFrame, south: float, west: float, north: float, east: float) -> Any:
    lat = pd.to_numeric(frame["latitude"], errors="coerce")
    lon = pd.to_numeric(frame["longitude"], errors="coerce")
    no_point = (frame["latitude"] == "") & (frame["longitude"] == "")
    return no_point | (lat.between(south, north) & lon.between(west, east))


def expected_chicago(name: str) -> pd.DataFrame:
    """The rows the Chicago adapter should keep, with their category, by pandas."""
    frame = raw(name)
    iucr = pd.read_csv(DATA / "chicago_iucr.csv", dtype=str, keep_default_na=False)
    frame["code"] = frame["iucr"].str.upper().str.zfill(4)
    frame = frame.merge(iucr[["code", "category"]], on="code", how="left")
    dated = pd.to_datetime(frame["date"], format="mixed", errors="coerce")
    good = frame["category"].notna() & dated.notna() & in_box(frame, 41.60, -87.95, 42.05, -87.50)
    frame = frame[good].assign(id=integer(frame["id"]), district=integer(frame["district"]))
    return frame.drop_duplicates("id", keep="last")


def counts(rows: list[dict[str, Any]], column: str) -> Counter[Any]:
    return Counter(r[column] for r in rows)


@pytest.mark.parametrize("name", [CHICAGO_2017, CHICAGO_2019])
def test_chicago_counts_per_category_and_district_match_pandas(load: Load, name: str) -> None:
    expected = expected_chicago(name)
    loaded = load("chicago", real(name))
    rows = list(loaded.rows.values())
    assert len(rows) == len(expected)
    assert loaded.result.rows_rejected == len(raw(name)) - len(expected)
    assert counts(rows, "category") == Counter(expected["category"])
    assert counts(rows, "district") == Counter(expected["district"])
    assert {r["column"] for r in loaded.rejects} <= {"latitude"}  # every IUCR code is mapped
    date_only = name == CHICAGO_2019  # the 2019 sample has dates without a time of day
    assert {r["date_only"] for r in rows} == {date_only}


@pytest.mark.slow
def test_chicago_overlapping_exports_update_instead_of_duplicating(load: Load) -> None:
    older, newer = expected_chicago(CHICAGO_2017), expected_chicago(CHICAGO_2019)
    overlap = len(set(older["id"]) & set(newer["id"]))
    assert overlap > 1000  # the samples share 1,282 records ("11023904.0" vs "11023904")
    load("chicago", real(CHICAGO_2017))
    loaded = load("chicago", real(CHICAGO_2019))
    assert (loaded.result.rows_updated, loaded.result.rows_inserted) == (
        overlap,
        len(newer) - overlap,
    )
    assert len(loaded.rows) == len(older) + len(newer) - overlap
    both = pd.concat([older, newer]).drop_duplicates("id", keep="last")
    assert counts(list(loaded.rows.values()), "category") == Counter(both["category"])


def code_cities() -> pd.DataFrame:
    return pd.read_csv(DATA / "code_cities.csv", dtype={"city_name": str})


def in_any_city_box(frame: pd.DataFrame) -> Any:
    inside = pd.Series(False, index=frame.index)
    for city in code_cities().itertuples():
        inside |= in_box(frame, city.south, city.west, city.north, city.east)
    return inside


def test_code_nyc_extract_matches_pandas_per_year(load: Load) -> None:
    frame = raw(NYC_MVT)
    start = frame["date_start"].where(frame["date_start"] != "", frame["date_single"])
    dated = pd.to_datetime(start, format="%Y-%m-%d %H:%M", errors="coerce")
    frame = frame.assign(year=dated.dt.year, uid=integer(frame["uid"]))
    frame = frame[dated.notna() & in_any_city_box(frame)].drop_duplicates("uid", keep="last")
    loaded = load("code:240", real(NYC_MVT))
    rows = list(loaded.rows.values())
    assert len(rows) == len(frame) == 35_746
    assert counts(rows, "category") == Counter({"motor_vehicle_theft": len(frame)})
    years = Counter(r["occurred_start"].astimezone(NEW_YORK).year for r in rows)
    assert years == Counter(frame["year"])


def test_code_homicides_match_pandas_per_zone_and_code(load: Load) -> None:
    frame = raw(HOMICIDES)
    cities = code_cities().set_index("city_name")["time_zone"]
    frame = frame.assign(zone=frame["city_name"].map(cities))
    offences = pd.read_csv(DATA / "code_offense_codes.csv", dtype=str, keep_default_na=False)
    known = frame["offense_code"].isin(offences["code"]) & frame["zone"].notna()
    frame = frame[known & in_any_city_box(frame)].drop_duplicates("uid", keep="last")
    loaded = load("code", real(HOMICIDES))
    rows = list(loaded.rows.values())
    assert len(rows) == len(frame) == 1_922
    got = Counter((r["time_zone"], r["nibrs_code"]) for r in rows)
    assert got == Counter(zip(frame["zone"], frame["offense_code"], strict=True))
    # Unix seconds are local wall time: every row falls in the local calendar year 2015
    assert {r["occurred_start"].astimezone(ZoneInfo(r["time_zone"])).year for r in rows} == {2015}
