"""One engine suite, run on every engine: the same Ibis code must give the same answers.

The warehouse is the tiny city imported twice (a first export, then a longer re-export), so the
incidents table has two versions. Every answer is checked against a count made in plain Python
from the CSV files, and DuckDB's and PySpark's answers are checked against each other.
"""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import ibis
import pyarrow as pa
import pytest

from beatwise.datamodel import TABLES, table_spec
from beatwise.ingest.pipeline import IngestResult, ingest_files
from beatwise.ingest.sources import get_source
from beatwise.testing.city import HEADER, tiny_city_rows
from beatwise.warehouse import Warehouse
from beatwise.warehouse.catalog import Dataset, SourceSpan, describe
from beatwise.warehouse.engines import Capability, Engine
from beatwise.warehouse.engines.duckdb import DuckDBEngine

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from beatwise.warehouse.engines.pyspark import PySparkEngine

pytestmark = [
    # PySpark reads query results from a local socket that it leaves for the garbage collector
    # to close ("The socket will be automatically closed when garbage-collected", in
    # pyspark.util._load_from_socket), so every Spark collect ends with this ResourceWarning.
    pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning"),
]

TORONTO = ZoneInfo("America/Toronto")
MCI_CATEGORY = {
    "Assault": "assault",
    "Break and Enter": "burglary",
    "Robbery": "robbery",
    "Auto Theft": "motor_vehicle_theft",
    "Theft Over": "larceny",
}
SPARK = [pytest.mark.spark, pytest.mark.slow]
ENGINES = [pytest.param("duckdb"), pytest.param("pyspark", marks=SPARK)]


# --- the city and the answers expected from its CSV files ------------------------------------


@dataclass(frozen=True)
class Expected:
    """Counts and times computed from one CSV export with the csv module alone."""

    total: int
    by_category: dict[str, int]
    by_neighbourhood_month: dict[tuple[str, int, int], int]
    first: datetime
    last: datetime


def occurred_start(row: dict[str, str]) -> datetime:
    """UTC start of a Toronto MCI row: the local date of ``occurrencedate`` at the local hour."""
    midnight = datetime.strptime(row["occurrencedate"], "%Y/%m/%d %H:%M:%S+00")
    local_day = midnight.replace(tzinfo=UTC).astimezone(TORONTO).date()
    hour = time(int(row["occurrencehour"]))
    return datetime.combine(local_day, hour, tzinfo=TORONTO).astimezone(UTC)


