"""Ingest throughput: CSV export → validated, identified rows in the Delta ``incidents`` table.

Inputs: the demo city (Toronto MCI 2014–2021, 240,992 rows in two files), a 10,000,000-row file
made once by resampling the demo rows with a seeded generator (``bench/.data/``), and the real
Chicago and NYC (CODE) exports in ``../shared/data`` when they are there.

Beatwise: ``ingest_files`` of the file(s) into a fresh warehouse with the source's adapter, timed
from the call to its return (header checks, parse, projection, checks, ids, the Delta commit,
rejects, area assignment and provenance). Peer: a bare DuckDB ``read_csv`` of the same file(s)
with every column as text, fully materialised as Arrow batches — the practical limit, since
Beatwise must parse at least that much. Also: a re-import of the demo city into the warehouse
that holds it (a MERGE in which every row matches: 0 inserted, the rest updated or unchanged).

The 10M file is imported into a warehouse that already holds a boundary layer, the 277 Chicago
beats moved onto the demo city (``moved_beats.py``), so the import's own point-in-polygon
assignment runs inside the timed call; its stages are timed through ``on_stage``, and the
placement is checked against shapely on a 100,000-row sample.

Target (the issue's): 10M rows with area assignment in under 30 s on 2 cores.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import harness
import moved_beats

DEMO_ROWS = 240_992
BIG_ROWS = 10_000_000
SEED = 20261125
TARGET_SECONDS = 30.0


def demo_inputs() -> list[Path]:
    """The demo city's two CSV files, downloaded once into ``bench/.data/cache``."""
    from beatwise.ingest.demo_city import demo_files

    return demo_files(harness.DATA_DIR / "cache")


def big_input(demo: list[Path], rows: int = BIG_ROWS, seed: int = SEED) -> Path:
    """A ``rows``-row CSV resampled (with replacement) from the demo rows; made once, reused.

    A seeded numpy generator picks the row indices; DuckDB joins and writes the file, so making
    it takes seconds. The header and every value are copied verbatim from the demo files.
    """
    target = harness.DATA_DIR / f"toronto-mci-{rows}-seed{seed}.csv"
    if target.exists():
        return target
    import duckdb
    import numpy as np
    import pyarrow as pa

    from beatwise.ingest.sources.base import sql_string

    chosen = np.random.default_rng(seed).integers(0, DEMO_ROWS, size=rows)
    picks = pa.table({"pos": np.arange(rows), "i": chosen})
    partial = target.with_suffix(".partial")
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.register("picks", picks)
    listed = ", ".join(sql_string(str(p)) for p in demo)
    con.execute(
        f"CREATE TABLE demo AS SELECT * FROM read_csv([{listed}], header = true, "
        "all_varchar = true)"
    )
    con.execute(
        f"COPY (SELECT demo.* FROM picks JOIN demo ON demo.rowid = picks.i "
        f"ORDER BY picks.pos) TO {sql_string(str(partial))} (HEADER, DELIMITER ',')"
    )
    partial.replace(target)
    return target


class StageClock:
    """The pipeline's ``on_stage`` callback: when each stage started, as wall seconds into the
    call and as this process's CPU seconds (all threads), which other work on the machine
    inflates far less than wall time."""

    def __init__(self) -> None:
        self.clock = harness.stopwatch()
        self.cpu = time.process_time()
        self.starts: list[tuple[str, float, float]] = []
        self.end = (0.0, 0.0)

    def __call__(self, label: str) -> None:
        # Counts change from file to file ("writing 10,000,000 rows"): keep the stage's name.
        name = re.sub(r"\d[\d,]*\s*", "", label)
        self.starts.append((name, self.clock(), time.process_time() - self.cpu))

    def stop(self) -> float:
        """Mark the end of the call (before any checking work); return its wall seconds."""
        self.end = (self.clock(), time.process_time() - self.cpu)
        return self.end[0]

    def spans(self) -> list[tuple[str, float, float]]:
        """Each stage's name, wall and CPU seconds, the last one running until :meth:`stop`."""
        ends = [(wall, used) for _, wall, used in self.starts[1:]] + [self.end]
        return [
            (name, end - wall, end_cpu - used)
            for (name, wall, used), (end, end_cpu) in zip(self.starts, ends, strict=True)
        ]


