"""CompStat: the full report (every geography at every level × every row × every window).

Inputs: warehouses holding the demo city (240,992 incidents) and the 10,000,000-row resample of
it (``bench_ingest.big_input``), each with the 277 Chicago beats moved onto Toronto as a boundary
layer when the beats file is available (levels: city, 140 neighbourhoods, 277 beats). Made once
in ``bench/.data/`` and reused.

Beatwise, warm: ``compstat_report`` for each level from a cube already built (``CubeCache``, as
the web app keeps it) — the windows WTD, 28 days, YTD, prior year, two years earlier, a base
year and five history years. The cold time (building the cube from the warehouse) is reported
beside it. Peers, in the same run:

- pandas, warm: the incidents already in a DataFrame (local date, category, set membership,
  neighbourhood, beat); per level and window a boolean mask and ``groupby(...).size()``: the
  straightforward implementation an analyst would write.
- DuckDB: one bare ``GROUP BY neighbourhood, category`` count over the same Delta table, warm:
  the practical limit of a single pass.

Target (10M rows, warm): the full report in under 0.5 s.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import bench_ingest
import harness

AS_OF = date(2021, 6, 27)
BASE_YEAR = 2018
TARGET_SECONDS = 0.5


def warehouse_for(rows: int, files: list[Path]) -> Path:
    """A warehouse home with ``files`` imported (and the moved beats), made once and reused."""
    home = harness.DATA_DIR / f"compstat-{rows}"
    done = home / "READY"
    if done.exists():
        return home
    from beatwise.ingest.pipeline import ingest_files
    from beatwise.ingest.sources import get_source
    from beatwise.warehouse import Warehouse

    shutil.rmtree(home, ignore_errors=True)
    warehouse = Warehouse(home / "warehouse")
    beats = _moved_beats(files)
    if beats is not None:
        import moved_beats

        moved_beats.load_layer(warehouse, beats)
    ingest_files(warehouse, get_source("toronto-mci"), files, scratch_dir=home / "scratch")
    shutil.rmtree(home / "scratch", ignore_errors=True)
    done.write_text("ok\n")
    return home


def _moved_beats(files: list[Path]) -> Path | None:
    try:
        import moved_beats
    except ImportError:  # pragma: no cover - an older checkout of bench/
        return None
    if not moved_beats.BEATS.exists():
        return None
    return Path(moved_beats.moved_beats(bench_ingest.demo_inputs()))


def _options(level: str) -> Any:
    from beatwise.compstat.report import SheetOptions

    return SheetOptions(AS_OF, level=level, base_years=(BASE_YEAR,))


def beatwise_report(home: str) -> dict[str, Any]:
    """Cold: build the cube; warm: every level's report from the cached cube (timed)."""
    from beatwise.compstat.cube import CubeCache, DataVersion
    from beatwise.compstat.sheets import compstat_report
    from beatwise.warehouse import Warehouse
    from beatwise.warehouse.engines import open_engine

    with open_engine("duckdb", Warehouse(Path(home) / "warehouse")) as engine:
        cache = CubeCache()
        cold = harness.stopwatch()
        city = compstat_report(engine, _options("city"), cache=cache)
        cold_seconds = cold()
        levels = cache.get(engine, city.agency, DataVersion.latest(engine)).levels
        clock = harness.stopwatch()
        reports = [compstat_report(engine, _options(level), cache=cache) for level in levels]
        seconds = clock()
    cells = sum(len(r.rows) for r in reports)
    return {
        "seconds": seconds,
        "cold_seconds": cold_seconds,
        "levels": list(levels),
        "sheets": sum(len(r.geographies) for r in reports),
        "rows": cells,
        "ytd_total": next(r for r in city.rows if r.kind == "total").ytd.current,
    }


