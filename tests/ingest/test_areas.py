"""Point-in-polygon assignment: known answers, the border rule, layouts by date, agreement with
DuckDB spatial, and the real Chicago files against geopandas."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import duckdb_extensions
import numpy as np
import pyarrow as pa
import pytest
import shapely

from beatwise.config import Settings
from beatwise.datamodel import table_spec
from beatwise.datamodel.geography import area_order
from beatwise.ingest.areas import (
    OPEN_END,
    assign_areas,
    load_layers,
    locate,
    normalise_label,
)
from beatwise.ingest.boundaries import load_boundaries
from beatwise.ingest.pipeline import ingest_files
from beatwise.ingest.sources import get_source
from beatwise.warehouse import Warehouse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "boundaries"
DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
TINY = FIXTURES / "tiny_areas.geojson"


def incidents_table(rows: list[dict[str, Any]], source: str = "test") -> pa.Table:
    """Canonical incidents with the given fields set and the others empty (or their default)."""
    schema = table_spec("incidents").schema
    defaults = {
        "source": source,
        "agency": "Test Police Department",
        "ingest_id": "test-ingest",
        "category": "robbery",
        "date_only": False,
        "time_zone": "America/Chicago",
        "is_sensitive": False,
    }
    full = [
        dict.fromkeys(schema.names)
        | defaults
        | row
        | {"record_id": hashlib.md5(f"{source}|{row['source_record_id']}".encode()).hexdigest()}
        for row in rows
    ]
    return pa.Table.from_pylist(full, schema=schema)


def areas_by_record(warehouse: Warehouse, layer: str) -> dict[str, str]:
    """record_id → area_id of ``layer``, from ``area_membership``."""
    rows = warehouse.to_arrow("area_membership").to_pylist()
    return {r["record_id"]: r["area_id"] for r in rows if r["layer"] == layer}


def membership(warehouse: Warehouse, layer: str) -> dict[str, str]:
    """source_record_id → area_id of ``layer``, through the incidents' record ids."""
    incidents = warehouse.to_arrow("incidents").to_pylist()
    ids = {r["record_id"]: r["source_record_id"] for r in incidents}
    return {ids[r]: area for r, area in areas_by_record(warehouse, layer).items()}


# Points of tiny_areas.geojson with known answers: area 7 is a square with a square hole, 10 its
# eastern neighbour sharing the edge lon = -87.68, 3 a multipolygon of two squares, 5 two
# features with identical attributes (merged into one area). Columns: name, lon, lat, the area
# expected, the incident's own district, and whether that matches (by id or name, normalised).
KNOWN = [
    ("south strip of 7", -87.69, 41.8025, "7", "007", True),
    ("inside 10", -87.67, 41.81, "10", "Prairie", True),
    ("on the 7|10 border", -87.68, 41.81, "7", "10", False),
    ("on the 7|10 shared corner", -87.68, 41.82, "7", None, None),
    ("in the hole of 7", -87.69, 41.81, None, "7", False),
    ("on the hole's edge", -87.695, 41.81, "7", "lakeside", True),
    ("west part of 3", -87.695, 41.835, "3", "3.0", True),
    ("east part of 3", -87.665, 41.835, "3", "", None),
    ("between the parts of 3", -87.68, 41.835, None, None, None),
    ("east feature of 5", -87.665, 41.855, "5", "5", True),
    ("far outside", -87.60, 41.90, None, "7", False),
    ("no coordinates", None, None, None, "7", None),
]


def load_tiny(warehouse: Warehouse, layer: str = "district") -> None:
    load_boundaries(warehouse, TINY, layer=layer, id_field="area_code", name_field="area_name")


def test_known_points_border_hole_and_parts(settings: Settings) -> None:
    warehouse = Warehouse(settings.warehouse_dir)
    load_tiny(warehouse)
    rows = [
        {"source_record_id": name, "lon": lon, "lat": lat, "district": district}
        for name, lon, lat, _, district, _ in KNOWN
    ]
    warehouse.upsert("incidents", incidents_table(rows))
    result = assign_areas(warehouse)
    expected = {name: area for name, _, _, area, _, _ in KNOWN if area is not None}
    assert membership(warehouse, "district") == expected
    (district,) = result.layers
    compared = [match for *_, match in KNOWN if match is not None]
    assert (district.located, district.assigned) == (11, len(expected)) == (11, 8)
    assert (district.compared, district.matched) == (len(compared), sum(compared)) == (8, 5)
    assert district.match_rate == pytest.approx(5 / 8) and district.source_field == "district"
    versions = {r["boundaries_version"] for r in warehouse.to_arrow("area_membership").to_pylist()}
    assert versions == {warehouse.version("boundaries")} and result.rows_written == len(expected)


