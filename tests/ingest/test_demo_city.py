"""The real demo city: 240,992 Toronto MCI incidents, checked against the files themselves."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import ibis
import pytest

from beatwise.config import Settings
from beatwise.ingest.demo_city import ROWS, demo_files, load_demo
from beatwise.warehouse import Warehouse
from beatwise.warehouse.engines import open_engine

pytestmark = [pytest.mark.demo, pytest.mark.slow]


def raw_rows(cache: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in demo_files(cache):
        with path.open(newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


@pytest.fixture(scope="module")
def cache(request: pytest.FixtureRequest) -> Path:
    return Path(request.config.cache.mkdir("beatwise-demo-city"))


def test_demo_city_loads_every_row_by_category(demo_settings: Settings, cache: Path) -> None:
    raw = raw_rows(cache)
    assert len(raw) == ROWS == 240_992
    mci_to_category = {
        "Assault": "assault",
        "Break and Enter": "burglary",
        "Robbery": "robbery",
        "Auto Theft": "motor_vehicle_theft",
        "Theft Over": "larceny",
    }
    expected = Counter(mci_to_category[r["MCI"]] for r in raw)
    with open_engine("duckdb", Warehouse(demo_settings.warehouse_dir)) as engine:
        t = engine.table("incidents")
        got = engine.to_pyarrow(t.group_by("category").aggregate(n=t.count()))
        by_category = {r["category"]: r["n"] for r in got.to_pylist()}  # type: ignore[attr-defined]
        toronto_2014 = ibis.timestamp(datetime(2014, 1, 1, 5, tzinfo=UTC))  # local midnight
        early = engine.to_pyarrow(t.filter(t.occurred_start < toronto_2014).count())
    assert by_category == dict(expected)
    assert early.as_py() == sum(1 for r in raw if int(r["occurrencedate"][:4]) < 2014) > 0


def test_second_load_is_skipped_and_force_changes_nothing(
    demo_settings: Settings, cache: Path
) -> None:
    warehouse = Warehouse(demo_settings.warehouse_dir)
    version = warehouse.version("incidents")
    assert load_demo(warehouse, cache) is None
    assert warehouse.version("incidents") == version
    forced = load_demo(warehouse, cache, force=True)
    assert forced is not None
    assert (forced.rows_inserted, forced.rows_updated, forced.rows_unchanged) == (0, 0, ROWS)
    assert warehouse.version("incidents") == version
    assert warehouse.status("incidents").rows == ROWS
