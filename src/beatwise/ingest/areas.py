"""Point-in-polygon assignment of located records to every loaded boundary layer.

Every record with coordinates gets one ``area_membership`` row per boundary layer whose polygons
contain its point; records without coordinates, and points outside every area of a layer, get
none for that layer. The pipeline calls :func:`assign_areas` after each import for the rows it
wrote (``ingest_id``), and ``beatwise boundaries add`` calls it for every existing record and the
new layer only.

Engine. The issue asked for DuckDB spatial or shapely, whichever is faster on a million points.
``bench/bench_geocode.py`` measures 1,000,000 points resampled from Chicago's incidents against
the 277 Chicago beats on 2 cores: shapely 2's vectorised ``intersects_xy`` on prepared polygons,
after a sweep over the points ordered by longitude strip that keeps those inside each polygon's
bounding box, takes 0.17 s; DuckDB spatial's ``SPATIAL_JOIN`` 3.1 s and ``shapely.STRtree``
2.1 s (10,000,000 points: 2.4 s against DuckDB's 100 s).

Rules, each tested in ``tests/ingest/test_areas.py``:

- A point on the border of two areas (or on a shared vertex) is in both by the ``intersects``
  predicate; the area with the lowest ``area_id`` wins, ids that are whole numbers comparing as
  numbers (``"7"`` before ``"10"``) and before any other id, which compare as text.
- A point in a polygon's hole is not in that polygon; the parts of a multipolygon all count.
- Boundaries carry ``valid_from``/``valid_to`` (precincts change: NYC created the 121st in
  2013). A record is placed among the areas valid on the local date of its time column
  (``occurred_date`` for incidents, else the time column in the record's ``time_zone``); an
  undated record among the areas still in force (``valid_to`` null).
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import shapely
from deltalake import DeltaTable

from beatwise.datamodel import table_spec
from beatwise.datamodel.geography import area_order
from beatwise.warehouse import Warehouse

Stage = Callable[[str], None]
Indices = npt.NDArray[np.int64]
Days = npt.NDArray[np.int32]

OPEN_START = int(np.iinfo(np.int32).min)
OPEN_END = int(np.iinfo(np.int32).max)
"""Day numbers standing for a null ``valid_from`` / ``valid_to`` (and for an undated record)."""

SOURCE_FIELDS: dict[str, str] = {
    "district": "district",
    "precinct": "district",
    "division": "district",
    "sector": "sector",
    "beat": "beat",
    "ward": "ward",
    "neighbourhood": "neighbourhood",
    "neighborhood": "neighbourhood",
    "community_area": "neighbourhood",
}
"""Layer name → the record's own place column that the layer's assignment is compared with."""


@dataclass(frozen=True)
class Layer:
    """One boundary layer, its areas in border-rule order (the first area containing a point
    wins), as prepared shapely polygons in EPSG:4326 with validity as day numbers."""

    name: str
    area_ids: tuple[str, ...]
    names: tuple[str | None, ...]
    polygons: npt.NDArray[np.object_]
    valid_from: Days
    valid_to: Days

    @property
    def dated(self) -> bool:
        """Whether any area of the layer has a validity bound (so record dates matter)."""
        return bool((self.valid_from != OPEN_START).any() or (self.valid_to != OPEN_END).any())


@dataclass(frozen=True)
class LayerAssignment:
    """What assignment found for one layer.

    ``compared`` counts located records carrying the source's own value for the layer
    (``source_field``); ``matched`` those whose assigned area has that id or name, compared with
    :func:`normalise_label`. A located record outside every area counts as compared, unmatched.
    """

    layer: str
    located: int
    assigned: int
    source_field: str | None
    compared: int
    matched: int

    @property
    def match_rate(self) -> float | None:
        """``matched / compared``, or None when no record carries the source's own field."""
        return self.matched / self.compared if self.compared else None


@dataclass(frozen=True)
class AreaAssignment:
    """The result of one :func:`assign_areas` call."""

    table: str
    records: int
    layers: tuple[LayerAssignment, ...]
    boundaries_version: int | None
    version: int | None
    seconds: float

    @property
    def rows_written(self) -> int:
        """Membership rows written (one per record and layer it was assigned in)."""
        return sum(layer.assigned for layer in self.layers)