def expected_from_csv(path: Path) -> Expected:
    """What the warehouse must answer for the export ``path``, counted in plain Python."""
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    duplicates = Counter(tuple(row.values()) for row in rows)
    assert max(duplicates.values()) > 1, "the tiny city should hold exact duplicates"
    starts = [occurred_start(row) for row in rows]
    return Expected(
        total=len(rows),
        by_category=dict(Counter(MCI_CATEGORY[row["MCI"]] for row in rows)),
        by_neighbourhood_month=dict(
            Counter(
                (row["Neighbourhood"], start.year, start.month)
                for row, start in zip(rows, starts, strict=True)
            )
        ),
        first=min(starts),
        last=max(starts),
    )


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write ``rows`` as a Toronto MCI CSV export."""
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@dataclass(frozen=True)
class City:
    """The warehouse built from two exports, with what each import did and should give."""

    warehouse: Warehouse
    imports: tuple[IngestResult, IngestResult]
    first: Expected
    latest: Expected


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    """2,000 incidents imported, then a re-export of the same 2,000 plus 1,000 new ones (so the
    second import changes the table: it inserts the new rows and leaves the others alone)."""
    root = tmp_path_factory.mktemp("city")
    first_rows = tiny_city_rows(2000, seed=11)
    first = write_csv(root / "export_1.csv", first_rows)
    second = write_csv(root / "export_2.csv", first_rows + tiny_city_rows(1000, seed=12))
    warehouse = Warehouse(root / "warehouse")
    source = get_source("toronto-mci")
    imports = (ingest_files(warehouse, source, [first]), ingest_files(warehouse, source, [second]))
    return City(warehouse, imports, expected_from_csv(first), expected_from_csv(second))


# --- engines ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def duckdb_engine(city: City) -> Iterator[Engine]:
    """DuckDB over the city."""
    with DuckDBEngine(city.warehouse) as engine:
        yield engine


@pytest.fixture(scope="module")
def pyspark_engine(city: City, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PySparkEngine]:
    """PySpark in local mode over the city, started once for this module (~10 s)."""
    pytest.importorskip("pyspark", reason="the 'spark' extra is not installed")
    if shutil.which("java") is None:
        pytest.skip("PySpark needs Java 17 on the PATH")
    from beatwise.warehouse.engines.pyspark import PySparkEngine

    with PySparkEngine(city.warehouse, scratch_dir=tmp_path_factory.mktemp("spark")) as engine:
        yield engine


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Engine:
    """Each engine in turn (pytest groups the tests by engine, so each starts once)."""
    found: Engine = request.getfixturevalue(f"{request.param}_engine")
    return found


def needs(engine: Engine, capability: Capability) -> None:
    """Skip the calling test when ``engine`` does not declare ``capability``."""
    if not engine.supports(capability):
        pytest.skip(f"engine {engine.name!r} does not support {capability.value}")


# --- the queries: the same Ibis code for every engine ----------------------------------------


def total(t: ir.Table) -> ir.Table:
    """Number of incidents."""
    return t.aggregate(n=t.count())


def by_category(t: ir.Table) -> ir.Table:
    """Incidents by canonical category."""
    return t.group_by("category").aggregate(n=t.count()).order_by("category")


def by_neighbourhood_month(t: ir.Table) -> ir.Table:
    """Incidents by neighbourhood and calendar month (in UTC)."""
    keys = {
        "neighbourhood": t.neighbourhood,
        "year": t.occurred_start.year(),
        "month": t.occurred_start.month(),
    }
    return t.group_by(**keys).aggregate(n=t.count()).order_by(list(keys))


def span(t: ir.Table) -> ir.Table:
    """First and last ``occurred_start``."""
    return t.aggregate(first=t.occurred_start.min(), last=t.occurred_start.max())


def everything(t: ir.Table) -> ir.Table:
    """Every row and column, in a fixed order."""
    return t.order_by("record_id")


QUERIES: dict[str, Callable[[ir.Table], ir.Table]] = {
    f.__name__: f for f in (total, by_category, by_neighbourhood_month, span, everything)
}


def run(engine: Engine, query: str, version: int | None = None) -> pa.Table:
    """Run the named query on ``engine``'s incidents table at ``version``."""
    return engine.to_arrow_table(QUERIES[query](engine.table("incidents", version)))


# --- the suite -------------------------------------------------------------------------------


def test_the_city_has_two_versions(city: City) -> None:
    first, second = city.imports
    assert (first.version, first.rows_inserted, first.rows_updated) == (1, 2000, 0)
    # The re-export repeats the first 2,000 rows as they were: they are left alone (and keep
    # the first import's id); only the 1,000 new rows are written, as version 2.
    assert (second.version, second.rows_inserted, second.rows_updated) == (2, 1000, 0)
    assert (first.rows_unchanged, second.rows_unchanged) == (0, 2000)
    assert city.warehouse.version("incidents") == 2
    ingest_ids = Counter(city.warehouse.to_arrow("incidents").column("ingest_id").to_pylist())
    assert ingest_ids == {first.ingest_id: 2000, second.ingest_id: 1000}


def test_engine_declares_its_capabilities(engine: Engine) -> None:
    assert isinstance(engine.capabilities, frozenset)
    assert all(isinstance(c, Capability) for c in engine.capabilities)
    for capability in Capability:
        assert engine.supports(capability) == (capability in engine.capabilities)


def test_total_count(engine: Engine, city: City) -> None:
    assert run(engine, "total").to_pylist() == [{"n": city.latest.total}]
    assert engine.to_pyarrow(engine.table("incidents").count()) == pa.scalar(city.latest.total)


def test_count_by_category(engine: Engine, city: City) -> None:
    rows = run(engine, "by_category").to_pylist()
    assert {row["category"]: row["n"] for row in rows} == city.latest.by_category


def test_count_by_neighbourhood_and_month(engine: Engine, city: City) -> None:
    rows = run(engine, "by_neighbourhood_month").to_pylist()
    counts = {(r["neighbourhood"], r["year"], r["month"]): r["n"] for r in rows}
    assert counts == city.latest.by_neighbourhood_month


