"""Shared helpers of the mapping tests: fixtures, a key, and a projection runner.

``project`` evaluates one compiled source's projection straight in DuckDB (the unit under
test is the compiler), with the pseudonym function and DuckDB spatial the pipeline would
provide.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from beatwise.ingest.mappings.source import load_spatial
from beatwise.ingest.sources.base import CsvSource
from beatwise.privacy import register_pseudonym_function

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mappings"
REAL_DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
KEY = "test-deployment-key-0123456789abcdef"
GUIDE = Path(__file__).resolve().parents[3] / "docs" / "ingest.md"


def documented_figures(name: str) -> tuple[int, int]:
    """The rows read and accepted that docs/ingest.md states for a shipped mapping."""
    for line in GUIDE.read_text().splitlines():
        cells = [c.strip().replace(",", "") for c in line.strip().strip("|").split("|")]
        if cells[0] == f"`{name}`" and len(cells) == 4 and cells[1].isdigit():
            return int(cells[1]), int(cells[2])
    raise AssertionError(f"docs/ingest.md states no figures for {name}")


def read_header(path: Path) -> tuple[str, ...]:
    """The columns DuckDB reads from ``path`` (as the pipeline does)."""
    with duckdb.connect() as con:
        described = con.execute(
            f"DESCRIBE SELECT * FROM read_csv('{path}', header = true, all_varchar = true)"
        ).fetchall()
    return tuple(row[0] for row in described)


@dataclass(frozen=True)
class Projected:
    """A projection's rows (table columns and check flags) and its failures by line."""

    rows: list[dict[str, Any]]
    failures: list[tuple[int, str, str]]  # (line, raw column, reason)

    def good(self) -> list[dict[str, Any]]:
        """The rows no check rejected."""
        bad = {line for line, _, _ in self.failures}
        return [r for i, r in enumerate(self.rows) if i + 2 not in bad]


def project(source: CsvSource, path: Path) -> Projected:
    """Evaluate ``source``'s projection over ``path`` in DuckDB (UTC session, as the pipeline)."""
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        register_pseudonym_function(con, KEY)
        if "ST_Transform" in source.projection:
            load_spatial(con)
        table = con.execute(
            f"SELECT {source.projection} FROM read_csv('{path}', header = true, all_varchar = true)"
        ).to_arrow_table()
    rows = table.to_pylist()
    failures = [
        (i + 2, check.column, check.reason)
        for i, row in enumerate(rows)
        for k, check in enumerate(source.checks)
        if row[f"_m_check_{k}"]
    ]
    return Projected(rows, failures)