def normalise_label(value: str) -> str:
    """An area label as compared by the match rate.

    Case, surrounding and repeated spaces, typographic apostrophes, a trailing numeric code in
    parentheses (``"Yonge-St.Clair (97)"``) and the zero padding or ``.0`` of whole numbers
    (``"0832"``, ``"832.0"``) are ignored, so a source's ``8.0`` matches a layer's ``008``.
    """
    text = unicodedata.normalize("NFKC", value).replace("\u2019", "'").casefold()
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s*\(\d+\)$", "", text)
    whole = re.fullmatch(r"0*(\d+)(?:\.0*)?", text)
    return str(int(whole.group(1))) if whole else text


def locate(
    layer: Layer, lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64], day: Days | None
) -> Indices:
    """Index into ``layer``'s areas of the area containing each point, or -1.

    The points are ordered once by longitude strip (:class:`_Strips`); for each area, in
    border-rule order, a binary search finds the points in the strips its longitudes span, a
    comparison keeps those in its bounding box (and, for a dated layer, valid on ``day``) not
    yet placed, and ``shapely.intersects_xy`` tests them against the prepared polygon. Points
    with a NaN coordinate are never placed.
    """
    found = np.full(lon.size, -1, dtype=np.int64)
    strips = _Strips(lon, lat)
    xs, ys = lon[strips.order], lat[strips.order]
    days = None
    if layer.dated:  # an undated record falls among the areas still in force
        days = day[strips.order] if day is not None else np.full(xs.size, OPEN_END, np.int32)
    placed = np.full(xs.size, -1, dtype=np.int64)
    for j, (x0, y0, x1, y1) in enumerate(shapely.bounds(layer.polygons)):
        lo, hi = strips.span(x0, x1)
        x, y = xs[lo:hi], ys[lo:hi]
        keep = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1) & (placed[lo:hi] < 0)
        if days is not None:
            span = days[lo:hi]
            keep &= (span >= layer.valid_from[j]) & (span <= layer.valid_to[j])
        candidates = np.flatnonzero(keep) + lo
        inside = shapely.intersects_xy(layer.polygons[j], xs[candidates], ys[candidates])
        placed[candidates[inside]] = j
    found[strips.order] = placed
    return found


class _Strips:
    """Located points ordered by one of 65,536 equal longitude strips over their extent.

    Sorting 16-bit strip numbers is a linear-time radix sort in numpy, four times faster than
    sorting the longitudes themselves on 10 million points; the strip of a longitude only grows
    with it, so every point between two longitudes lies between their strips' positions.
    """

    STRIPS = 65_535

    def __init__(self, lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64]) -> None:
        located = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
        x = lon[located]
        self.west = float(x.min()) if x.size else 0.0
        width = float(x.max()) - self.west if x.size else 0.0
        self.scale = self.STRIPS / width if width > 0 else 0.0
        strip = self.strip(x)
        by_strip = np.argsort(strip, kind="stable")
        self.order: Indices = located[by_strip]
        self.sorted = strip[by_strip]

    def strip(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.uint16]:
        """The strip number of each longitude (clipped to the extent)."""
        return np.clip((x - self.west) * self.scale, 0, self.STRIPS).astype(np.uint16)

    def span(self, west: float, east: float) -> tuple[int, int]:
        """Positions in ``order`` of the points in the strips from ``west`` to ``east``."""
        first, last = self.strip(np.array([west, east]))
        return (
            int(np.searchsorted(self.sorted, first, "left")),
            int(np.searchsorted(self.sorted, last, "right")),
        )


def load_layers(
    warehouse: Warehouse, names: Sequence[str] | None = None
) -> tuple[list[Layer], int]:
    """The boundary layers in the warehouse (all, or ``names``) and the table's version."""
    warehouse.ensure_tables()
    delta = DeltaTable(str(warehouse.path("boundaries")))
    version = delta.version()
    columns = ["layer", "area_id", "name", "geometry", "valid_from", "valid_to"]
    rows = delta.to_pyarrow_table(columns=columns)
    layers = sorted({str(name) for name in rows.column("layer").to_pylist()})
    chosen = [name for name in layers if names is None or name in names]
    return [
        _layer(rows.filter(pc.equal(rows["layer"], pa.scalar(name))), name) for name in chosen
    ], version


