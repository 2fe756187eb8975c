"""Boundary layers: polygons from GeoJSON, Shapefile or GeoPackage into the ``boundaries`` table.

A file in any coordinate reference system is read with pyogrio, checked, reprojected to EPSG:4326
(stored as WKB) and measured in an equal-area CRS, then MERGEd into ``boundaries`` as one commit,
with an ``ingests`` row. A bad file is refused before anything is written
(:class:`~beatwise.ingest.errors.BadInputError`): not a vector geo file, more than one layer, no
CRS, not polygons, a missing field (the message lists the fields there are), an empty id, or an
id that is not unique.

Features that repeat an id with identical attributes are the parts of one area and become one
multipolygon: the City of Chicago's police district file gives district 31 as three such
features, its beat file beat 3100 likewise. Features that repeat an id with different
attributes mean the id field is not an id, and the file is refused. Invalid polygons
(self-touching rings, as in the NYPD precinct file) are repaired with ``shapely.make_valid``.

Identity: ``source = "boundaries"``, ``source_record_id = "{layer}:{area_id}"``, with
``"@{valid_from}"`` appended when the layout has a start date, so that two layouts of one layer
(the NYPD's precincts before and after the 121st was created in 2013) are kept side by side.
Loading a layout valid from a date closes the layer's areas in force on that date (their
``valid_to`` becomes the day before) and ends at the start of any later layout already loaded.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyogrio
import shapely
from pyproj import CRS, Transformer

from beatwise import __version__
from beatwise.datamodel import table_spec
from beatwise.ingest.areas import AreaAssignment, assign_areas
from beatwise.ingest.errors import BadInputError
from beatwise.warehouse import Warehouse

Stage = Callable[[str], None]

SOURCE = "boundaries"
STORAGE_CRS = "EPSG:4326"
EQUAL_AREA_CRS = "EPSG:6933"
"""WGS 84 / NSIDC EASE-Grid 2.0 Global: a cylindrical equal-area projection of the ellipsoid,
valid world-wide, so ``area_m2`` needs no per-city choice of projection."""
FORMATS_FIX = (
    "give one polygon layer as GeoJSON (.geojson), Shapefile (.shp with its .shx, .dbf and .prj "
    "beside it) or GeoPackage (.gpkg)"
)
_POLYGONAL = (3, 6)
"""shapely type ids of Polygon and MultiPolygon."""


@dataclass(frozen=True)
class BoundaryFile:
    """A checked boundary file: one entry per area, polygons in EPSG:4326."""

    path: Path
    crs: str
    features: int
    area_ids: tuple[str, ...]
    names: tuple[str | None, ...]
    populations: tuple[int | None, ...]
    first_features: tuple[int, ...]
    polygons: npt.NDArray[np.object_]
    area_m2: npt.NDArray[np.float64]


@dataclass(frozen=True)
class BoundaryLoad:
    """What loading one boundary file did (``closed``: areas of an earlier layout ended)."""

    ingest_id: str
    layer: str
    path: Path
    crs: str
    features: int
    areas: int
    closed: int
    rows_inserted: int
    rows_updated: int
    version: int
    seconds: float


@dataclass(frozen=True)
class LayerAdded:
    """A loaded layer and the assignment of the existing incidents to it."""

    load: BoundaryLoad
    assignment: AreaAssignment


def read_boundary_file(
    path: Path,
    *,
    id_field: str,
    name_field: str | None = None,
    population_field: str | None = None,
) -> BoundaryFile:
    """Read and check a polygon layer in any CRS; raise BadInputError naming the fix."""
    crs = _source_crs(path)
    meta, table = pyogrio.read_arrow(path)
    fields = [str(f) for f in meta["fields"]]
    wanted = {"--id-field": id_field, "--name-field": name_field}
    _require_fields(path, fields, {**wanted, "--population-field": population_field})
    ids = _labels(table.column(id_field).to_pylist())
    empty = [n + 1 for n, area_id in enumerate(ids) if area_id is None]
    if empty:
        raise BadInputError(
            path,
            f"{len(empty)} feature(s) have no {id_field} (features {_few(empty)})",
            f"give every feature an id, or choose another --id-field of {', '.join(fields)}",
        )
    names = _labels(table.column(name_field).to_pylist()) if name_field else [None] * len(ids)
    people = _population(path, table, population_field)
    parts = _groups(path, table.select(fields).to_pylist(), [str(i) for i in ids], id_field)
    wkb = next(c for c in table.column_names if c not in fields)
    source = _polygons(path, shapely.from_wkb(table.column(wkb).to_numpy(False)), parts)
    polygons = _reproject(source, crs, STORAGE_CRS)
    firsts = [rows[0] for rows in parts.values()]
    return BoundaryFile(
        path=path,
        crs=crs.to_string() + f" ({crs.name})",
        features=table.num_rows,
        area_ids=tuple(parts),
        names=tuple(names[row] for row in firsts),
        populations=tuple(people[row] for row in firsts),
        first_features=tuple(row + 1 for row in firsts),
        polygons=polygons,
        area_m2=shapely.area(_reproject(source, crs, EQUAL_AREA_CRS)),
    )


def _source_crs(path: Path) -> CRS:
    """The CRS of the one polygon layer in ``path``; BadInputError for anything else."""
    if not path.is_file():
        raise BadInputError(path, "no such file", "check the path and try again")
    try:
        layers = pyogrio.list_layers(path)
    except pyogrio.errors.DataSourceError:
        raise BadInputError(path, "is not a vector geo file GDAL can read", FORMATS_FIX) from None
    if len(layers) > 1:
        raise BadInputError(
            path,
            f"holds {len(layers)} layers ({', '.join(str(name) for name, _ in layers)})",
            "export the one layer to load to its own file, e.g. ogr2ogr out.gpkg FILE LAYER",
        )
    info = pyogrio.read_info(path)
    if info["geometry_type"] is None:
        raise BadInputError(path, "has no geometries (it reads as a plain table)", FORMATS_FIX)
    if not info["crs"]:
        raise BadInputError(
            path,
            "has no coordinate reference system",
            "write the file with its CRS (for a Shapefile, the .prj file beside the .shp), "
            "e.g. ogr2ogr -a_srs EPSG:3435 fixed.gpkg FILE",
        )
    return CRS.from_user_input(info["crs"])


def _require_fields(path: Path, fields: list[str], wanted: dict[str, str | None]) -> None:
    missing = [f"{option} {name}" for option, name in wanted.items() if name and name not in fields]
    if missing:
        raise BadInputError(
            path,
            f"has no field {', '.join(missing)}",
            f"choose among the file's fields: {', '.join(fields) or '(none)'}",
        )


def _labels(values: list[Any]) -> list[str | None]:
    """Field values as text ids: whole floats lose their ``.0``; blanks and NaN become None."""
    labels: list[str | None] = []
    for value in values:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            labels.append(None)
        elif isinstance(value, float) and value.is_integer():
            labels.append(str(int(value)))
        else:
            labels.append(str(value).strip() or None)
    return labels


def _population(path: Path, table: pa.Table, field: str | None) -> list[int | None]:
    if field is None:
        return [None] * table.num_rows
    try:
        return [
            None if n is None else int(n) for n in table.column(field).cast(pa.int64()).to_pylist()
        ]
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise BadInputError(
            path,
            f"{field} is not a whole number in every feature",
            "fix the values, or leave --population-field out",
            column=field,
        ) from None


def _groups(
    path: Path, attributes: list[dict[str, Any]], ids: list[str], id_field: str
) -> dict[str, list[int]]:
    """Feature rows by id; several rows per id only when all their attributes agree."""
    groups: dict[str, list[int]] = {}
    for row, area_id in enumerate(ids):
        groups.setdefault(area_id, []).append(row)
    clashes = [
        area_id
        for area_id, rows in groups.items()
        if any(attributes[row] != attributes[rows[0]] for row in rows)
    ]
    if clashes:
        raise BadInputError(
            path,
            f"{len(clashes)} value(s) of {id_field} are given to different features "
            f"({_few(clashes)})",
            "choose a field that names each area once as --id-field "
            f"(fields: {', '.join(attributes[0])})",
        )
    return groups


def _polygons(
    path: Path, shapes: npt.NDArray[np.object_], parts: dict[str, list[int]]
) -> npt.NDArray[np.object_]:
    """One 2-D, valid polygon or multipolygon per area (its parts' union)."""
    shapes = shapely.force_2d(shapes)
    broken = np.flatnonzero(~shapely.is_valid(shapes) & ~shapely.is_missing(shapes))
    for row in broken:
        shapes[row] = _polygonal(shapely.make_valid(shapes[row]))
    polygonal = np.isin(shapely.get_type_id(shapes), _POLYGONAL) & ~shapely.is_empty(shapes)
    wrong = [area_id for area_id, rows in parts.items() if not polygonal[rows].all()]
    if wrong:
        raise BadInputError(
            path, f"areas {_few(wrong)} have no polygon (empty, points or lines)", FORMATS_FIX
        )
    merged = [shapes[r[0]] if len(r) == 1 else shapely.union_all(shapes[r]) for r in parts.values()]
    return np.asarray(merged, dtype=object)


def _polygonal(shape: Any) -> Any:
    """The polygonal part of a repaired geometry (make_valid may add stray lines or points)."""
    pieces = [p for p in shapely.get_parts(shape) if shapely.get_type_id(p) in _POLYGONAL]
    return shapely.union_all(pieces) if pieces else shape


def _reproject(shapes: npt.NDArray[np.object_], source: CRS, target: str) -> Any:
    """``shapes`` in ``target``, coordinates in (x, y) = (easting or longitude, ...) order."""
    transformer = Transformer.from_crs(source, target, always_xy=True)
    return shapely.transform(shapes, lambda xy: np.column_stack(transformer.transform(*xy.T)))


def _few(items: list[Any], limit: int = 5) -> str:
    shown = ", ".join(str(i) for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def load_boundaries(
    warehouse: Warehouse,
    path: Path,
    *,
    layer: str,
    id_field: str,
    name_field: str | None = None,
    population_field: str | None = None,
    valid_from: date | None = None,
    agency: str = "unspecified",
    on_stage: Stage | None = None,
) -> BoundaryLoad:
    """Read ``path`` and MERGE its areas into ``boundaries`` as layer ``layer``, one commit.

    Parameters
    ----------
    warehouse
        Where to write (``boundaries``, then one ``ingests`` row).
    path
        GeoJSON, Shapefile or GeoPackage with one polygon layer, in any CRS.
    layer
        Layer name: lower-case letters, digits and ``_`` (``district``, ``beat``, ...).
    id_field, name_field, population_field
        The file's fields holding each area's id, display name and resident population.
    valid_from
        First day this layout applies (None: since always); see the module docstring.
    agency
        Who published the boundaries (the identity column ``agency``).
    on_stage
        Called with a short description as each stage starts.

    Examples
    --------
    >>> load_boundaries(warehouse, Path("districts.geojson"), layer="district",
    ...                 id_field="dist_num")  # doctest: +SKIP
    """
    clock, started = time.perf_counter(), datetime.now(UTC)
    stage = on_stage or (lambda _: None)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", layer):
        raise BadInputError(
            path,
            f"layer name {layer!r} is not usable",
            "name the layer with lower-case letters, digits and '_', e.g. --layer district",
        )
    stage(f"reading {path.name}")
    read = read_boundary_file(
        path, id_field=id_field, name_field=name_field, population_field=population_field
    )
    ingest_id = started.strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]
    existing = [r for r in warehouse.to_arrow(SOURCE).to_pylist() if r["layer"] == layer]
    valid_to, closed = _layout_changes(existing, valid_from, ingest_id)
    new = _rows(
        read, layer, valid_from=valid_from, valid_to=valid_to, ingest_id=ingest_id, agency=agency
    )
    stage(f"writing {len(new):,} areas of layer {layer!r}")
    schema = table_spec(SOURCE).schema
    written = warehouse.upsert(SOURCE, pa.Table.from_pylist(new + closed, schema=schema))
    result = BoundaryLoad(
        ingest_id=ingest_id,
        layer=layer,
        path=path,
        crs=read.crs,
        features=read.features,
        areas=len(new),
        closed=len(closed),
        rows_inserted=written.rows_inserted,
        rows_updated=written.rows_updated,
        version=written.version,
        seconds=time.perf_counter() - clock,
    )
    warehouse.append("ingests", _provenance(result, agency, started))
    return result


def add_layer(
    warehouse: Warehouse, path: Path, *, layer: str, on_stage: Stage | None = None, **fields: Any
) -> LayerAdded:
    """:func:`load_boundaries`, then assign every located incident to the new layer."""
    load = load_boundaries(warehouse, path, layer=layer, on_stage=on_stage, **fields)
    assignment = assign_areas(warehouse, "incidents", layers=[layer], on_stage=on_stage)
    return LayerAdded(load, assignment)


def _rows(
    read: BoundaryFile, layer: str, *, valid_from: date | None, **constant: Any
) -> list[dict[str, Any]]:
    """One ``boundaries`` row per area; ``constant`` holds ``valid_to``, ``ingest_id``, ..."""
    suffix = f"@{valid_from.isoformat()}" if valid_from else ""
    keys = [f"{layer}:{area_id}{suffix}" for area_id in read.area_ids]
    return [
        {
            "record_id": hashlib.md5(f"{SOURCE}|{key}".encode()).hexdigest(),
            "source": SOURCE,
            "source_record_id": key,
            "source_file": str(read.path),
            "source_line": read.first_features[i],
            "layer": layer,
            "area_id": read.area_ids[i],
            "name": read.names[i],
            "geometry": shapely.to_wkb(read.polygons[i]),
            "area_m2": float(read.area_m2[i]),
            "population": read.populations[i],
            "valid_from": valid_from,
            **constant,
        }
        for i, key in enumerate(keys)
    ]


def _layout_changes(
    existing: list[dict[str, Any]], valid_from: date | None, ingest_id: str
) -> tuple[date | None, list[dict[str, Any]]]:
    """The new layout's last day (the day before a later layout of the layer starts, if one is
    loaded) and the areas of earlier layouts in force on ``valid_from``, ended the day before."""
    later = [
        r["valid_from"]
        for r in existing
        if r["valid_from"] is not None and (valid_from is None or r["valid_from"] > valid_from)
    ]
    ends = min(later) - timedelta(days=1) if later else None
    if valid_from is None:
        return ends, []
    closed = [
        {**r, "valid_to": valid_from - timedelta(days=1), "ingest_id": ingest_id}
        for r in existing
        if (r["valid_from"] is None or r["valid_from"] < valid_from)
        and (r["valid_to"] is None or r["valid_to"] >= valid_from)
    ]
    return ends, closed


def _provenance(result: BoundaryLoad, agency: str, started: datetime) -> pa.Table:
    with result.path.open("rb") as handle:
        sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
    row = {
        "ingest_id": result.ingest_id,
        "source": SOURCE,
        "agency": agency,
        "target_table": SOURCE,
        "files": [str(result.path)],
        "file_sha256": [sha256],
        "rows_read": result.features,
        "rows_written": result.rows_inserted + result.rows_updated,
        "rows_rejected": 0,
        "target_version": result.version,
        "started_at": started,
        "finished_at": datetime.now(UTC),
        "beatwise_version": __version__,
        "notes": f"layer {result.layer}: {result.areas} areas from {result.features} features, "
        f"CRS {result.crs}; {result.closed} areas of an earlier layout closed",
    }
    return pa.Table.from_pylist([row], schema=table_spec("ingests").schema)