def test_area_order_puts_whole_numbers_first_by_value() -> None:
    assert sorted(["10", "B", "7", "a2", "003"], key=area_order) == ["003", "7", "10", "B", "a2"]


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("0832", "832"),
        ("832.0", "832"),
        (" 8 ", "8"),
        ("Yonge-St.Clair (97)", "yonge-st.clair"),
        ("O\u2019Connor  Park", "o'connor park"),
        ("31ST", "31st"),
    ],
)
def test_normalise_label(raw: str, normal: str) -> None:
    assert normalise_label(raw) == normal


def square(code: str, west: float, east: float) -> dict[str, Any]:
    ring = [[west, 40.70], [east, 40.70], [east, 40.80], [west, 40.80], [west, 40.70]]
    return {
        "type": "Feature",
        "properties": {"pct": code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def write_layout(path: Path, *features: dict[str, Any]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}))
    return path


def test_layouts_by_local_date(settings: Settings, tmp_path: Path) -> None:
    """A precinct split on 2013-07-01 (like NYC's 121st): each record goes to the layout in
    force on its local date; an undated record to the current layout."""
    warehouse = Warehouse(settings.warehouse_dir)
    old = write_layout(tmp_path / "old.geojson", square("1", -74.2, -74.0))
    new = write_layout(
        tmp_path / "new.geojson", square("1", -74.2, -74.1), square("121", -74.1, -74.0)
    )
    load_boundaries(warehouse, old, layer="precinct", id_field="pct")
    load = load_boundaries(
        warehouse, new, layer="precinct", id_field="pct", valid_from=date(2013, 7, 1)
    )
    assert load.closed == 1
    spans = {
        (r["source_record_id"], r["valid_from"], r["valid_to"])
        for r in warehouse.to_arrow("boundaries").to_pylist()
    }
    assert spans == {
        ("precinct:1", None, date(2013, 6, 30)),
        ("precinct:1@2013-07-01", date(2013, 7, 1), None),
        ("precinct:121@2013-07-01", date(2013, 7, 1), None),
    }
    east = {"lon": -74.05, "lat": 40.75, "time_zone": "America/New_York"}
    rows = [
        {"source_record_id": "2012", "occurred_start": datetime(2012, 5, 1, tzinfo=UTC)},
        {"source_record_id": "2014", "occurred_start": datetime(2014, 1, 1, tzinfo=UTC)},
        # 23:30 on 30 June in New York is already 1 July in UTC: the local date decides.
        {"source_record_id": "eve", "occurred_start": datetime(2013, 7, 1, 3, 30, tzinfo=UTC)},
        {"source_record_id": "undated", "occurred_start": None},
        # The local date the adapter stored wins over one worked out from the time.
        {
            "source_record_id": "stored",
            "occurred_start": datetime(2013, 6, 30, 12, tzinfo=UTC),
            "occurred_date": date(2013, 7, 1),
        },
    ]
    warehouse.upsert("incidents", incidents_table([east | r for r in rows]))
    assign_areas(warehouse)
    assert membership(warehouse, "precinct") == {
        "2012": "1",
        "2014": "121",
        "eve": "1",
        "undated": "121",
        "stored": "121",
    }


