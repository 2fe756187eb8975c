"""What the warehouse holds: per table and per source, rows, date span and data version.

The home page, ``beatwise status`` and the API all show this, so every figure they print can be
traced to a table version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from beatwise.datamodel import TABLES
from beatwise.warehouse.engines.base import Engine


@dataclass(frozen=True)
class SourceSpan:
    """Rows of one source in a table, and the span of their event times (None when unknown)."""

    source: str
    rows: int
    first: datetime | None
    last: datetime | None


@dataclass(frozen=True)
class Dataset:
    """One canonical table as loaded: its version, row count and sources."""

    table: str
    description: str
    version: int | None
    rows: int
    time_column: str | None
    sources: tuple[SourceSpan, ...]


def describe(engine: Engine) -> list[Dataset]:
    """Every canonical table, with per-source spans for the fact tables that hold rows."""
    datasets = []
    for status in engine.warehouse.statuses():
        spec = TABLES[status.name]
        sources: tuple[SourceSpan, ...] = ()
        if status.rows and "source_record_id" in spec.schema.names:
            sources = _source_spans(engine, status.name, status.version, spec.time_column)
        datasets.append(
            Dataset(
                table=status.name,
                description=spec.description,
                version=status.version,
                rows=status.rows,
                time_column=spec.time_column,
                sources=sources,
            )
        )
    return datasets


def _source_spans(
    engine: Engine, table: str, version: int | None, time_column: str | None
) -> tuple[SourceSpan, ...]:
    t = engine.table(table, version)
    metrics = {"rows": t.count()}
    if time_column:
        metrics |= {"first": t[time_column].min(), "last": t[time_column].max()}
    result = engine.to_arrow_table(t.group_by("source").aggregate(**metrics).order_by("source"))
    return tuple(
        SourceSpan(
            source=row["source"],
            rows=int(row["rows"]),
            first=row.get("first"),
            last=row.get("last"),
        )
        for row in result.to_pylist()
    )
