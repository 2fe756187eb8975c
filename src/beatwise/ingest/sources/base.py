"""What a source adapter declares: how a delimited export maps onto a canonical table.

An adapter is data, not code paths: the SQL that projects one raw row (all columns read as text)
onto canonical columns, the row checks whose failures go to the rejects table, and how the row's
identity is found. The pipeline in ``beatwise.ingest.pipeline`` runs every adapter the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RowCheck:
    """A rule a projected row must pass, else it is rejected with ``reason``.

    ``bad_when`` is a SQL condition over the projected (canonical) columns; ``column`` is the raw
    column whose value is shown in the rejects table.
    """

    column: str
    bad_when: str
    reason: str


@dataclass(frozen=True)
class CsvSource:
    """A built-in delimited-text source and its mapping to a canonical table.

    ``projection`` is a SQL select list over the raw columns (quoted names, text values) that
    yields the target table's columns the export can fill; the pipeline adds the identity
    columns and fills every column left out with NULL.
    When the source has no record id, ``natural_id`` is None and the id is derived from
    ``content_columns`` plus the row's ordinal among identical rows (see docs/data-model.md).
    """

    name: str
    table: str
    agency: str
    time_zone: str
    title: str
    credit: str
    required_columns: tuple[str, ...]
    projection: str
    checks: tuple[RowCheck, ...] = ()
    natural_id: str | None = None
    content_columns: tuple[str, ...] = ()
    version: str = "1"
    agency_sql: str | None = None
    """SQL over the raw columns naming each row's agency, for exports that gather several
    agencies (police.uk forces, CODE cities); None: every row gets ``agency``."""

    def for_file(self, con: object, path: Path, header: Sequence[str]) -> CsvSource:
        """A built-in adapter reads every file the same way, whatever its header."""
        return self


def sql_string(value: str) -> str:
    """``value`` as a SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def sql_case(column: str, mapping: dict[str, str]) -> str:
    """A SQL CASE mapping the raw text in ``column`` to canonical values (NULL when unknown)."""
    whens = " ".join(f"WHEN {sql_string(k)} THEN {sql_string(v)}" for k, v in mapping.items())
    return f"CASE {column} {whens} END"
