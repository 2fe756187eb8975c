"""Fixtures for the built-in adapter tests: load a fixture file, read back rows and rejects."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from beatwise.config import Settings
from beatwise.ingest.pipeline import IngestResult, ingest_files
from beatwise.ingest.sources import get_source
from beatwise.warehouse import Warehouse

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ingest"


@dataclass(frozen=True)
class Loaded:
    """One import's result, the incidents by source record id, and the rejects."""

    result: IngestResult
    rows: dict[str, dict[str, Any]]
    rejects: list[dict[str, Any]]

    def rejected(self) -> list[tuple[int, str, str | None]]:
        """``(line, column, value)`` of every reject, in file order."""
        return [(r["source_line"], r["column"], r["value"]) for r in self.rejects]


Load = Callable[..., Loaded]


@pytest.fixture
def load(settings: Settings) -> Load:
    """Import fixture files (by name) or paths with a source, into one warehouse per test."""
    warehouse = Warehouse(settings.warehouse_dir)

    def run(source: str, *files: str | Path) -> Loaded:
        paths = [f if isinstance(f, Path) else FIXTURES / f for f in files]
        result = ingest_files(warehouse, get_source(source), paths)
        rows = {r["source_record_id"]: r for r in warehouse.to_arrow("incidents").to_pylist()}
        rejects = [
            r
            for r in warehouse.to_arrow("rejects").to_pylist()
            if r["ingest_id"] == result.ingest_id
        ]
        rejects.sort(key=lambda r: (r["source_file"], r["source_line"], r["column"]))
        return Loaded(result, rows, rejects)

    return run


def seen_locally(row: dict[str, Any]) -> tuple[date | None, int | None]:
    """``occurred_start`` seen in the row's ``time_zone`` with zoneinfo, independently of the
    adapter's SQL: its date and, unless ``date_only``, its hour."""
    start = row["occurred_start"]
    if start is None:
        return None, None
    local = start.astimezone(ZoneInfo(row["time_zone"]))
    return local.date(), None if row["date_only"] else local.hour


def rows_like(fixture: str, path: Path, changes: Sequence[dict[str, str]]) -> Path:
    """Write ``path``: the fixture's header and, per change, its first row with those values."""
    with (FIXTURES / fixture).open(newline="") as handle:
        reader = csv.DictReader(handle)
        first = next(reader)
        header = list(reader.fieldnames or ())
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows({**first, **change} for change in changes)
    return path