def beatwise_ingest(
    files: list[str], reimport: bool, source_name: str, beats: str | None = None
) -> dict[str, Any]:
    """Import ``files`` into a fresh warehouse (twice when ``reimport``: the second is timed).

    With ``beats`` (a GeoJSON of beats) the warehouse holds that layer before the import, so
    the import assigns areas; the stages are timed and the placement checked afterwards.
    """
    from beatwise.ingest.pipeline import ingest_files
    from beatwise.ingest.sources import get_source
    from beatwise.warehouse import Warehouse

    harness.DATA_DIR.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="ingest-", dir=harness.DATA_DIR))
    try:
        warehouse = Warehouse(tmp / "warehouse")
        source, paths = get_source(source_name), [Path(f) for f in files]
        if beats:
            moved_beats.load_layer(warehouse, Path(beats))
        if reimport:
            ingest_files(warehouse, source, paths, scratch_dir=tmp / "scratch")
        stages = StageClock()
        result = ingest_files(
            warehouse, source, paths, scratch_dir=tmp / "scratch", on_stage=stages
        )
        seconds = stages.stop()
        facts = {
            "seconds": seconds,
            "rows_read": result.rows_read,
            "inserted": result.rows_inserted,
            "updated": result.rows_updated,
            "unchanged": getattr(result, "rows_unchanged", 0),
            "rejected": result.rows_rejected,
            "table_rows": warehouse.status("incidents").rows,
        }
        if beats:
            facts |= _area_facts(warehouse, result, Path(beats))
            facts["stages"] = stages.spans()
        return facts
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _area_facts(warehouse: Any, result: Any, beats: Path) -> dict[str, Any]:
    """The import's area assignment as it reported it, the table it wrote, and the sample
    check against shapely (which raises on any disagreement)."""
    areas = result.areas
    if areas is None or [layer.layer for layer in areas.layers] != [moved_beats.LAYER]:
        raise RuntimeError(f"the import did not assign the beat layer: {areas}")
    (layer,) = areas.layers
    return {
        "areas_seconds": areas.seconds,
        "located": layer.located,
        "assigned": layer.assigned,
        "membership_rows": warehouse.status("area_membership").rows,
        **moved_beats.check_sample(warehouse, beats),
    }


def bare_scan(files: list[str]) -> dict[str, Any]:
    """DuckDB ``read_csv`` of ``files``, every column as text, consumed fully as Arrow."""
    import duckdb

    from beatwise.ingest.sources.base import sql_string

    listed = ", ".join(sql_string(f) for f in files)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    clock = harness.stopwatch()
    reader = con.execute(
        f"SELECT * FROM read_csv([{listed}], header = true, all_varchar = true)"
    ).arrow()
    rows = sum(batch.num_rows for batch in reader)
    return {"seconds": clock(), "rows": rows}


def _check(got: dict[str, Any], expected: dict[str, int], what: str) -> None:
    wrong = {k: (got[k], v) for k, v in expected.items() if got[k] != v}
    if wrong:
        raise RuntimeError(f"{what}: wrong counts (got, expected): {wrong}")


@dataclass(frozen=True)
class Case:
    """One measured comparison: an input, whether it is a re-import, whether it has a target,
    and the boundary layer (GeoJSON) the warehouse holds before the import, if any."""

    name: str
    label: str
    rows: int
    files: tuple[str, ...]
    reimport: bool = False
    repeat: int = 3
    target: bool = False
    source: str = "toronto-mci"
    beats: str | None = None


