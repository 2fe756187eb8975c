"""Each shipped use-of-force mapping loads its city's real export (../shared/data/use_of_force).

The expected figures are computed here with pandas, independently of the SQL the mappings
compile to: rows read, rows rejected (no date, an unreadable time or yes/no value, an unknown
code, a place at 0,0 or outside the city), and the accepted rows by local year and by highest
force level. Only the code tables are shared: they are read from the YAML files with PyYAML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from pyproj import Transformer

from beatwise.ingest.mappings.loading import FILES

from .conftest import Ingest
from .helpers import documented_figures

pytestmark = pytest.mark.realdata


@dataclass
class Expected:
    """What pandas says one import must give."""

    read: int
    bad: pd.Series  # one bool per raw row
    year: pd.Series  # local year of every raw row
    level: pd.Series  # highest force level of every raw row (NaN: none)

    def check(self, ingest: Ingest, name: str, files: list[Path], zone: str) -> None:
        warehouse, result = ingest(name, files)
        good = ~self.bad.to_numpy()
        assert (result.rows_read, result.rows_rejected) == (self.read, int(self.bad.sum()))
        table = warehouse.to_arrow("use_of_force").to_pandas()
        assert len(table) == result.rows_inserted == int(good.sum())
        assert documented_figures(name) == (result.rows_read, result.rows_inserted)
        years = table["occurred_at"].dt.tz_convert(zone).dt.year.value_counts().to_dict()
        assert years == self.year[good].value_counts().to_dict()
        levels = table["highest_force_level"].value_counts(dropna=False)
        expected = self.level[good].value_counts(dropna=False)
        assert _counts(levels) == _counts(expected)


def _counts(counts: pd.Series) -> dict[float, int]:
    return {(-1.0 if pd.isna(k) else float(k)): int(v) for k, v in counts.items()}


def code_table(mapping: str, column: str) -> dict[str, Any]:
    """A column's ``map`` from a shipped YAML file, keys folded as the mappings match them."""
    data = yaml.safe_load((FILES / f"{mapping}.yaml").read_text())
    return {fold(str(k)): v for k, v in data["columns"][column]["map"].items()}


def fold(text: str) -> str:
    return " ".join(str(text).split()).lower()


