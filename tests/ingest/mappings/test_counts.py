"""Published counts (``--source counts``): the NYPD seven majors into ``official_counts``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from beatwise.config import Settings
from beatwise.ingest.mappings import compile_mapping, load_mapping
from beatwise.ingest.pipeline import ingest_files
from beatwise.warehouse import Warehouse

from .conftest import Ingest
from .helpers import FIXTURES, documented_figures, read_header

SEVEN_MAJORS = {
    "MURDER & NON NEGL. MANSLAUGHTER": "homicide",
    "RAPE": "rape",
    "ROBBERY": "robbery",
    "FELONY ASSAULT": "assault",
    "BURGLARY": "burglary",
    "GRAND LARCENY": "larceny",
    "GRAND LARCENY OF MOTOR VEHICLE": "motor_vehicle_theft",
}


def test_a_mapping_without_keys_or_reprojection_runs_on_the_pipeline_as_compiled(
    settings: Settings,
) -> None:
    """``compile_mapping`` gives a plain ``CsvSource``: one file needs no per-file hook."""
    path = FIXTURES / "nypd_seven_majors.csv"
    warehouse = Warehouse(settings.warehouse_dir)
    source = compile_mapping(load_mapping("nypd-seven-majors-counts"), read_header(path))
    result = ingest_files(warehouse, source, [path])
    assert (result.rows_read, result.rows_inserted, result.rows_rejected) == (5, 4, 1)
    rows = sorted(
        (r["area_id"], r["year"], r["category"], r["count"], r["layer"], r["month"])
        for r in warehouse.to_arrow("official_counts").to_pylist()
    )
    assert rows == [
        ("1", 2013, "homicide", 3, "precinct", None),
        ("1", 2013, "motor_vehicle_theft", 41, "precinct", None),
        ("121", 2013, "robbery", 212, "precinct", None),
        ("DOC", 2014, "assault", 17, "precinct", None),
    ]
    (reject,) = warehouse.to_arrow("rejects").to_pylist()
    assert (reject["source_line"], reject["column"], reject["value"]) == (4, "incident_count", None)
    assert "official_counts.count is required" in reject["reason"]
    ids = sorted(warehouse.to_arrow("official_counts").column("record_id").to_pylist())
    assert ingest_files(warehouse, source, [path]).rows_inserted == 0
    assert sorted(warehouse.to_arrow("official_counts").column("record_id").to_pylist()) == ids


@pytest.mark.realdata
def test_nypd_seven_majors_totals_per_year_match_pandas(ingest: Ingest, real_data: Path) -> None:
    path = real_data / "nyc" / "nypd_precinct_seven_major_felonies_2000_2014.csv"
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    published = raw[raw["incident_count"] != ""].astype({"incident_count": int, "year": int})
    warehouse, result = ingest("nypd-seven-majors-counts", [path])
    assert (result.rows_read, result.rows_inserted) == (len(raw), len(published))
    assert result.rows_rejected == len(raw) - len(published) == 189
    assert documented_figures("nypd-seven-majors-counts") == (len(raw), len(published))
    loaded = warehouse.to_arrow("official_counts").to_pandas()
    assert loaded.groupby("year")["count"].sum().to_dict() == (
        published.groupby("year")["incident_count"].sum().to_dict()
    )
    by_category = published.assign(category=published["category"].map(SEVEN_MAJORS))
    assert loaded.groupby("category")["count"].sum().to_dict() == (
        by_category.groupby("category")["incident_count"].sum().to_dict()
    )
    assert loaded.loc[loaded["year"] == 2000, "count"].sum() == 184_652  # NYPD, CompStat 2000