def test_only_the_rows_of_one_import_are_assigned(settings: Settings) -> None:
    """Also after a MERGE, whose data files hold text as string_view (a pyarrow filter on such a
    column against a string failed with "no kernel matching input types").

    The second import repeats ``a`` unchanged, changes ``b`` (its category) and adds ``c``: a
    MERGE leaves an unchanged row with the import that last changed it, so only ``b`` and ``c``
    carry the second import's id and get assigned."""
    warehouse = Warehouse(settings.warehouse_dir)
    load_tiny(warehouse)
    point = {"lon": -87.67, "lat": 41.81}
    imports = (
        ("first", {"a": "robbery", "b": "robbery"}),
        ("second", {"a": "robbery", "b": "larceny", "c": "robbery"}),
    )
    written = []
    for ingest_id, names in imports:
        rows = [
            {"source_record_id": n, "ingest_id": ingest_id, "category": category} | point
            for n, category in names.items()
        ]
        written.append(warehouse.upsert("incidents", incidents_table(rows)))
    assert [(w.rows_inserted, w.rows_updated) for w in written] == [(2, 0), (1, 1)]
    stored = warehouse.to_arrow("incidents").to_pylist()
    assert {r["source_record_id"]: r["ingest_id"] for r in stored} == {
        "a": "first",
        "b": "second",
        "c": "second",
    }
    result = assign_areas(warehouse, ingest_id="second")
    assert result.records == 2 and membership(warehouse, "district") == {"b": "10", "c": "10"}


def duckdb_locate(polygons: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The same assignment by DuckDB spatial's join: the first area in layer order wins."""
    con = duckdb.connect()
    duckdb_extensions.import_extension("spatial", con=con)
    con.execute("LOAD spatial")
    areas = pa.table({"j": np.arange(len(polygons)), "wkb": shapely.to_wkb(polygons)})
    points = pa.table({"i": np.arange(lon.size), "lon": lon, "lat": lat})
    con.register("areas", areas)
    con.register("points", points)
    found = con.execute(
        "SELECT i, min(j) FROM points JOIN (SELECT j, ST_GeomFromWKB(wkb) AS g FROM areas) a "
        "ON ST_Intersects(a.g, ST_Point(points.lon, points.lat)) GROUP BY i"
    ).fetchnumpy()
    out = np.full(lon.size, -1, dtype=np.int64)
    out[found["i"]] = found["min(j)"]
    return out


def random_points(bounds: np.ndarray, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = bounds
    pad = 0.05 * max(x1 - x0, y1 - y0)
    return rng.uniform(x0 - pad, x1 + pad, n), rng.uniform(y0 - pad, y1 + pad, n)


def test_agrees_with_duckdb_spatial_on_random_points_and_vertices(settings: Settings) -> None:
    warehouse = Warehouse(settings.warehouse_dir)
    load_tiny(warehouse)
    (layer,), _ = load_layers(warehouse)
    lon, lat = random_points(shapely.total_bounds(layer.polygons), 20_000, seed=20261125)
    vertices = shapely.get_coordinates(layer.polygons)  # on borders: the tie rule decides
    lon, lat = np.concatenate([lon, vertices[:, 0]]), np.concatenate([lat, vertices[:, 1]])
    ours = locate(layer, lon, lat, None)
    assert (ours >= 0).sum() > 5_000
    np.testing.assert_array_equal(ours, duckdb_locate(layer.polygons, lon, lat))


def test_layer_is_in_border_rule_order_and_undated_layers_ignore_days(
    settings: Settings,
) -> None:
    warehouse = Warehouse(settings.warehouse_dir)
    load_tiny(warehouse)
    (layer,), _ = load_layers(warehouse)
    assert layer.area_ids == ("3", "5", "7", "10") and not layer.dated
    lon, lat = np.array([-87.67, -87.67]), np.array([41.81, 41.81])
    days = np.array([0, OPEN_END], dtype=np.int32)
    assert locate(layer, lon, lat, days).tolist() == [3, 3]
    assert locate(layer, lon, lat, None).tolist() == [3, 3]


def needs_real_data() -> Path:
    chicago = DATA / "chicago"
    if not chicago.is_dir():
        pytest.skip(f"the real data folder {chicago} is missing")
    return chicago


def chicago_incidents(path: Path) -> tuple[pa.Table, Any]:
    """The Chicago sample as canonical incidents, built with pandas (places as text)."""
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    located = frame[(frame["latitude"] != "") & (frame["longitude"] != "")]
    rows = [
        {
            "source_record_id": r["id"],
            "lat": float(r["latitude"]) if r["latitude"] else None,
            "lon": float(r["longitude"]) if r["longitude"] else None,
            "district": r["district"] or None,
            "beat": r["beat"] or None,
        }
        for r in frame.to_dict("records")
    ]
    return incidents_table(rows, source="chicago-test"), located


def geopandas_areas(located: Any, boundary_file: Path, field: str) -> Any:
    """Area id (or NaN) of each located row by geopandas.sjoin, with the same border rule."""
    import geopandas as gpd

    lon, lat = located["longitude"].astype(float), located["latitude"].astype(float)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat, crs=4326), index=located.index)
    areas = gpd.read_file(boundary_file)[[field, "geometry"]]
    joined = gpd.sjoin(points, areas, how="left", predicate="intersects")
    joined["rank"] = joined[field].map(lambda v: int(v) if isinstance(v, str) else 10**9)
    return joined.sort_values("rank", kind="stable").groupby(level=0)[field].first()