def pandas_report(home: str) -> dict[str, Any]:
    """The straightforward pandas version over a DataFrame already in memory (warm)."""
    import pandas as pd

    from beatwise.compstat.calendar import ReportCalendar
    from beatwise.warehouse import Warehouse
    from beatwise.warehouse.engines import open_engine

    with open_engine("duckdb", Warehouse(Path(home) / "warehouse")) as engine:
        t = engine.table("incidents")
        frame = engine.to_arrow_table(
            t.select("record_id", "category", "comparison_sets", "occurred_date", "neighbourhood")
        ).to_pandas()
        member = engine.table("area_membership")
        beats = engine.to_arrow_table(member.select("record_id", "area_id")).to_pandas()
    frame = frame.merge(beats.rename(columns={"area_id": "beat"}), on="record_id", how="left")
    frame["in_set"] = frame["comparison_sets"].map(lambda s: s is not None and "toronto_mci" in s)
    frame["day"] = pd.to_datetime(frame["occurred_date"])
    frame = frame[frame["in_set"]]
    cal = ReportCalendar(AS_OF)
    ytd = cal.year_to_date
    windows = [cal.week_to_date, cal.last_28_days, ytd]
    windows += [w.shifted(1) for w in windows] + [ytd.shifted(2), cal.year_to_date_in(BASE_YEAR)]
    windows += [
        type(ytd)(date(y, 1, 1), date(y, 12, 31)) for y in range(AS_OF.year - 5, AS_OF.year)
    ]
    not_leap = ~((frame["day"].dt.month == 2) & (frame["day"].dt.day == 29))
    clock = harness.stopwatch()
    total = 0
    for by in (["category"], ["neighbourhood", "category"], ["beat", "category"]):
        for w in windows:
            mask = (frame["day"] >= pd.Timestamp(w.start)) & (frame["day"] <= pd.Timestamp(w.end))
            counts = frame[mask & not_leap].groupby(by).size()
            total += int(counts.sum())
    return {"seconds": clock(), "counted": total}


def duckdb_group_by(home: str) -> dict[str, Any]:
    """One warm GROUP BY count over the same Delta table: the practical single-pass limit."""
    from beatwise.warehouse import Warehouse
    from beatwise.warehouse.engines.duckdb import DuckDBEngine

    engine = DuckDBEngine(Warehouse(Path(home) / "warehouse"))
    engine.table("incidents")
    (view,) = [
        r[0]
        for r in engine.backend.con.sql(
            "SELECT view_name FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
    ]
    query = f'SELECT neighbourhood, category, count(*) FROM "{view}" GROUP BY ALL'
    engine.backend.con.sql(query).fetchall()
    clock = harness.stopwatch()
    groups = len(engine.backend.con.sql(query).fetchall())
    seconds = clock()
    engine.close()
    return {"seconds": seconds, "groups": groups}


def compare(label: str, rows: int, home: Path, target: bool) -> list[harness.Result]:
    """Beatwise warm against pandas and against DuckDB's single group-by, same warehouse."""
    ours, pandas_peer, duck = harness.measure_interleaved(
        [
            (beatwise_report, (str(home),)),
            (pandas_report, (str(home),)),
            (duckdb_group_by, (str(home),)),
        ],
        repeat=harness.repeats(3),
    )
    facts = ours.extra
    note = (
        f"warm best of {len(ours.seconds)}: {ours.best:.3f} s for {facts['sheets']} sheets, "
        f"{facts['rows']:,} rows × 5+ windows over levels {', '.join(facts['levels'])}; cold "
        f"(cube from the warehouse) {facts['cold_seconds']:.1f} s; peak RSS "
        f"{ours.peak_rss_bytes / 2**20:,.0f} MiB"
    )
    common = {"benchmark": "compstat full report", "input": label, "unit": "reports/s"}
    return [
        harness.Result(
            **common,
            beatwise=1 / ours.best,
            peer_name="pandas (warm DataFrame)",
            peer=1 / pandas_peer.best,
            ratio=ours.best / pandas_peer.best,
            target=f"< {TARGET_SECONDS} s" if target else "",
            met=ours.best < TARGET_SECONDS if target else None,
            note=note + f"; pandas {pandas_peer.best:.3f} s",
        ),
        harness.Result(
            **common,
            beatwise=1 / ours.best,
            peer_name="DuckDB one GROUP BY",
            peer=1 / duck.best,
            ratio=ours.best / duck.best,
            note=f"one group-by count over all rows: {duck.best:.3f} s",
        ),
    ]


def run() -> list[harness.Result]:
    """The demo city, then the 10M-row warehouse."""
    demo = bench_ingest.demo_inputs()
    big = bench_ingest.big_input(demo)
    results = compare(
        f"demo city ({bench_ingest.DEMO_ROWS:,} incidents)",
        bench_ingest.DEMO_ROWS,
        warehouse_for(bench_ingest.DEMO_ROWS, demo),
        target=False,
    )
    results += compare(
        f"demo resampled to {bench_ingest.BIG_ROWS:,} incidents",
        bench_ingest.BIG_ROWS,
        warehouse_for(bench_ingest.BIG_ROWS, [big]),
        target=True,
    )
    return results