def test_first_and_last_occurred_start(engine: Engine, city: City) -> None:
    (row,) = run(engine, "span").to_pylist()
    assert (row["first"], row["last"]) == (city.latest.first, city.latest.last)
    assert row["first"].utcoffset() == row["last"].utcoffset() == UTC.utcoffset(None)


def test_count_at_an_older_version(engine: Engine, city: City) -> None:
    needs(engine, Capability.time_travel)
    assert run(engine, "total", version=1).to_pylist() == [{"n": city.first.total}]
    rows = run(engine, "by_category", version=1).to_pylist()
    assert {row["category"]: row["n"] for row in rows} == city.first.by_category
    assert run(engine, "total", version=0).to_pylist() == [{"n": 0}]


def test_rows_have_the_canonical_types(engine: Engine, city: City) -> None:
    table = run(engine, "everything")
    assert table.schema == table_spec("incidents").schema
    assert table.num_rows == city.latest.total
    assert table.column("comparison_sets").to_pylist()[0] == ["toronto_mci"]


def test_a_table_without_files_is_typed_and_empty(engine: Engine) -> None:
    assert engine.warehouse.files("use_of_force") == []
    t = engine.table("use_of_force")
    assert t.schema() == ibis.Schema.from_pyarrow(table_spec("use_of_force").schema)
    result = engine.to_arrow_table(t)
    assert result.num_rows == 0
    assert result.schema == table_spec("use_of_force").schema
    summary = engine.to_arrow_table(t.aggregate(n=t.count(), last=t.occurred_at.max()))
    assert summary.to_pylist() == [{"n": 0, "last": None}]


def test_catalog_describes_every_table(engine: Engine, city: City) -> None:
    datasets = {dataset.table: dataset for dataset in describe(engine)}
    assert list(datasets) == list(TABLES)
    incidents = datasets["incidents"]
    assert (incidents.version, incidents.rows, incidents.time_column) == (
        2,
        city.latest.total,
        "occurred_start",
    )
    assert incidents.sources == (
        SourceSpan("toronto-mci", city.latest.total, city.latest.first, city.latest.last),
    )
    assert (datasets["ingests"].rows, datasets["ingests"].sources) == (2, ())
    empty = [d for d in datasets.values() if d.table not in {"incidents", "ingests"}]
    assert all((d.version, d.rows, d.sources) == (0, 0, ()) for d in empty)


# --- DuckDB and PySpark side by side ---------------------------------------------------------


@pytest.mark.spark
@pytest.mark.slow
@pytest.mark.parametrize("query", list(QUERIES))
@pytest.mark.parametrize("version", [None, 1])
def test_duckdb_and_pyspark_agree_exactly(
    duckdb_engine: Engine, pyspark_engine: Engine, query: str, version: int | None
) -> None:
    duckdb_result = run(duckdb_engine, query, version)
    spark_result = run(pyspark_engine, query, version)
    assert spark_result.schema == duckdb_result.schema
    assert spark_result.equals(duckdb_result)


@pytest.mark.spark
@pytest.mark.slow
def test_duckdb_and_pyspark_describe_the_same_catalog(
    duckdb_engine: Engine, pyspark_engine: Engine
) -> None:
    ours: list[Dataset] = describe(duckdb_engine)
    assert describe(pyspark_engine) == ours


@pytest.mark.spark
@pytest.mark.slow
def test_spark_keeps_to_its_scratch_folder_and_loopback(pyspark_engine: PySparkEngine) -> None:
    conf = pyspark_engine.session.sparkContext.getConf()
    scratch = Path(conf.get("spark.local.dir")).parent
    warehouse_dir = conf.get("spark.sql.warehouse.dir").removeprefix("file:")
    assert Path(warehouse_dir).parent == scratch
    assert f"-Djava.io.tmpdir={scratch / 'tmp'}" in conf.get("spark.driver.extraJavaOptions")
    assert conf.get("spark.driver.bindAddress") == "127.0.0.1"
    assert conf.get("spark.sql.session.timeZone") == "UTC"
    assert not (Path.cwd() / "spark-warehouse").exists()
    assert not (Path.cwd() / "metastore_db").exists()
