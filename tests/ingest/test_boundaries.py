"""Boundary files: reading in any CRS, area, parts, refused files, and ``beatwise boundaries``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from pyproj import CRS, Geod
from typer.testing import CliRunner

from beatwise.cli.main import app
from beatwise.config import Settings
from beatwise.ingest.boundaries import BoundaryLoad, load_boundaries, read_boundary_file
from beatwise.ingest.errors import BadInputError
from beatwise.warehouse import Warehouse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "boundaries"
TINY = FIXTURES / "tiny_areas.geojson"
NEIGHBOURHOODS = FIXTURES / "tiny_city_neighbourhoods.geojson"
US_SURVEY_MILE_M = 1609.3472186944373
"""5,280 US survey feet (1 ftUS = 1200/3937 m), in metres."""

runner = CliRunner()


def geodesic_m2(polygon: Any) -> float:
    """Area on the WGS 84 ellipsoid, computed independently of Beatwise's projection."""
    area, _ = Geod(ellps="WGS84").geometry_area_perimeter(polygon)
    return abs(float(area))


def test_reads_areas_names_populations_and_merges_repeated_parts() -> None:
    read = read_boundary_file(
        TINY, id_field="area_code", name_field="area_name", population_field="residents"
    )
    assert read.features == 5 and read.crs.startswith("EPSG:4326")
    assert read.area_ids == ("7", "10", "3", "5")
    assert read.names == ("Lakeside", "Prairie", "Twin Parks", "Split")
    assert read.populations == (1200, 800, 300, 50)
    assert read.first_features == (1, 2, 3, 4)
    assert [p.geom_type for p in read.polygons] == [
        "Polygon",
        "Polygon",
        "MultiPolygon",
        "MultiPolygon",
    ]
    assert len(read.polygons[0].interiors) == 1
    expected = gpd.read_file(TINY).dissolve("area_code").loc[list(read.area_ids)].geometry
    for ours, theirs in zip(read.polygons, expected, strict=True):
        assert ours.equals(theirs)
    for polygon, area_m2 in zip(read.polygons, read.area_m2, strict=True):
        assert area_m2 == pytest.approx(geodesic_m2(polygon), rel=1e-3)


def mile_square(crs: str) -> Any:
    """A square of one US survey mile a side, in ``crs``'s own units, in central Chicago."""
    transform = CRS(crs).axis_info[0].unit_conversion_factor
    side = US_SURVEY_MILE_M / transform
    x, y = gpd.GeoSeries.from_xy([-87.65], [41.85], crs=4326).to_crs(crs).iloc[0].coords[0]
    return shapely.box(x, y, x + side, y + side)


@pytest.mark.parametrize(
    ("suffix", "crs"),
    [(".shp", "EPSG:3435"), (".gpkg", "EPSG:26916"), (".geojson", "EPSG:3435")],
    ids=["shapefile-illinois-east-ftUS", "geopackage-utm16n", "geojson-illinois-east-ftUS"],
)
def test_projected_files_are_reprojected_and_measured(
    settings: Settings, tmp_path: Path, suffix: str, crs: str
) -> None:
    original = gpd.read_file(TINY).dissolve("area_code", as_index=False)
    projected = original.to_crs(crs)
    mile = gpd.GeoDataFrame(
        {"area_code": ["99"], "area_name": ["Square mile"], "residents": [0]},
        geometry=[mile_square(crs)],
        crs=crs,
    )
    path = tmp_path / f"projected{suffix}"
    gpd.pd.concat([projected, mile]).to_file(path)
    warehouse = Warehouse(settings.warehouse_dir)
    load = load_boundaries(warehouse, path, layer="district", id_field="area_code")
    assert load.crs.startswith(crs) and load.areas == 5
    rows = {r["area_id"]: r for r in warehouse.to_arrow("boundaries").to_pylist()}
    for area_id, polygon in zip(original["area_code"], original.geometry, strict=True):
        stored = shapely.from_wkb(rows[area_id]["geometry"])
        assert shapely.hausdorff_distance(stored, polygon) < 1e-6
    assert rows["99"]["area_m2"] == pytest.approx(US_SURVEY_MILE_M**2, rel=0.005)


