"""The interface every warehouse engine implements, with the capabilities it declares.

Analysis code asks an engine for Ibis tables and never learns which engine it runs on. Engines
declare what they support so that the shared engine test suite can skip what one cannot do.

Every engine types its tables from the canonical Arrow schema (``beatwise.datamodel``), not from
what the engine infers: the same expression then has the same schema, and gives the same Arrow
types, on every engine (Spark, for example, has no "timestamp with time zone" type of its own).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Self

import pyarrow as pa

from beatwise.datamodel import table_spec
from beatwise.warehouse.store import Warehouse

if TYPE_CHECKING:
    import ibis.expr.types as ir


class Capability(StrEnum):
    """Optional abilities an engine may have."""

    time_travel = "time_travel"
    """Can read a table as of an earlier Delta version."""


class Engine(ABC):
    """Reads canonical warehouse tables as Ibis expressions.

    A table expression is a snapshot: ``table(name)`` pins the version that is current when it
    is called, so a commit made afterwards does not change what the expression reads.
    """

    name: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]]

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse

    def supports(self, capability: Capability) -> bool:
        """Whether this engine declares ``capability``."""
        return capability in self.capabilities

    @abstractmethod
    def table(self, name: str, version: int | None = None) -> ir.Table:
        """The canonical table ``name`` at ``version`` (default: the latest)."""

    @abstractmethod
    def to_pyarrow(self, expr: ir.Expr) -> object:
        """Execute ``expr`` and return its result as Arrow data (or a scalar)."""

    @abstractmethod
    def close(self) -> None:
        """Release the engine's connections and sessions."""

    def to_arrow_table(self, expr: ir.Table) -> pa.Table:
        """Execute the table expression ``expr`` and return an Arrow table."""
        result = self.to_pyarrow(expr)
        if not isinstance(result, pa.Table):  # pragma: no cover - a broken engine
            raise TypeError(f"engine {self.name!r} returned {type(result).__name__}, not a table")
        return result

    def _snapshot(self, name: str, version: int | None) -> int:
        """The version a read of ``name`` uses: ``version``, or the latest one now."""
        self.warehouse.ensure_tables()
        if version is not None:
            return version
        latest = self.warehouse.version(name)
        if latest is None:  # pragma: no cover - ensure_tables just created it
            raise FileNotFoundError(f"warehouse table {name!r} does not exist")
        return latest

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def bind_table(backend: Any, view: str, table: str) -> ir.Table:
    """An Ibis table over the view ``view`` of ``backend``, typed as canonical table ``table``."""
    import ibis
    import ibis.expr.operations as ops

    schema = ibis.Schema.from_pyarrow(table_spec(table).schema)
    op = ops.DatabaseTable(view, schema=schema, source=backend, namespace=ops.Namespace())
    result: ir.Table = op.to_expr()
    return result