CHICAGO_LAYERS = [("district", "dist_num"), ("beat", "beat_num")]


@pytest.mark.realdata
@pytest.mark.slow
def test_chicago_districts_and_beats_match_geopandas(settings: Settings) -> None:
    chicago = needs_real_data()
    warehouse = Warehouse(settings.warehouse_dir)
    table, located = chicago_incidents(chicago / "chicago_crimes_sample_2017_2019.csv")
    warehouse.upsert("incidents", table)
    for layer, field in CHICAGO_LAYERS:
        path = chicago / f"chicago_{layer}_bounds.geojson"
        load_boundaries(warehouse, path, layer=layer, id_field=field)
    result = {r.layer: r for r in assign_areas(warehouse).layers}
    for layer, field in CHICAGO_LAYERS:
        areas = geopandas_areas(located, chicago / f"chicago_{layer}_bounds.geojson", field)
        expected = {located.at[i, "id"]: area for i, area in areas.dropna().items()}
        assert membership(warehouse, layer) == expected
        rate = match_rate(located[layer], areas)
        assert result[layer].match_rate == pytest.approx(rate, abs=1e-12)
    assert result["district"].match_rate >= 0.97
    assert result["district"].located == len(located) == 25_000


def match_rate(own: Any, areas: Any) -> float:
    """Share of rows with their own value whose geopandas area is that value (as integers)."""
    own = own.map(lambda v: str(int(float(v))) if v else "")
    theirs = areas.map(lambda v: str(int(v)) if isinstance(v, str) else "outside")
    compared = own != ""
    return float((own[compared] == theirs[compared]).sum() / compared.sum())


@pytest.mark.realdata
@pytest.mark.slow
def test_chicago_adapter_import_then_assignment_of_its_rows(settings: Settings) -> None:
    """The pipeline hook: import with the ``chicago`` adapter, then assign that import's rows."""
    import pandas as pd

    chicago = needs_real_data()
    warehouse = Warehouse(settings.warehouse_dir)
    districts = chicago / "chicago_district_bounds.geojson"
    load_boundaries(warehouse, districts, layer="district", id_field="dist_num")
    export = chicago / "chicago_crimes_sample_2019_50k.csv"
    imported = ingest_files(warehouse, get_source("chicago"), [export])
    (district,) = assign_areas(warehouse, ingest_id=imported.ingest_id).layers
    frame = pd.read_csv(export, dtype=str, keep_default_na=False)
    stored = warehouse.to_arrow("incidents").select(["record_id", "source_line"]).to_pylist()
    rows = frame.iloc[[r["source_line"] - 2 for r in stored]].assign(
        record_id=[r["record_id"] for r in stored]
    )
    located = rows[(rows["latitude"] != "") & (rows["longitude"] != "")]
    areas = geopandas_areas(located, districts, "dist_num")
    expected = {located.at[i, "record_id"]: area for i, area in areas.dropna().items()}
    assert areas_by_record(warehouse, "district") == expected
    assert district.located == len(located) < len(rows)
    assert district.match_rate == pytest.approx(match_rate(located["district"], areas), abs=1e-12)
    assert district.match_rate >= 0.97


@pytest.mark.realdata
def test_agrees_with_duckdb_spatial_on_chicago_beats(settings: Settings) -> None:
    chicago = needs_real_data()
    warehouse = Warehouse(settings.warehouse_dir)
    load_boundaries(
        warehouse, chicago / "chicago_beat_bounds.geojson", layer="beat", id_field="beat_num"
    )
    (layer,), _ = load_layers(warehouse)
    lon, lat = random_points(shapely.total_bounds(layer.polygons), 100_000, seed=7)
    np.testing.assert_array_equal(
        locate(layer, lon, lat, None), duckdb_locate(layer.polygons, lon, lat)
    )