def _layer(rows: pa.Table, name: str) -> Layer:
    ids = [str(area_id) for area_id in rows.column("area_id").to_pylist()]
    rows = rows.take(sorted(range(len(ids)), key=lambda i: area_order(ids[i])))
    polygons = shapely.from_wkb(rows.column("geometry").to_numpy(zero_copy_only=False))
    shapely.prepare(polygons)
    return Layer(
        name=name,
        area_ids=tuple(str(area_id) for area_id in rows.column("area_id").to_pylist()),
        names=tuple(None if n is None else str(n) for n in rows.column("name").to_pylist()),
        polygons=polygons,
        valid_from=_day_numbers(rows.column("valid_from"), OPEN_START),
        valid_to=_day_numbers(rows.column("valid_to"), OPEN_END),
    )


def _day_numbers(dates: pa.ChunkedArray[Any], missing: int) -> Days:
    days = pc.cast(dates, pa.int32()).to_numpy(zero_copy_only=False)
    return np.where(np.isnan(days.astype(np.float64)), missing, days).astype(np.int32)


def assign_areas(
    warehouse: Warehouse,
    table: str = "incidents",
    *,
    ingest_id: str | None = None,
    layers: Sequence[str] | None = None,
    on_stage: Stage | None = None,
) -> AreaAssignment:
    """Assign the located records of ``table`` to boundary layers and write ``area_membership``.

    Parameters
    ----------
    warehouse
        The warehouse holding ``table`` and ``boundaries``.
    table
        A canonical table with ``lat``/``lon`` (``incidents``, ``use_of_force``, ...).
    ingest_id
        Only the records that import last wrote (what the pipeline passes after an import);
        None for every record (what ``beatwise boundaries add`` does for a new layer).
    layers
        The layers to assign (None: every loaded layer).
    on_stage
        Called with a short description as each stage starts (for a progress display).

    Returns
    -------
    AreaAssignment
        Per layer: records located and assigned, and the match rate against the record's own
        field for the layer (see :data:`SOURCE_FIELDS`). All membership rows are MERGEd on
        ``(record_id, layer)`` as one commit, so a re-run updates them in place.

    Examples
    --------
    >>> result = assign_areas(warehouse, "incidents", layers=["district"])  # doctest: +SKIP
    >>> result.layers[0].match_rate  # doctest: +SKIP
    0.9838
    """
    clock = time.perf_counter()
    stage = on_stage or (lambda _: None)
    stage("reading boundaries")
    chosen, boundaries_version = load_layers(warehouse, layers)
    if not chosen:
        return AreaAssignment(table, 0, (), boundaries_version, None, time.perf_counter() - clock)
    stage(f"reading located records of {table}")
    dated = any(layer.dated for layer in chosen)
    rows = _located_records(warehouse, table, chosen, ingest_id, dated=dated)
    lon = rows.column("lon").to_numpy().astype(np.float64)
    lat = rows.column("lat").to_numpy().astype(np.float64)
    day = _local_days(rows, _time_column(table)) if dated else None
    summaries, parts = [], []
    for layer in chosen:
        stage(f"placing {rows.num_rows:,} records in layer {layer.name!r}")
        found = locate(layer, lon, lat, day)
        summaries.append(_summary(layer, found, rows))
        parts.append(_membership(rows.column("record_id"), table, layer, found, boundaries_version))
    membership = pa.concat_tables(parts)
    version = None
    if membership.num_rows:
        stage(f"writing {membership.num_rows:,} area memberships")
        version = warehouse.upsert("area_membership", membership).version
    return AreaAssignment(
        table=table,
        records=rows.num_rows,
        layers=tuple(summaries),
        boundaries_version=boundaries_version,
        version=version,
        seconds=time.perf_counter() - clock,
    )


def membership_counts(warehouse: Warehouse) -> dict[str, int]:
    """Membership rows per layer (read from the ``layer`` column alone)."""
    warehouse.ensure_tables()
    layers = DeltaTable(str(warehouse.path("area_membership"))).to_pyarrow_table(columns=["layer"])
    return dict(Counter(str(layer) for layer in layers.column("layer").to_pylist()))