def compare(case: Case) -> harness.Result:
    """Measure Beatwise and the bare scan on ``case``'s files; check every count first."""
    files = list(case.files)
    ours, peer = harness.measure_interleaved(
        [(beatwise_ingest, (files, case.reimport, case.source, case.beats)), (bare_scan, (files,))],
        repeat=case.repeat,
    )
    ours.extra["matched"] = ours.extra["updated"] + ours.extra["unchanged"]
    expected = {"inserted": 0, "matched": case.rows} if case.reimport else {"inserted": case.rows}
    _check(
        ours.extra,
        {**expected, "rows_read": case.rows, "table_rows": case.rows, "rejected": 0},
        case.label,
    )
    _check(peer.extra, {"rows": case.rows}, f"{case.label} (bare scan)")
    areas = _areas_note(ours.extra, case.label) if case.beats else ""
    rate, ratio = case.rows / ours.best, ours.best / peer.best
    return harness.Result(
        benchmark=case.name,
        input=case.label,
        unit="rows/s",
        beatwise=rate,
        peer_name="DuckDB read_csv → Arrow",
        peer=case.rows / peer.best,
        ratio=ratio,
        target=f"< {TARGET_SECONDS:g} s" if case.target else "",
        met=ours.best < TARGET_SECONDS if case.target else None,
        note=(
            f"best of {case.repeat}: {ours.best:.2f} s vs {peer.best:.2f} s (medians "
            f"{ours.median:.2f} s, {peer.median:.2f} s){areas}; Beatwise peak RSS "
            f"{ours.peak_rss_bytes / 2**20:,.0f} MiB"
        ),
    )


def _areas_note(facts: dict[str, Any], label: str) -> str:
    """Check the area assignment's counts (fastest run) and describe it and the stages."""
    _check(facts, {"membership_rows": facts["assigned"]}, f"{label} (area_membership)")
    share, sampled = facts["assigned"] / facts["located"], facts["sample_inside"] / facts["sampled"]
    spread = (share * (1 - share) / facts["sampled"]) ** 0.5
    if abs(sampled - share) > 5 * spread:
        raise RuntimeError(
            f"{label}: {share:.2%} of located rows placed, but {sampled:.2%} of the sample "
            "falls inside a beat by shapely's count"
        )
    stages = " · ".join(f"{name} {wall:.1f} / {cpu:.1f}" for name, wall, cpu in facts["stages"])
    print(f"{label}: stages of the fastest run (wall / CPU s): {stages}")
    return (
        f"; of the best run, area assignment {facts['areas_seconds']:.2f} s; "
        f"{facts['assigned']:,} of {facts['located']:,} located rows placed in a beat "
        f"({share:.1%}; shapely on a {facts['sampled']:,}-row sample: {sampled:.1%}, "
        f"every row placed alike); stages (wall / CPU s): {stages}"
    )


def run() -> list[harness.Result]:
    """Demo city (import and re-import), the 10M-row file with beats, real exports."""
    demo = tuple(str(p) for p in demo_inputs())
    big = (str(big_input([Path(p) for p in demo])),)
    demo_label = f"demo city ({DEMO_ROWS:,} rows, 2 files)"
    cases = [
        Case("ingest", demo_label, DEMO_ROWS, demo, repeat=harness.repeats(5)),
        Case(
            "ingest (re-import: MERGE)",
            demo_label,
            DEMO_ROWS,
            demo,
            reimport=True,
            repeat=harness.repeats(3),
        ),
    ]
    if moved_beats.BEATS.exists():
        cases.append(
            Case(
                "ingest + area assignment",
                f"demo resampled to {BIG_ROWS:,} rows (seed {SEED}) × 277 Chicago beats moved "
                "onto it",
                BIG_ROWS,
                big,
                repeat=harness.repeats(3),
                target=True,
                beats=str(moved_beats.moved_beats([Path(p) for p in demo])),
            )
        )
    else:
        print(f"10M case skipped: it needs the Chicago beats at {moved_beats.BEATS}")
    return [compare(case) for case in cases + real_exports()]


SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
"""The real exports beside the project (never committed); their cases are skipped without it."""


def real_exports() -> list[Case]:
    """Real agency exports from ../shared/data, through their own adapters."""
    chicago = SHARED_DATA / "chicago" / "chicago_crimes_sample_2017_2019.csv"
    nyc = SHARED_DATA / "nyc" / "nyc_motor_vehicle_thefts_2014_2017_CODE.csv.gz"
    if not (chicago.exists() and nyc.exists()):
        print(f"real exports skipped: {SHARED_DATA} is missing")
        return []
    return [
        Case(
            "ingest (chicago)",
            "Chicago crimes sample 2017-2019 (25,000 rows)",
            25_000,
            (str(chicago),),
            repeat=harness.repeats(5),
            source="chicago",
        ),
        Case(
            "ingest (code:240)",
            "NYC motor-vehicle thefts, CODE (35,746 rows, gzip)",
            35_746,
            (str(nyc),),
            repeat=harness.repeats(5),
            source="code:240",
        ),
    ]