def test_reloading_updates_in_place_and_records_provenance(
    settings: Settings, tmp_path: Path
) -> None:
    warehouse = Warehouse(settings.warehouse_dir)

    def load(path: Path) -> BoundaryLoad:
        return load_boundaries(
            warehouse, path, layer="district", id_field="area_code", name_field="area_name"
        )

    first = load(TINY)
    assert (first.rows_inserted, first.rows_updated) == (4, 0)
    # The same file again changes nothing: no new version, the rows keep the first load's id.
    same = load(TINY)
    assert (same.rows_inserted, same.rows_updated, same.version) == (0, 0, first.version)
    assert warehouse.version("boundaries") == first.version
    # A re-published file with area 7 renamed updates that area, in place.
    collection = json.loads(TINY.read_text())
    for area in collection["features"]:
        if area["properties"]["area_code"] == "7":
            area["properties"]["area_name"] = "Lakeside North"
    renamed = tmp_path / "tiny_areas_renamed.geojson"
    renamed.write_text(json.dumps(collection))
    second = load(renamed)
    assert (second.rows_inserted, second.rows_updated) == (0, 1)
    assert second.version == first.version + 1
    rows = warehouse.to_arrow("boundaries").to_pylist()
    assert sorted(r["source_record_id"] for r in rows) == [
        "district:10",
        "district:3",
        "district:5",
        "district:7",
    ]
    assert {r["source"] for r in rows} == {"boundaries"}
    assert {r["area_id"]: (r["name"], r["ingest_id"]) for r in rows} == {
        "7": ("Lakeside North", second.ingest_id),
        "10": ("Prairie", first.ingest_id),
        "3": ("Twin Parks", first.ingest_id),
        "5": ("Split", first.ingest_id),
    }
    ingests = sorted(warehouse.to_arrow("ingests").to_pylist(), key=lambda i: i["started_at"])
    assert [(i["target_table"], i["rows_read"], i["rows_written"]) for i in ingests] == [
        ("boundaries", 5, 4),
        ("boundaries", 5, 0),
        ("boundaries", 5, 1),
    ]
    assert [i["target_version"] for i in ingests] == [first.version, first.version, second.version]


def feature(properties: dict[str, Any], geometry: dict[str, Any] | None) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}


def geojson(path: Path, *features: dict[str, Any]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}))
    return path


def not_geo(tmp: Path) -> Path:
    (tmp / "notes.geojson").write_text("this is not a map\n")
    return tmp / "notes.geojson"


def plain_table(tmp: Path) -> Path:
    (tmp / "table.csv").write_text("code,name\n1,North\n")
    return tmp / "table.csv"


def no_crs(tmp: Path) -> Path:
    gpd.read_file(TINY).to_crs(3435).to_file(tmp / "noprj.shp")
    (tmp / "noprj.prj").unlink()
    return tmp / "noprj.shp"


def two_layers(tmp: Path) -> Path:
    frame = gpd.read_file(TINY)
    frame.to_file(tmp / "two.gpkg", layer="old")
    frame.to_file(tmp / "two.gpkg", layer="new")
    return tmp / "two.gpkg"


