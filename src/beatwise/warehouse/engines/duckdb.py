"""The default engine: embedded DuckDB reading Delta tables with its ``delta`` extension.

The extension comes from the ``duckdb-extension-delta`` package on PyPI and is imported into the
connection before ``LOAD``; DuckDB never tries to download it, so this works offline.

Tables are ``delta_scan`` views pinned to a version, typed from the canonical schema. (Ibis's
own ``read_delta`` would ask DuckDB for the schema through ``fetch_arrow_table``, which DuckDB
1.5 deprecates; typing from the data model needs no such round trip.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import duckdb_extensions
import ibis

from beatwise.warehouse.engines.base import Capability, Engine, bind_table
from beatwise.warehouse.store import Warehouse

if TYPE_CHECKING:
    import ibis.expr.types as ir


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class DuckDBEngine(Engine):
    """Ibis on an in-memory DuckDB connection (time zone UTC); tables are ``delta_scan`` views."""

    name: ClassVar[str] = "duckdb"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.time_travel})

    def __init__(self, warehouse: Warehouse) -> None:
        super().__init__(warehouse)
        self.backend = ibis.duckdb.connect()
        duckdb_extensions.import_extension("delta", con=self.backend.con)
        self.backend.raw_sql("LOAD delta")

    def table(self, name: str, version: int | None = None) -> ir.Table:
        """The canonical table ``name`` at ``version`` (default: the latest, pinned now)."""
        snapshot = self._snapshot(name, version)
        view = f"{name}_v{snapshot}"
        path = _sql_string(str(self.warehouse.path(name)))
        self.backend.raw_sql(
            f'CREATE OR REPLACE TEMP VIEW "{view}" AS '
            f"SELECT * FROM delta_scan({path}, version := {int(snapshot)})"
        )
        return bind_table(self.backend, view, name)

    def to_pyarrow(self, expr: ir.Expr) -> object:
        """Execute ``expr`` on DuckDB; an Arrow table, array or scalar."""
        return self.backend.to_pyarrow(expr)

    def close(self) -> None:
        """Close the DuckDB connection."""
        self.backend.disconnect()