def _located_records(
    warehouse: Warehouse,
    table: str,
    layers: Sequence[Layer],
    ingest_id: str | None,
    *,
    dated: bool,
) -> pa.Table:
    """The records of ``table`` with both coordinates: id, point and compared fields, and their
    time only when a layer is ``dated`` (reading it for 10M rows costs about a second)."""
    names = table_spec(table).schema.names
    if "lat" not in names or "lon" not in names:
        raise ValueError(f"table {table!r} has no lat/lon columns to assign to areas")
    fields = {SOURCE_FIELDS.get(layer.name) for layer in layers} & set(names)
    time_column = _time_column(table)
    extra = [time_column, "time_zone"] if dated and time_column else []
    extra += [LOCAL_DATE] if extra and LOCAL_DATE in names else []
    columns = ["record_id", "lon", "lat", *sorted(c for c in fields if c), *extra]
    located = ~ds.field("lat").is_null() & ~ds.field("lon").is_null()
    if ingest_id is not None:
        # Data files may hold text as string_view while the table's schema says string, and
        # pyarrow has no comparison between the two: compare as string.
        located &= ds.field("ingest_id").cast(pa.string()) == ingest_id
    warehouse.ensure_tables()
    dataset = DeltaTable(str(warehouse.path(table))).to_pyarrow_dataset()
    return dataset.to_table(columns=columns, filter=located)


LOCAL_DATE = "occurred_date"
"""The local date an adapter stored (``incidents``): no time-zone conversion needed."""


def _time_column(table: str) -> str | None:
    """The column whose local date picks the boundaries in force (None: undated records)."""
    spec = table_spec(table)
    zoned = spec.time_column is not None and "time_zone" in spec.schema.names
    return spec.time_column if zoned else None


def _local_days(rows: pa.Table, time_column: str | None) -> Days:
    """Day number of each record's local date: the local date the adapter stored (incidents),
    else its time in its own zone; undated: OPEN_END."""
    days = np.full(rows.num_rows, OPEN_END, dtype=np.int32)
    if time_column is None:
        return days
    times, zones = rows.column(time_column), rows.column("time_zone")
    for zone in pc.unique(zones).to_pylist():
        if zone is None:
            continue
        mask = pc.equal(zones, zone).to_numpy(zero_copy_only=False)
        zoned = times.filter(pa.array(mask)).cast(pa.timestamp("us", tz=zone))
        local = pc.local_timestamp(cast("pa.ChunkedArray[pa.TimestampScalar]", zoned))
        numbers = pc.cast(pc.cast(local, pa.date32()), pa.int32())
        days[mask] = numbers.fill_null(OPEN_END).to_numpy()
    if LOCAL_DATE in rows.column_names:  # rows written before the column existed have none
        stored = rows.column(LOCAL_DATE).cast(pa.int32()).to_numpy(zero_copy_only=False)
        known = ~np.isnan(stored.astype(np.float64))
        days[known] = stored[known].astype(np.int32)
    return days


def _summary(layer: Layer, found: Indices, rows: pa.Table) -> LayerAssignment:
    """Counts for one layer, and the match with the records' own field for it."""
    field = SOURCE_FIELDS.get(layer.name)
    assigned = int((found >= 0).sum())
    if field is None or field not in rows.column_names:
        return LayerAssignment(layer.name, rows.num_rows, assigned, None, 0, 0)
    encoded = rows.column(field).combine_chunks().dictionary_encode()
    values = [normalise_label(str(v)) for v in encoded.dictionary.to_pylist()]
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    areas = [
        {normalise_label(i), *([normalise_label(n)] if n else [])}
        for i, n in zip(layer.area_ids, layer.names, strict=True)
    ]
    # A trailing false row and column: code -1 (no value) and index -1 (outside every area).
    present = np.array([v != "" for v in values] + [False])
    same = np.zeros((len(values) + 1, len(areas) + 1), dtype=bool)
    for v, value in enumerate(values):
        same[v, :-1] = [value in labels for labels in areas]
    compared = present[codes]
    matched = int(same[codes[compared], found[compared]].sum())
    return LayerAssignment(layer.name, rows.num_rows, assigned, field, int(compared.sum()), matched)


def _membership(
    record_ids: pa.ChunkedArray[Any], table: str, layer: Layer, found: Indices, version: int
) -> pa.Table:
    hit = np.flatnonzero(found >= 0)
    return pa.table(
        {
            "record_id": record_ids.take(hit),
            "source_table": pa.repeat(pa.scalar(table), hit.size),
            "layer": pa.repeat(pa.scalar(layer.name), hit.size),
            "area_id": pa.array(layer.area_ids, pa.string()).take(found[hit]),
            "boundaries_version": pa.repeat(pa.scalar(version, pa.int64()), hit.size),
        },
        schema=table_spec("area_membership").schema,
    )
