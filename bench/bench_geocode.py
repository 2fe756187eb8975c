"""Point-in-polygon throughput: located incidents → the 277 polygons of the Chicago police beats.

Inputs: 1,000,000 and 10,000,000 points resampled with replacement (seeded) from the 25,000
located incidents of the Chicago sample 2017–2019 in ``../shared/data/chicago``, each moved by a
normal jitter of about 200 m, so that the points have the city's real density; the beats are
``chicago_beat_bounds.geojson`` loaded through ``beatwise boundaries add``'s reader.

Beatwise: ``beatwise.ingest.areas.locate`` — shapely 2's ``intersects_xy`` on prepared polygons
after a sweep over the points sorted by longitude — from coordinate arrays to the index of one
area per point (the border rule applied). Peers, same arrays, same run, each timed from the
arrays to the same answer:

- DuckDB spatial (``duckdb-extension-spatial``): ``ST_Intersects(beat, ST_Point(lon, lat))``
  joined from an Arrow table (planned as its ``SPATIAL_JOIN`` operator), ``min(beat)`` per
  point for the border rule, fetched as numpy.
- shapely's ``STRtree`` over the points, queried with the prepared beats (``intersects``), the
  faster of its two orientations here.

Also end to end: ``assign_areas`` on 1,000,000 incidents in a Delta warehouse (read the located
records, place them, MERGE ``area_membership``) against DuckDB doing the same job: ``delta_scan``
of the incidents, the spatial join, and ``write_deltalake`` of the result.

Run with the others (``python bench/run.py geocode``) or alone (``python bench/bench_geocode.py``).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import harness

CHICAGO = harness.ROOT.parent / "shared" / "data" / "chicago"
BEATS = CHICAGO / "chicago_beat_bounds.geojson"
INCIDENTS = CHICAGO / "chicago_crimes_sample_2017_2019.csv"
SEED = 20261125
JITTER_DEGREES = 0.002
INPUT_TABLES = ("incidents", "boundaries")


def points(n: int, seed: int = SEED) -> tuple[Any, Any]:
    """``n`` (lon, lat) arrays resampled from the Chicago sample's located incidents."""
    import numpy as np
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(
        INCIDENTS, convert_options=pacsv.ConvertOptions(include_columns=["longitude", "latitude"])
    )
    lon = table.column("longitude").to_numpy(zero_copy_only=False)
    lat = table.column("latitude").to_numpy(zero_copy_only=False)
    keep = np.isfinite(lon) & np.isfinite(lat)
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, int(keep.sum()), n)
    jitter = rng.normal(0, JITTER_DEGREES, (2, n))
    return lon[keep][pick] + jitter[0], lat[keep][pick] + jitter[1]


def beats() -> Any:
    """The beats as ``beatwise boundaries add`` loads them, as an ``areas.Layer``."""
    from beatwise.ingest.areas import load_layers
    from beatwise.ingest.boundaries import load_boundaries
    from beatwise.warehouse import Warehouse

    harness.DATA_DIR.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="geocode-", dir=harness.DATA_DIR))
    try:
        warehouse = Warehouse(tmp)
        load_boundaries(warehouse, BEATS, layer="beat", id_field="beat_num")
        (layer,), _ = load_layers(warehouse)
        return layer
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def beatwise_locate(n: int) -> dict[str, Any]:
    """``locate`` over ``n`` points."""
    from beatwise.ingest.areas import locate

    layer, (lon, lat) = beats(), points(n)
    clock = harness.stopwatch()
    found = locate(layer, lon, lat, None)
    return {"seconds": clock(), "placed": int((found >= 0).sum()), "checksum": int(found.sum())}


def _duckdb(*extensions: str) -> Any:
    """A DuckDB connection with ``extensions`` loaded from their PyPI packages (no download)."""
    import duckdb
    import duckdb_extensions

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    for extension in extensions:
        duckdb_extensions.import_extension(extension, con=con)
        con.execute(f"LOAD {extension}")
    return con