def read(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.columns = [" ".join(c.split()) for c in frame.columns]
    return frame.apply(lambda s: s.str.strip())


def files(real_data: Path, pattern: str) -> list[Path]:
    return sorted((real_data / "use_of_force").glob(pattern))


def parsed(text: pd.Series, formats: Iterable[str]) -> pd.Series:
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    for fmt in formats:
        out = out.fillna(pd.to_datetime(text, format=fmt, errors="coerce"))
    return out


def unmapped(values: pd.Series, table: dict[str, Any]) -> pd.Series:
    return (values != "") & ~values.map(fold).isin(list(table))


def not_yes_no(values: pd.Series) -> pd.Series:
    return (values != "") & ~values.str.lower().isin(
        ["yes", "y", "true", "t", "1", "no", "n", "false", "f", "0"]
    )


def level_of(lists: pd.Series, table: dict[str, Any]) -> tuple[pd.Series, pd.Series]:
    """Highest mapped level of each list of codes, and whether any code is unmapped."""

    def one(codes: list[str]) -> tuple[float, bool]:
        known = [table.get(fold(c)) for c in codes if fold(c) in table]
        levels = [v for v in known if v is not None]
        return (max(levels) if levels else np.nan), len(known) < len(codes)

    pairs = lists.map(one)
    return pairs.map(lambda p: p[0]), pairs.map(lambda p: p[1])


def outside(lat: pd.Series, lon: pd.Series, extent: list[float]) -> pd.Series:
    min_lon, min_lat, max_lon, max_lat = extent
    zero = (lat == 0) & (lon == 0)
    beyond = ~lon.between(min_lon, max_lon) | ~lat.between(min_lat, max_lat)
    return lat.notna() & lon.notna() & (zero | beyond)


def projected(x: pd.Series, y: pd.Series, crs: str) -> tuple[pd.Series, pd.Series]:
    xs, ys = pd.to_numeric(x, errors="coerce"), pd.to_numeric(y, errors="coerce")
    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(xs, ys)
    zero = (xs == 0) & (ys == 0)
    return pd.Series(lat, x.index).mask(zero, 0.0), pd.Series(lon, x.index).mask(zero, 0.0)


def test_seattle(ingest: Ingest, real_data: Path) -> None:
    raw = read(real_data / "use_of_force" / "seattle__Use_Of_Force.csv.gz")
    when = pd.to_datetime(raw["Occured_date_time"], format="%m/%d/%Y %I:%M:%S %p")
    level = raw["Incident_Type"].map({"Level 3 - OIS": 7.0})
    Expected(len(raw), when.isna(), when.dt.year, level).check(
        ingest,
        "seattle-use-of-force",
        [real_data / "use_of_force" / "seattle__Use_Of_Force.csv.gz"],
        "America/Los_Angeles",
    )


DALLAS_NAMES = {
    "OCCURRED_DT": "OCCURRED_D",
    "OCCURRED_TM": "OCCURRED_T",
    "CURRENT_BAxx": "CURRENT_BA",
    "CURRENT_BADGE_NO": "CURRENT_BA",
}


def test_dallas(ingest: Ingest, real_data: Path) -> None:
    paths = files(real_data, "dallas*")
    raw = pd.concat([read(p).rename(columns=DALLAS_NAMES) for p in paths], ignore_index=True)
    raw = raw.fillna("").replace("NULL", "")
    day = parsed(raw["OCCURRED_D"], ["%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y"])
    clock = parsed(raw["OCCURRED_T"], ["%I:%M:%S %p", "%I:%M %p", "%H:%M"])
    types = raw["ForceType"].str.split(",").map(lambda xs: [x.strip() for x in xs if x.strip()])
    level, unknown = level_of(types, code_table("dallas-use-of-force", "highest_force_level"))
    xy_lat, xy_lon = projected(raw["X"], raw["Y"], "EPSG:2276")
    point = raw["GeoLocation"].str.extract(r"POINT \((-?[\d.]+) (-?[\d.]+)\)").astype(float)
    pair = raw["GeoLocation"].str.extract(r"\((-?[\d.]+), (-?[\d.]+)\)").astype(float)
    lat = xy_lat.fillna(pd.to_numeric(raw["Latitude"])).fillna(point[1]).fillna(pair[0])
    lon = xy_lon.fillna(pd.to_numeric(raw["Longitude"])).fillna(point[0]).fillna(pair[1])
    bad = (
        day.isna()
        | ((raw["OCCURRED_T"] != "") & clock.isna())
        | unknown
        | outside(lat, lon, [-97.10, 32.55, -96.45, 33.10])
    )
    Expected(len(raw), bad, day.dt.year, level).check(
        ingest, "dallas-use-of-force", paths, "America/Chicago"
    )


def test_austin(ingest: Ingest, real_data: Path) -> None:
    paths = files(real_data, "austin__R2R_*")
    raw = pd.concat([read(p) for p in paths], ignore_index=True).fillna("").replace("-", "")
    day = parsed(raw["Date Occurred"], ["%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y"])
    clock = pd.to_datetime(raw["Time Occurred"].str.zfill(4), format="%H%M", errors="coerce")
    weapons = raw[[f"Weapon Used {i}" for i in range(1, 6)]].apply(
        lambda row: [w for w in row if w], axis=1
    )
    level, unknown = level_of(weapons, code_table("austin-use-of-force", "highest_force_level"))
    lat, lon = projected(raw["X-Coordinate"], raw["Y-Coordinate"], "EPSG:2277")
    bad = (
        day.isna()
        | ((raw["Time Occurred"] != "") & clock.isna())
        | unknown
        | outside(lat, lon, [-98.20, 29.95, -97.35, 30.65])
    )
    Expected(len(raw), bad, day.dt.year, level).check(
        ingest, "austin-use-of-force", paths, "America/Chicago"
    )


def test_indianapolis(ingest: Ingest, real_data: Path) -> None:
    paths = files(real_data, "indianapolis*")
    raw = read(paths[0])
    day = pd.to_datetime(raw["Date"], format="%Y-%m-%d", errors="coerce")
    table = code_table("indianapolis-use-of-force", "highest_force_level")
    level = raw["officerForceType"].map(lambda v: table.get(fold(v)) if v else None).astype(float)
    bad = day.isna() | unmapped(raw["officerForceType"], table)
    Expected(len(raw), bad, day.dt.year, level).check(
        ingest, "indianapolis-use-of-force", paths, "America/Indiana/Indianapolis"
    )


def test_cincinnati(ingest: Ingest, real_data: Path) -> None:
    paths = files(real_data, "cincinnati*")
    raw = read(paths[0])
    when = pd.to_datetime(raw["INCIDENT_DATE"], format="%m/%d/%Y %I:%M:%S %p", errors="coerce")
    table = code_table("cincinnati-use-of-force", "highest_force_level")
    level = raw["INCIDENT_DESCRIPTION"].map(lambda v: table.get(fold(v))).astype(float)
    lat = pd.to_numeric(raw["LATITUDE_X"], errors="coerce")
    lon = pd.to_numeric(raw["LONGITUDE_X"], errors="coerce")
    bad = when.isna() | outside(lat, lon, [-84.75, 39.00, -84.25, 39.25])
    Expected(len(raw), bad, when.dt.year, level).check(
        ingest, "cincinnati-use-of-force", paths, "America/New_York"
    )


def test_new_orleans(ingest: Ingest, real_data: Path) -> None:
    paths = files(real_data, "new_orleans*")
    raw = read(paths[0])
    day = pd.to_datetime(raw["Date Occurred"], format="%m/%d/%Y", errors="coerce")
    table = code_table("new-orleans-use-of-force", "highest_force_level")
    level = raw["Use of Force Type"].map(lambda v: table.get(fold(v)) if v else None).astype(float)
    age = pd.to_numeric(raw["Subject Age"].replace("0", ""), errors="coerce")
    flags = ["Subject Injured", "Subject Hospitalized", "Subject Arrested", "Officer Injured"]
    bad = (
        day.isna()
        | unmapped(raw["Use of Force Type"], table)
        | ((raw["Subject Age"].replace("0", "") != "") & ~age.between(0, 120, inclusive="left"))
        | raw[flags].apply(not_yes_no).any(axis=1)
        | unmapped(raw["Subject Gender"], code_table("new-orleans-use-of-force", "subject_sex"))
        | unmapped(
            raw["Subject Ethnicity"],
            code_table("new-orleans-use-of-force", "subject_race_ethnicity"),
        )
    )
    Expected(len(raw), bad, day.dt.year, level).check(
        ingest, "new-orleans-use-of-force", paths, "America/Chicago"
    )


ORLANDO_LEVELS = {
    "Tackle Take Down": 3,
    "Physical Strikes Made": 3,
    "Electronic Device Used": 4,
    "Chemical Agent Used": 4,
    "Impact Weapons Used": 5,
    "K9 Unit Involved": 6,
}


def test_orlando(ingest: Ingest, real_data: Path) -> None:
    paths = files(real_data, "orlando*")
    raw = read(paths[0])
    when = pd.to_datetime(raw["Incident Date Time"], format="%m/%d/%Y %I:%M:%S %p", errors="coerce")
    used = pd.DataFrame({c: raw[c].str.lower() == "yes" for c in ORLANDO_LEVELS})
    level = used.mul(pd.Series(ORLANDO_LEVELS)).replace(0, np.nan).max(axis=1)
    flags = [*ORLANDO_LEVELS, "Deflation Device Used", "Offender Injured", "Officer Injured"]
    place = raw["Location"].str.extract(r"\((-?[\d.]+), (-?[\d.]+)\)").astype(float)
    arrested = code_table("orlando-use-of-force", "subject_arrested")
    bad = (
        when.isna()
        | raw[flags].apply(not_yes_no).any(axis=1)
        | unmapped(raw["Offender Arrested"], arrested)
        | outside(place[0], place[1], [-81.55, 28.35, -81.15, 28.65])
    )
    Expected(len(raw), bad, when.dt.year, level).check(
        ingest, "orlando-use-of-force", paths, "America/New_York"
    )


def test_the_austin_guide_file_is_refused_before_anything_is_written(
    ingest: Ingest, real_data: Path
) -> None:
    from beatwise.ingest.errors import BadInputError

    guide = files(real_data, "austin__Guide*")
    with pytest.raises(BadInputError, match=re.escape("missing column(s)")) as caught:
        ingest("austin-use-of-force", [*files(real_data, "austin__R2R_2009*"), *guide])
    assert str(guide[0]) in str(caught.value)
