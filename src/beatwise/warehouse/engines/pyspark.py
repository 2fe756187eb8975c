"""PySpark engine (extra ``spark``): the same Ibis code on a Spark session.

Spark's own Delta reader (``delta-spark``) fetches JARs from Maven at start-up, which a closed
network refuses. The Delta log already lists the Parquet files of each version, so this engine
asks ``deltalake`` for that list and lets Spark read the Parquet files: the same snapshot, no
JARs. (Beatwise writes no deletion vectors, so the file list is the whole snapshot.)

Three things keep Spark's answers identical to DuckDB's:

- the session time zone is UTC, so date parts of timestamps are taken in UTC as on DuckDB;
- tables are typed from the canonical schema (Spark has no "timestamp with time zone" type; its
  ``TIMESTAMP`` is an instant, read back as UTC);
- results come from Spark's own Arrow collection (``DataFrame.toArrow``), not through pandas,
  and are cast to the expression's Ibis schema.

Spark writes its scratch files (shuffle blocks, the SQL warehouse folder, the JVM's temporary
files) under one scratch folder, and in local mode binds only to 127.0.0.1.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa

from beatwise._optional import require
from beatwise.datamodel import table_spec
from beatwise.warehouse.engines.base import Capability, Engine, bind_table
from beatwise.warehouse.store import Warehouse

if TYPE_CHECKING:
    import ibis.expr.types as ir

DEFAULT_MASTER = "local[2]"


def session_config(master: str, scratch_dir: Path) -> dict[str, str]:
    """The Spark configuration Beatwise starts a session with (see the module docstring)."""
    config = {
        "spark.master": master,
        "spark.app.name": "beatwise",
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "4",
        "spark.sql.catalogImplementation": "in-memory",
        "spark.sql.debug.maxToStringFields": "200",
        "spark.local.dir": str(scratch_dir / "local"),
        "spark.sql.warehouse.dir": str(scratch_dir / "spark-warehouse"),
        "spark.driver.extraJavaOptions": f"-Djava.io.tmpdir={scratch_dir / 'tmp'}",
    }
    if master.startswith("local"):
        config |= {"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"}
    return config


def start_session(master: str = DEFAULT_MASTER, scratch_dir: Path | None = None) -> Any:
    """Start (or join) a Spark session configured by :func:`session_config`.

    ``scratch_dir`` defaults to a new temporary folder. Static settings (scratch folders,
    binding) take effect only when this call starts Spark; a running session is reused as is,
    with the runtime settings (UTC) applied.
    """
    sql = require("pyspark.sql", "spark")
    scratch = scratch_dir or Path(tempfile.mkdtemp(prefix="beatwise-spark-"))
    (scratch / "tmp").mkdir(parents=True, exist_ok=True)
    builder = sql.SparkSession.builder
    for key, value in session_config(master, scratch).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


class PySparkEngine(Engine):
    """Ibis on a Spark session: local by default, or one the caller already runs.

    When ``session`` is given, or a session is already active, the engine uses it and
    ``close()`` leaves it running (it belongs to the caller) and only drops the engine's views.
    Otherwise the engine starts one, with scratch files in ``scratch_dir`` (a new temporary
    folder by default), and ``close()`` stops it and removes that folder.
    """

    name: ClassVar[str] = "pyspark"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.time_travel})

    def __init__(
        self,
        warehouse: Warehouse,
        master: str = DEFAULT_MASTER,
        *,
        session: Any = None,
        scratch_dir: Path | None = None,
    ) -> None:
        super().__init__(warehouse)
        sql = require("pyspark.sql", "spark")
        ibis = require("ibis", "spark")
        self._owned_scratch: Path | None = None
        self._owns_session = False
        if session is None:
            session = sql.SparkSession.getActiveSession()
        if session is None:
            if scratch_dir is None:
                scratch_dir = self._owned_scratch = Path(tempfile.mkdtemp(prefix="beatwise-spark-"))
            session = start_session(master, scratch_dir)
            self._owns_session = True
        self.session: Any = session
        self.backend: Any = ibis.pyspark.connect(session)
        self._tag = uuid.uuid4().hex[:8]
        self._views: set[str] = set()

    def table(self, name: str, version: int | None = None) -> ir.Table:
        """The canonical table ``name`` at ``version`` (default: the latest, pinned now)."""
        snapshot = self._snapshot(name, version)
        view = f"{name}_v{snapshot}_{self._tag}"
        if view not in self._views:
            self._frame(name, snapshot).createOrReplaceTempView(view)
            self._views.add(view)
        return bind_table(self.backend, view, name)

    def _frame(self, name: str, version: int) -> Any:
        """A Spark DataFrame of ``name``'s Parquet files at ``version``, in canonical types."""
        types = require("pyspark.sql.pandas.types", "spark")
        schema = types.from_arrow_schema(table_spec(name).schema)
        files = self.warehouse.files(name, version)
        if files:
            return self.session.read.schema(schema).parquet(*files)
        return self.session.createDataFrame([], schema=schema)

    def to_pyarrow(self, expr: ir.Expr) -> object:
        """Execute ``expr`` on Spark; an Arrow table, array or scalar in the expression's types."""
        table_expr = expr.as_table()
        # Registers the expression's UDFs and in-memory tables with Spark, as Ibis's execute does.
        self.backend._run_pre_execute_hooks(table_expr)
        frame = self.session.sql(self.backend.compile(table_expr))
        result = frame.toArrow()
        target = table_expr.schema().to_pyarrow()
        table = pa.Table.from_arrays(list(result.columns), names=target.names).cast(target)
        return expr.__pyarrow_result__(table)

    def close(self) -> None:
        """Drop this engine's views; stop Spark and remove its scratch folder if it started them."""
        if self._owns_session:
            self.session.stop()
        else:
            for view in self._views:
                self.session.catalog.dropTempView(view)
        self._views.clear()
        if self._owned_scratch is not None:
            shutil.rmtree(self._owned_scratch, ignore_errors=True)
