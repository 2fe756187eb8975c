"""The interface every warehouse engine implements, with the capabilities it declares.

Analysis code asks an engine for Ibis tables and never learns which engine it runs on. Engines
declare what they support so that the shared engine test suite can skip what one cannot do.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

from beatwise.warehouse.store import Warehouse

if TYPE_CHECKING:
    import ibis.expr.types as ir


class Capability(StrEnum):
    """Optional abilities an engine may have."""

    time_travel = "time_travel"
    """Can read a table as of an earlier Delta version."""


class Engine(ABC):
    """Reads canonical warehouse tables as Ibis expressions."""

    name: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]]

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse

    @abstractmethod
    def table(self, name: str, version: int | None = None) -> ir.Table:
        """The canonical table ``name`` at ``version`` (default: the latest)."""

    @abstractmethod
    def to_pyarrow(self, expr: ir.Expr) -> object:
        """Execute ``expr`` and return its result as Arrow data (or a scalar)."""

    @abstractmethod
    def close(self) -> None:
        """Release the engine's connections and sessions."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
