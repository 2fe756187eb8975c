"""The warehouse: one Delta Lake table per canonical table, written by MERGE upserts."""

from beatwise.warehouse.store import TableStatus, Warehouse, WriteResult

__all__ = ["TableStatus", "Warehouse", "WriteResult"]
