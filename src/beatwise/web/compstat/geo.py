"""The GeoJSON the CompStat map draws: the period's incidents and the boundary layer's outline.

The map has no base-map tiles (the app runs offline and sends no visit to a tile server): it
draws only our own GeoJSON, the incident points of the drill-down and, when a boundary layer is
loaded, its areas' outlines with the chosen area filled. Polygons are simplified to about ten
metres and coordinates rounded to six decimals (about 10 cm), so a city's layer stays small.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import shapely

from beatwise.compstat.drilldown import Drilldown
from beatwise.warehouse.engines.base import Engine

SIMPLIFY_DEGREES = 1e-4
"""About 10 m: below what a city map at page size can show."""

GeoJSON = dict[str, Any]


def incident_points(drill: Drilldown) -> GeoJSON:
    """The drill-down's located incidents as a FeatureCollection of points."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(p.lon, 6), round(p.lat, 6)]},
            "properties": {
                "category": p.category,
                "date": p.occurred_date.isoformat(),
                "premises": p.location_type,
            },
        }
        for p in drill.points
    ]
    return {"type": "FeatureCollection", "features": features}


def outline_layer(level: str, layers: tuple[str, ...]) -> str | None:
    """The boundary layer to outline: the level itself when it is a layer, else the first."""
    if level in layers:
        return level
    return layers[0] if layers else None


def loaded_layers(engine: Engine) -> tuple[str, ...]:
    """The boundary layers loaded, by name."""
    version = engine.warehouse.version("boundaries")
    if not version:
        return ()
    t = engine.table("boundaries", version)
    found = engine.to_arrow_table(t.select("layer").distinct())["layer"].to_pylist()
    return tuple(sorted(str(layer) for layer in found))


def area_outlines(engine: Engine, layer: str, as_of: date) -> GeoJSON:
    """The areas of ``layer`` in force on ``as_of`` (simplified), each with its id and name."""
    version = engine.warehouse.version("boundaries")
    t = engine.table("boundaries", version)
    starts = t.valid_from.isnull() | (t.valid_from <= as_of)
    ends = t.valid_to.isnull() | (t.valid_to >= as_of)
    rows = t.filter(t.layer == layer, starts, ends, t.geometry.notnull())
    found = engine.to_arrow_table(rows.select("area_id", "name", "geometry")).to_pylist()
    features = []
    for row in found:
        shape = shapely.from_wkb(row["geometry"]).simplify(SIMPLIFY_DEGREES)
        geometry = json.loads(shapely.to_geojson(shapely.set_precision(shape, 1e-6)))
        properties = {"area_id": row["area_id"], "name": row["name"] or row["area_id"]}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def bounds(*collections: GeoJSON) -> list[float] | None:
    """``[west, south, east, north]`` of every feature, or None when there is none."""
    features = [f for c in collections for f in c["features"]]
    if not features:
        return None
    shapes = shapely.from_geojson(json.dumps({"type": "FeatureCollection", "features": features}))
    return [float(v) for v in shapes.bounds]