BAD_FILES = {
    "not a geo file": (not_geo, {}, "is not a vector geo file"),
    "a plain table": (plain_table, {}, "has no geometries"),
    "no CRS": (no_crs, {}, "has no coordinate reference system"),
    "two layers": (two_layers, {}, "holds 2 layers (old, new)"),
    "missing id field": (
        lambda tmp: TINY,
        {"id_field": "DIST_NUM"},
        "has no field --id-field DIST_NUM. Fix: choose among the file's fields: "
        "area_code, area_name, residents",
    ),
    "missing name field": (lambda tmp: TINY, {"name_field": "label"}, "--name-field label"),
    "duplicate ids": (
        lambda tmp: geojson(
            tmp / "dup.geojson",
            feature({"area_code": "1", "n": "North"}, SQUARE),
            feature({"area_code": "1", "n": "South"}, SQUARE),
        ),
        {},
        "1 value(s) of area_code are given to different features (1)",
    ),
    "an empty id": (
        lambda tmp: geojson(tmp / "blank.geojson", feature({"area_code": " "}, SQUARE)),
        {},
        "1 feature(s) have no area_code (features 1)",
    ),
    "points": (
        lambda tmp: geojson(
            tmp / "pts.geojson",
            feature({"area_code": "1"}, {"type": "Point", "coordinates": [0, 0]}),
        ),
        {},
        "areas 1 have no polygon",
    ),
    "no geometry": (
        lambda tmp: geojson(tmp / "null.geojson", feature({"area_code": "1"}, None)),
        {},
        "areas 1 have no polygon",
    ),
    "population not a number": (
        lambda tmp: TINY,
        {"population_field": "area_name"},
        "area_name is not a whole number",
    ),
    "bad layer name": (lambda tmp: TINY, {"layer": "Police Districts"}, "is not usable"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_are_refused_naming_file_and_fix(
    settings: Settings, tmp_path: Path, case: str
) -> None:
    make, options, message = BAD_FILES[case]
    path = make(tmp_path)
    warehouse = Warehouse(settings.warehouse_dir)
    arguments = {"layer": "district", "id_field": "area_code", **options}
    with pytest.raises(BadInputError) as refused:
        load_boundaries(warehouse, path, **arguments)
    assert str(refused.value).startswith(str(path)) and "Fix: " in str(refused.value)
    assert message in str(refused.value)
    assert warehouse.status("boundaries").rows == warehouse.status("ingests").rows == 0


def flat(text: str) -> str:
    return " ".join(text.split())


def test_cli_add_reports_assignment_and_match_rate(settings: Settings, tiny_city_csv: Path) -> None:
    ingested = runner.invoke(app, ["ingest", "--source", "toronto-mci", str(tiny_city_csv)])
    assert ingested.exit_code == 0, ingested.output
    command = "boundaries add --layer neighbourhood --id-field code --name-field label"
    result = runner.invoke(app, [*command.split(), str(NEIGHBOURHOODS)])
    assert result.exit_code == 0, result.output
    # Independently: geopandas places each incident; the demo city's names match the labels.
    incidents = gpd.pd.read_csv(tiny_city_csv)
    points = gpd.GeoDataFrame(
        incidents, geometry=gpd.points_from_xy(incidents["Long"], incidents["Lat"]), crs=4326
    )
    areas = gpd.read_file(NEIGHBOURHOODS)
    joined = gpd.sjoin(points, areas, how="left", predicate="intersects")
    joined = joined[~joined.index.duplicated()]
    inside = joined["label"].notna()
    same = joined["label"].str.replace(r" \(\d+\)$", "", regex=True) == joined["Neighbourhood"]
    output = flat(result.output)
    assert "loaded 3 areas (3 features) of layer 'neighbourhood'" in output
    assert "from CRS EPSG:4326 (WGS 84)" in output
    assert 0 < inside.sum() < len(incidents)
    assert f"assigned {inside.sum():,} of {len(incidents):,} located incidents" in output
    assert (
        f"{same.sum() / len(incidents):.1%} match their own neighbourhood "
        f"({same.sum():,} of {len(incidents):,})"
    ) in output
    listed = runner.invoke(app, ["boundaries", "list"])
    assert listed.exit_code == 0
    assert re.search(rf"neighbourhood\s*│\s*3\s*│\s*always\s*│.*│\s*{inside.sum()}", listed.output)


def test_cli_add_refuses_a_bad_file_with_exit_2(settings: Settings) -> None:
    result = runner.invoke(
        app, ["boundaries", "add", "--layer", "district", "--id-field", "DIST", str(TINY)]
    )
    assert result.exit_code == 2
    message = flat(result.stderr if result.stderr_bytes is not None else result.output)
    assert str(TINY) in message.replace(" ", "") or TINY.name in message
    assert "area_code, area_name, residents" in message
    assert Warehouse(settings.warehouse_dir).status("boundaries").rows == 0


def test_cli_list_without_layers(settings: Settings) -> None:
    result = runner.invoke(app, ["boundaries", "list"])
    assert result.exit_code == 0 and "no boundary layers loaded" in result.output


def test_cli_add_with_valid_from_keeps_both_layouts(settings: Settings) -> None:
    command = ["boundaries", "add", "--layer", "precinct", "--id-field", "area_code"]
    first = runner.invoke(app, [*command, "--population-field", "residents", str(TINY)])
    second = runner.invoke(app, [*command, "--valid-from", "2013-07-01", str(TINY)])
    assert first.exit_code == second.exit_code == 0, second.output
    assert "4 areas of the earlier layout closed" in flat(second.output)
    rows = Warehouse(settings.warehouse_dir).to_arrow("boundaries").to_pylist()
    assert sorted((r["area_id"], str(r["valid_from"]), str(r["valid_to"])) for r in rows) == [
        (area, start, end)
        for area in ("10", "3", "5", "7")
        for start, end in (("2013-07-01", "None"), ("None", "2013-06-30"))
    ]
    assert {r["population"] for r in rows if r["valid_from"] is None} == {1200, 800, 300, 50}
    listed = runner.invoke(app, ["boundaries", "list"])
    assert re.search(r"precinct\s*│\s*4\s*│\s*2013-07-01, always", listed.output)
