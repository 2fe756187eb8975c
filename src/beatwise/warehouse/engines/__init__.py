"""Query engines that read the warehouse through Ibis, chosen by ``BEATWISE_ENGINE``."""

from __future__ import annotations

from beatwise.config import EngineName
from beatwise.warehouse.engines.base import Capability, Engine
from beatwise.warehouse.store import Warehouse

__all__ = ["Capability", "Engine", "open_engine"]


def open_engine(name: EngineName | str, warehouse: Warehouse) -> Engine:
    """Open the engine called ``name`` over ``warehouse``; heavy engines are imported lazily."""
    match EngineName(name):
        case EngineName.duckdb:
            from beatwise.warehouse.engines.duckdb import DuckDBEngine

            return DuckDBEngine(warehouse)
        case EngineName.pyspark:
            from beatwise.warehouse.engines.pyspark import PySparkEngine

            return PySparkEngine(warehouse)
        case EngineName.postgres:
            raise NotImplementedError(
                "the 'postgres' warehouse engine is not available yet: the warehouse is read with "
                "'duckdb' (default) or 'pyspark'; PostgreSQL serves as the app database "
                "(BEATWISE_DB_URL)"
            )
