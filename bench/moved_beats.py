"""Chicago's 277 police beats moved onto the demo city, and an independent check of placement.

The demo city's incidents are in Toronto; the only real beat layout at hand is Chicago's
(``../shared/data/chicago/chicago_beat_bounds.geojson``). To time an import *with* area
assignment on the demo city, the beats are moved there by an affine map per axis (scale, then
translate) that takes the beats' bounding box onto the bounding box of the demo city's located
points. The polygons keep their count, shape up to stretching, and topology (a positive scaling
keeps valid rings valid and shared borders shared), so the placement work is that of 277 real
beats over a real city's point density. The moved layer is written once as GeoJSON into
``bench/.data`` and loaded with the package's own reader, like ``beatwise boundaries add``.

:func:`check_sample` recounts placement without Beatwise's code: shapely's ``STRtree`` of the
moved polygons, read straight from the GeoJSON, queried with a seeded sample of the warehouse's
located incidents; every sampled point inside a beat must have exactly one ``area_membership``
row naming a beat that contains it, and every point outside all beats none.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import harness

BEATS = harness.ROOT.parent / "shared" / "data" / "chicago" / "chicago_beat_bounds.geojson"
LAYER = "beat"
ID_FIELD = "beat_num"
MOVED = harness.DATA_DIR / "chicago-beats-on-demo-city.geojson"
SAMPLE = 100_000
SEED = 20261125


def demo_extent(files: list[Path]) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the demo rows' points, located as the Toronto adapter
    locates them (``Lat``/``Long`` as numbers, 0 meaning no coordinate)."""
    import duckdb

    from beatwise.ingest.sources.base import sql_string

    listed = ", ".join(sql_string(str(p)) for p in files)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    row = con.execute(
        "SELECT min(lon), min(lat), max(lon), max(lat) FROM (SELECT "
        'NULLIF(TRY_CAST("Long" AS DOUBLE), 0) AS lon, NULLIF(TRY_CAST("Lat" AS DOUBLE), 0) AS lat '
        f"FROM read_csv([{listed}], header = true, all_varchar = true)) WHERE lon IS NOT NULL "
        "AND lat IS NOT NULL"
    ).fetchone()
    if row is None or None in row:
        raise RuntimeError("the demo files have no located rows")
    west, south, east, north = (float(v) for v in row)
    return west, south, east, north


def moved_beats(demo: list[Path]) -> Path:
    """The beats moved onto the demo city's extent, as GeoJSON in ``bench/.data``; made once."""
    if MOVED.exists():
        return MOVED
    import numpy as np
    import shapely

    collection = json.loads(BEATS.read_text())
    shapes = np.array(
        [shapely.from_geojson(json.dumps(f["geometry"])) for f in collection["features"]]
    )
    x0, y0, x1, y1 = shapely.total_bounds(shapes)
    west, south, east, north = demo_extent(demo)
    scale = np.array([(east - west) / (x1 - x0), (north - south) / (y1 - y0)])
    offset = np.array([west, south]) - np.array([x0, y0]) * scale
    moved = shapely.transform(shapes, lambda xy: xy * scale + offset)
    for feature, shape in zip(collection["features"], moved, strict=True):
        feature["geometry"] = json.loads(shapely.to_geojson(shape))
    collection["name"] = "chicago_beats_on_demo_city"
    MOVED.parent.mkdir(parents=True, exist_ok=True)
    partial = MOVED.with_suffix(".partial")
    partial.write_text(json.dumps(collection))
    partial.replace(MOVED)
    return MOVED


def load_layer(warehouse: Any, path: Path) -> None:
    """Load ``path`` into ``warehouse`` as layer ``beat`` (what ``boundaries add`` reads)."""
    from beatwise.ingest.boundaries import load_boundaries

    load = load_boundaries(warehouse, path, layer=LAYER, id_field=ID_FIELD)
    # 277 features; a beat drawn as several features (3100) is one area, as in the real file.
    if load.features != 277 or load.areas != 275:
        raise RuntimeError(f"{path}: {load.features} features, {load.areas} areas loaded")


def check_sample(warehouse: Any, path: Path, n: int = SAMPLE, seed: int = SEED) -> dict[str, Any]:
    """Shapely's own count of beat hits on ``n`` sampled located incidents, against the
    warehouse's ``area_membership``; raises on any disagreement, returns the counts."""
    sample = _sample(warehouse, n, seed)
    containing = _containing(sample, path)
    assigned = _assigned(warehouse, sample)
    wrong = [
        r
        for r in set(containing) | set(assigned)
        if len(assigned.get(r, [])) != (1 if r in containing else 0)
        or not set(assigned.get(r, [])) <= containing.get(r, set())
    ]
    if wrong:
        shown = [(r, containing.get(r), assigned.get(r)) for r in wrong[:3]]
        raise RuntimeError(
            f"{len(wrong):,} of {sample.num_rows:,} sampled incidents placed differently by "
            f"Beatwise and by shapely's STRtree; (record, shapely, Beatwise): {shown}"
        )
    return {"sampled": sample.num_rows, "sample_inside": len(containing)}


def _sample(warehouse: Any, n: int, seed: int) -> Any:
    """``n`` located incidents (id, lon, lat) drawn without replacement, seeded."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    from deltalake import DeltaTable

    incidents = DeltaTable(str(warehouse.path("incidents"))).to_pyarrow_table(
        columns=["record_id", "lon", "lat"]
    )
    located = incidents.filter(
        pc.and_(pc.is_valid(incidents["lon"]), pc.is_valid(incidents["lat"]))
    )
    rng = np.random.default_rng(seed)
    pick = rng.choice(located.num_rows, size=min(n, located.num_rows), replace=False)
    return located.take(pa.array(np.sort(pick)))


def _containing(sample: Any, path: Path) -> dict[str, set[str]]:
    """Record id → the beats (ids) whose moved polygon, read from ``path``, holds its point."""
    import numpy as np
    import shapely

    features = json.loads(path.read_text())["features"]
    shapes = np.array([shapely.from_geojson(json.dumps(f["geometry"])) for f in features])
    beat = [str(f["properties"][ID_FIELD]) for f in features]
    ids = [str(v) for v in sample.column("record_id").to_pylist()]
    points = shapely.points(sample["lon"].to_numpy(), sample["lat"].to_numpy())
    hit_point, hit_shape = shapely.STRtree(shapes).query(points, predicate="intersects")
    containing: dict[str, set[str]] = {}
    for i, j in zip(hit_point.tolist(), hit_shape.tolist(), strict=True):
        containing.setdefault(ids[i], set()).add(beat[j])
    return containing


def _assigned(warehouse: Any, sample: Any) -> dict[str, list[str]]:
    """Record id → the beat ids ``area_membership`` gives it, for the sampled records."""
    import pyarrow.compute as pc
    from deltalake import DeltaTable

    membership = DeltaTable(str(warehouse.path("area_membership"))).to_pyarrow_table(
        columns=["record_id", "layer", "area_id"]
    )
    mine = membership.filter(pc.is_in(membership["record_id"], value_set=sample["record_id"]))
    assigned: dict[str, list[str]] = {}
    for record, layer, area in zip(*(mine[c].to_pylist() for c in mine.column_names), strict=True):
        if layer == LAYER:
            assigned.setdefault(str(record), []).append(str(area))
    return assigned