def duckdb_locate(n: int) -> dict[str, Any]:
    """DuckDB spatial's join over ``n`` points, the lowest beat index winning on borders."""
    import numpy as np
    import pyarrow as pa
    import shapely

    layer, (lon, lat) = beats(), points(n)
    con = _duckdb("spatial")
    con.register(
        "areas",
        pa.table({"j": np.arange(len(layer.polygons)), "wkb": shapely.to_wkb(layer.polygons)}),
    )
    con.execute("CREATE TABLE beats AS SELECT j, ST_GeomFromWKB(wkb) AS g FROM areas")
    clock = harness.stopwatch()
    con.register("pts", pa.table({"i": np.arange(n), "lon": lon, "lat": lat}))
    got = con.execute(
        "SELECT i, min(j) AS j FROM pts JOIN beats ON ST_Intersects(beats.g, "
        "ST_Point(pts.lon, pts.lat)) GROUP BY i"
    ).fetchnumpy()
    found = np.full(n, -1, dtype=np.int64)
    found[got["i"]] = got["j"]
    return {"seconds": clock(), "placed": int((found >= 0).sum()), "checksum": int(found.sum())}


def strtree_locate(n: int) -> dict[str, Any]:
    """shapely's STRtree over ``n`` points, queried with the beats; lowest index on borders."""
    import numpy as np
    import shapely

    layer, (lon, lat) = beats(), points(n)
    clock = harness.stopwatch()
    pairs = shapely.STRtree(shapely.points(lon, lat)).query(layer.polygons, predicate="intersects")
    found = np.full(n, len(layer.polygons), dtype=np.int64)
    np.minimum.at(found, pairs[1], pairs[0])
    found[found == len(layer.polygons)] = -1
    return {"seconds": clock(), "placed": int((found >= 0).sum()), "checksum": int(found.sum())}


def _warehouse_with_incidents(root: Path, n: int) -> Any:
    """A warehouse holding the beats and ``n`` located incidents (setup, not timed)."""
    import hashlib

    import numpy as np
    import pyarrow as pa

    from beatwise.datamodel import table_spec
    from beatwise.ingest.boundaries import load_boundaries
    from beatwise.warehouse import Warehouse

    warehouse = Warehouse(root)
    load_boundaries(warehouse, BEATS, layer="beat", id_field="beat_num")
    lon, lat = points(n)
    schema = table_spec("incidents").schema
    ids = [hashlib.md5(f"bench|{i}".encode()).hexdigest() for i in range(n)]
    constant = {
        "source": "bench",
        "agency": "bench",
        "ingest_id": "bench",
        "category": "robbery",
        "date_only": False,
        "time_zone": "America/Chicago",
        "is_sensitive": False,
    }
    columns = {name: pa.nulls(n, schema.field(name).type) for name in schema.names}
    columns |= {name: pa.repeat(pa.scalar(value), n) for name, value in constant.items()}
    columns |= {
        "record_id": pa.array(ids),
        "source_record_id": pa.array(np.arange(n).astype(str)),
        "lon": pa.array(lon),
        "lat": pa.array(lat),
    }
    warehouse.upsert("incidents", pa.table(columns).cast(schema))
    return warehouse


