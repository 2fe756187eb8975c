"""PySpark engine (extra ``spark``): the same Ibis code on a Spark session.

Spark's own Delta reader (``delta-spark``) fetches JARs from Maven at start-up, which a closed
network refuses. The Delta log already lists the Parquet files of each version, so this engine
asks ``deltalake`` for that list and lets Spark read the Parquet files: the same snapshot, no
JARs. (Beatwise writes no deletion vectors, so the file list is the whole snapshot.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from beatwise._optional import require
from beatwise.datamodel import table_spec
from beatwise.warehouse.engines.base import Capability, Engine
from beatwise.warehouse.store import Warehouse

if TYPE_CHECKING:
    import ibis.expr.types as ir


class PySparkEngine(Engine):
    """Ibis on a local (or configured) Spark session."""

    name: ClassVar[str] = "pyspark"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.time_travel})

    def __init__(self, warehouse: Warehouse, master: str = "local[2]") -> None:
        super().__init__(warehouse)
        sql = require("pyspark.sql", "spark")
        ibis = require("ibis", "spark")
        self.session: Any = (
            sql.SparkSession.builder.master(master)
            .appName("beatwise")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate()
        )
        self.backend = ibis.pyspark.connect(self.session)

    def table(self, name: str, version: int | None = None) -> ir.Table:
        self.warehouse.ensure_tables()
        files = self.warehouse.files(name, version)
        view = f"{name}_{'latest' if version is None else f'v{version}'}"
        if files:
            frame = self.session.read.parquet(*files)
        else:
            types = require("pyspark.sql.pandas.types", "spark")
            schema = types.from_arrow_schema(table_spec(name).schema)
            frame = self.session.createDataFrame([], schema=schema)
        frame.createOrReplaceTempView(view)
        return self.backend.table(view)

    def to_pyarrow(self, expr: ir.Expr) -> object:
        return expr.to_pyarrow()

    def close(self) -> None:
        self.session.stop()
