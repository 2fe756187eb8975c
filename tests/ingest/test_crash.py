"""An import killed half-way (SIGKILL) leaves the previous version; a re-run completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from beatwise.ingest.pipeline import ingest_files
from beatwise.ingest.sources import get_source
from beatwise.testing.city import write_tiny_city
from beatwise.warehouse import Warehouse

SOURCE = get_source("toronto-mci")
IMPORT = """
import sys
from pathlib import Path
from beatwise.ingest.pipeline import ingest_files
from beatwise.ingest.sources import get_source
from beatwise.warehouse import Warehouse
ingest_files(Warehouse(Path(sys.argv[1])), get_source("toronto-mci"), [Path(sys.argv[2])])
"""


def resample(source: Path, target: Path, rows: int) -> Path:
    """``rows`` rows drawn (seeded) from ``source``, written as CSV in the same format."""
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT *, row_number() OVER () - 1 AS i "
        f"FROM read_csv('{source}', all_varchar = true)"
    )
    (count,) = con.execute("SELECT count(*) FROM t").fetchone() or (0,)
    con.execute(
        f"COPY (SELECT t.* EXCLUDE (i) FROM range({rows}) r "
        f"JOIN t ON t.i = (r.range * 7919) % {count} ORDER BY r.range) TO '{target}' (HEADER)"
    )
    return target


def snapshot(warehouse: Warehouse) -> tuple[int | None, Counter[str], frozenset[str]]:
    table = warehouse.to_arrow("incidents")
    return (
        warehouse.version("incidents"),
        Counter(table.column("category").to_pylist()),
        frozenset(table.column("record_id").to_pylist()),
    )


def data_files(table_dir: Path) -> set[Path]:
    """Everything in a table's folder but its log: data files, finished or still being written."""
    return {p for p in table_dir.iterdir() if p.name != "_delta_log"}


def kill_when_data_files_appear(process: subprocess.Popen[bytes], table_dir: Path) -> bool:
    """SIGKILL ``process`` as soon as it starts a new data file; False if it finished first."""
    before = data_files(table_dir)
    while process.poll() is None:
        if data_files(table_dir) - before:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.002)
    return False


@pytest.mark.slow
def test_killed_import_keeps_previous_version_and_rerun_completes(tmp_path: Path) -> None:
    small = write_tiny_city(tmp_path / "small.csv", 300, seed=1)
    big = resample(
        write_tiny_city(tmp_path / "seed.csv", 2_000, seed=2), tmp_path / "big.csv", 300_000
    )
    reference = Warehouse(tmp_path / "reference")
    ingest_files(reference, SOURCE, [small])
    ingest_files(reference, SOURCE, [big])

    warehouse = Warehouse(tmp_path / "warehouse")
    ingest_files(warehouse, SOURCE, [small])
    before = snapshot(warehouse)
    child = subprocess.Popen(
        [sys.executable, "-c", IMPORT, str(warehouse.root), str(big)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert kill_when_data_files_appear(child, warehouse.path("incidents")), "import ended too soon"
    assert child.returncode == -signal.SIGKILL
    assert snapshot(warehouse) == before, "the killed import must leave the previous version"

    ingest_files(warehouse, SOURCE, [big])
    _, categories, ids = snapshot(warehouse)
    _, expected_categories, expected_ids = snapshot(reference)
    assert categories == expected_categories
    assert ids == expected_ids
    assert sum(categories.values()) == len(ids) == 300 + 300_000