def beatwise_assign(n: int) -> dict[str, Any]:
    """``assign_areas`` of ``n`` warehouse incidents to the beats, into a fresh membership."""
    from beatwise.ingest.areas import assign_areas

    harness.DATA_DIR.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="geocode-", dir=harness.DATA_DIR))
    try:
        warehouse = _warehouse_with_incidents(tmp / "warehouse", n)
        clock = harness.stopwatch()
        result = assign_areas(warehouse)
        return {
            "seconds": clock(),
            "placed": result.rows_written,
            "membership_rows": warehouse.status("area_membership").rows,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def duckdb_assign(n: int) -> dict[str, Any]:
    """The same job in DuckDB: delta_scan, spatial join, write the pairs as a Delta table."""
    from deltalake import write_deltalake

    from beatwise.ingest.sources.base import sql_string

    harness.DATA_DIR.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="geocode-", dir=harness.DATA_DIR))
    try:
        warehouse = _warehouse_with_incidents(tmp / "warehouse", n)
        clock = harness.stopwatch()
        con = _duckdb("spatial", "delta")
        incidents, boundaries = (sql_string(str(warehouse.path(t))) for t in INPUT_TABLES)
        pairs = con.execute(
            "SELECT i.record_id, 'incidents' AS source_table, 'beat' AS layer, "
            "arg_min(b.area_id, b.area_id::INT) AS area_id, 1::BIGINT AS boundaries_version "
            f"FROM delta_scan({incidents}) i JOIN delta_scan({boundaries}) b ON ST_Intersects("
            "ST_GeomFromWKB(b.geometry), ST_Point(i.lon, i.lat)) "
            "WHERE i.lat IS NOT NULL GROUP BY i.record_id"
        ).to_arrow_table()
        write_deltalake(tmp / "membership", pairs)
        return {"seconds": clock(), "placed": pairs.num_rows}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _same(ours: harness.Timing, peer: harness.Timing, keys: tuple[str, ...], what: str) -> None:
    wrong = {k: (ours.extra[k], peer.extra[k]) for k in keys if ours.extra[k] != peer.extra[k]}
    if wrong:
        raise RuntimeError(f"{what}: Beatwise and the peer disagree (ours, peer): {wrong}")


def _result(
    name: str, label: str, n: int, ours: harness.Timing, *, peer_name: str, peer: harness.Timing
) -> harness.Result:
    return harness.Result(
        benchmark=name,
        input=label,
        unit="points/s",
        beatwise=n / ours.median,
        peer_name=peer_name,
        peer=n / peer.median,
        ratio=ours.median / peer.median,
        note=(
            f"median of {len(ours.seconds)}: {ours.median:.2f} s vs {peer.median:.2f} s; "
            f"{ours.extra['placed']:,} placed; peak RSS {ours.peak_rss_bytes / 2**20:,.0f} MiB"
        ),
    )


def run() -> list[harness.Result]:
    """1M and 10M points against DuckDB spatial (and 1M against STRtree); 1M end to end."""
    if not BEATS.exists():
        print(f"bench_geocode skipped: it needs the real Chicago files in {CHICAGO}")
        return []
    results = []
    for n, repeat in ((1_000_000, harness.repeats(5)), (10_000_000, harness.repeats(3))):
        label = f"{n:,} Chicago points × 277 beats (seed {SEED})"
        ours = harness.measure(beatwise_locate, n, repeat=repeat)
        duck = harness.measure(duckdb_locate, n, repeat=repeat)
        _same(ours, duck, ("placed", "checksum"), f"{label}, DuckDB spatial")
        results.append(
            _result("point-in-polygon", label, n, ours, peer_name="DuckDB spatial join", peer=duck)
        )
        if n == 1_000_000:
            tree = harness.measure(strtree_locate, n, repeat=repeat)
            _same(ours, tree, ("placed", "checksum"), f"{label}, STRtree")
            results.append(
                _result("point-in-polygon", label, n, ours, peer_name="shapely STRtree", peer=tree)
            )
    n = 1_000_000
    ours = harness.measure(beatwise_assign, n, repeat=harness.repeats(3))
    duck = harness.measure(duckdb_assign, n, repeat=harness.repeats(3))
    _same(ours, duck, ("placed",), "assign end to end")
    results.append(
        _result(
            "assign areas (Delta → Delta)",
            f"{n:,} incidents × 277 beats",
            n,
            ours,
            peer_name="DuckDB delta_scan + spatial join + write",
            peer=duck,
        )
    )
    return results


if __name__ == "__main__":
    harness.print_table(run())
