"""The default engine: embedded DuckDB reading Delta tables with its ``delta`` extension.

The extension comes from the ``duckdb-extension-delta`` package on PyPI and is imported into the
connection before ``LOAD``; DuckDB never tries to download it, so this works offline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import duckdb_extensions
import ibis

from beatwise.warehouse.engines.base import Capability, Engine
from beatwise.warehouse.store import Warehouse

if TYPE_CHECKING:
    import ibis.expr.types as ir


class DuckDBEngine(Engine):
    """Ibis on an in-memory DuckDB connection; tables are ``delta_scan`` views."""

    name: ClassVar[str] = "duckdb"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.time_travel})

    def __init__(self, warehouse: Warehouse) -> None:
        super().__init__(warehouse)
        self.backend = ibis.duckdb.connect()
        duckdb_extensions.import_extension("delta", con=self.backend.con)
        self.backend.raw_sql("LOAD delta")

    def table(self, name: str, version: int | None = None) -> ir.Table:
        self.warehouse.ensure_tables()
        options = {} if version is None else {"version": version}
        suffix = "latest" if version is None else f"v{version}"
        path = str(self.warehouse.path(name))
        return self.backend.read_delta(path, table_name=f"{name}_{suffix}", **options)

    def to_pyarrow(self, expr: ir.Expr) -> object:
        return expr.to_pyarrow()

    def close(self) -> None:
        self.backend.disconnect()
