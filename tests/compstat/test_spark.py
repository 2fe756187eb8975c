"""CompStat on PySpark gives exactly what it gives on DuckDB: the cube, the report, the trend and
the drill-down, over the tiny city (with a boundary layer) and the Chicago fixtures."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from beatwise.compstat.calendar import Window
from beatwise.compstat.cube import Cube, CubeCache, DataVersion
from beatwise.compstat.drilldown import drilldown
from beatwise.compstat.report import SheetOptions
from beatwise.compstat.rows import ROW_SETS, RowSpec, extra_row
from beatwise.compstat.selection import Selection
from beatwise.compstat.sheets import compstat_report
from beatwise.compstat.trend import TrendOptions, weekly_trend
from beatwise.warehouse.engines import Engine, open_engine

from .warehouses import CHICAGO, TORONTO, City, build_city

pytestmark = [
    pytest.mark.spark,
    pytest.mark.slow,
    # PySpark leaves the socket of each collect to the garbage collector (see
    # tests/warehouse/test_engines.py).
    pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning"),
]
AS_OF = date(2020, 3, 1)
MCI = ROW_SETS["toronto_mci"]


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    return build_city(tmp_path_factory.mktemp("spark-city"))


@pytest.fixture(scope="module")
def engines(city: City, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Engine]]:
    """DuckDB and a local PySpark (started once for this module) over the same warehouse."""
    pytest.importorskip("pyspark", reason="the 'spark' extra is not installed")
    if shutil.which("java") is None:
        pytest.skip("PySpark needs Java 17 on the PATH")
    from beatwise.warehouse.engines.pyspark import PySparkEngine

    scratch = tmp_path_factory.mktemp("spark")
    with (
        open_engine("duckdb", city.warehouse) as duck,
        PySparkEngine(city.warehouse, scratch_dir=scratch) as spark,
    ):
        yield {"duckdb": duck, "pyspark": spark}


def on_both(engines: dict[str, Engine], run: Any) -> Any:
    """``run(engine)`` on each engine; asserts the answers are equal and returns DuckDB's."""
    duck, spark = run(engines["duckdb"]), run(engines["pyspark"])
    assert spark == duck
    return duck


@pytest.fixture(scope="module")
def caches(engines: dict[str, Engine]) -> dict[str, CubeCache]:
    """One cube cache per engine: each engine's cube is built once, the report reuses it."""
    return {name: CubeCache() for name in engines}


def cube(engine: Engine, caches: dict[str, CubeCache]) -> Cube:
    """Toronto's cube on ``engine``."""
    return caches[engine.name].get(engine, TORONTO, DataVersion.latest(engine))


def test_cube_and_report_are_identical(
    engines: dict[str, Engine], caches: dict[str, CubeCache]
) -> None:
    keys = [(k, "ascending") for k in ["level", "geography", "category", "sets", "day"]]
    duck_cube, spark_cube = (cube(engines[e], caches).table.sort_by(keys) for e in engines)
    assert spark_cube.schema == duck_cube.schema and spark_cube.equals(duck_cube)
    assert set(cube(engines["duckdb"], caches).levels) == {"city", "neighbourhood", "zone"}
    for level, geographies in [
        ("neighbourhood", ["Cedar Heights", "Elm Park", "Harbourview"]),
        ("zone", ["001", "002", "003"]),
    ]:
        options = SheetOptions(AS_OF, level=level)

        def report(engine: Engine, options: SheetOptions = options) -> dict[str, Any]:
            version = DataVersion.latest(engine)
            return compstat_report(engine, options, TORONTO, version, caches[engine.name]).as_json()

        found = on_both(engines, report)
        assert found["geographies"] == geographies
        assert sum(r["ytd"]["current"] for r in found["rows"] if r["kind"] == "set") > 50


def test_trend_is_identical(engines: dict[str, Engine], caches: dict[str, CubeCache]) -> None:
    def trend(engine: Engine) -> dict[str, Any]:
        selection = Selection(MCI, "zone", "003")
        return weekly_trend(cube(engine, caches), AS_OF, selection, TrendOptions()).as_json()

    found = on_both(engines, trend)
    assert found["baseline_years"]["most"] == 1


@pytest.mark.parametrize(
    ("agency", "selection", "window"),
    [
        (
            TORONTO,
            Selection(RowSpec("Robbery", "robbery", "toronto_mci"), "zone", "003"),
            Window(date(2019, 1, 1), AS_OF),
        ),
        (CHICAGO, Selection(ROW_SETS["ucr_part1"]), Window(date(2017, 1, 1), date(2019, 12, 31))),
        (CHICAGO, Selection(extra_row("theft"), "district", "1"), Window(date(2019, 1, 1), AS_OF)),
    ],
)
def test_drilldown_is_identical(
    engines: dict[str, Engine], agency: str, selection: Selection, window: Window
) -> None:
    found = on_both(
        engines, lambda e: drilldown(e, agency, window, selection, map_limit=25).as_json()
    )
    assert found["total"] > 0
