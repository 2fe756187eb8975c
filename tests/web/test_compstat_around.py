"""Around the table on the CompStat page and API: trend, drill-down, heat map and map data.

The truth is the analysis run on its own engine and cube (``weekly_trend``, ``drilldown``; both
checked against pandas in tests/compstat/), drawn with the reports package's chart specs; the
page must embed exactly those specs and list exactly those counts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from beatwise.compstat.calendar import ReportCalendar
from beatwise.compstat.cube import CubeCache, DataVersion
from beatwise.compstat.drilldown import Drilldown, drilldown
from beatwise.compstat.rows import ROW_SETS
from beatwise.compstat.selection import Selection
from beatwise.compstat.trend import Trend, weekly_trend
from beatwise.config import Settings
from beatwise.ingest.boundaries import load_boundaries
from beatwise.reports.charts import heatmap_chart, trend_chart
from beatwise.warehouse import Warehouse
from beatwise.warehouse.engines import open_engine
from beatwise.web.app import create_app

from .test_compstat import AGENCY, AS_OF, load_city

ZONES = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "boundaries"
    / "tiny_city_neighbourhoods.geojson"
)
MCI = ROW_SETS["toronto_mci"]
ZONE_NAMES = {"001": "Harbourview (1)", "002": "Elm Park (2)", "003": "Cedar Heights (3)"}


@pytest.fixture(scope="module")
def zoned_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny city with a boundary layer ``zone`` loaded first (so incidents are assigned)."""
    home = tmp_path_factory.mktemp("compstat-around") / "home"
    warehouse = Warehouse(Settings(home=home).warehouse_dir)
    load_boundaries(warehouse, ZONES, layer="zone", id_field="code", name_field="label")
    return load_city(home)


@pytest.fixture
def city(zoned_home: Path, tmp_path: Path) -> Settings:
    return Settings(home=zoned_home, db_url=f"sqlite:///{tmp_path / 'app.sqlite'}")


@pytest.fixture
def web(city: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(city)) as client:
        yield client


def truths(settings: Settings, selection: Selection, period: str) -> tuple[Trend, Drilldown]:
    window = {
        "wtd": ReportCalendar(AS_OF).week_to_date,
        "d28": ReportCalendar(AS_OF).last_28_days,
        "ytd": ReportCalendar(AS_OF).year_to_date,
    }[period]
    with open_engine("duckdb", Warehouse(settings.warehouse_dir)) as engine:
        version = DataVersion.latest(engine)
        cube = CubeCache().get(engine, AGENCY, version)
        trend = weekly_trend(cube, AS_OF, selection)
        drill = drilldown(engine, AGENCY, window, selection, version=version)
    return trend, drill


def inline_json(page: str, element_id: str) -> Any:
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', page)
    assert found is not None, element_id
    return json.loads(found.group(1))


def table_counts(page: str, table_id: str) -> list[tuple[str, int]]:
    table = page.split(f'<table class="counts" id="{table_id}">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<th scope="row">(.*?)</th><td class="num">([\d,]+)</td>', table)
    return [(label, int(count.replace(",", ""))) for label, count in rows]


def test_page_embeds_the_trend_heat_map_and_counts_of_the_analysis(
    web: TestClient, city: Settings
) -> None:
    query = {"as_of": AS_OF.isoformat(), "level": "zone", "geography": "002", "row": "assault"}
    page = web.get("/compstat", params=query).text
    selection = Selection(MCI.rows[0], "zone", "002")
    trend, drill = truths(city, selection, "d28")
    assert inline_json(page, "trend-spec") == json.loads(json.dumps(trend_chart(trend)))
    assert inline_json(page, "heatmap-spec") == json.loads(json.dumps(heatmap_chart(drill)))
    assert sum(w.count or 0 for w in trend.weeks) > 100
    assert drill.total > 5
    premises = [((p.location_type or "").capitalize(), p.count) for p in drill.premises]
    assert table_counts(page, "premises") == premises
    assert table_counts(page, "subtypes") == [
        (f"{s.description} (NIBRS {s.nibrs_code})" if s.nibrs_code else f"{s.description}", s.count)
        for s in drill.subtypes
    ]
    assert f'<strong class="total">{drill.total}</strong> incidents' in page
    assert "2020-02-03</time> to" in page  # the last 28 days to 1 March


def test_map_data_is_the_periods_points_and_the_layers_outline(
    web: TestClient, city: Settings
) -> None:
    query = {"as_of": AS_OF.isoformat(), "level": "zone", "geography": "003", "period": "ytd"}
    page = web.get("/compstat", params=query).text
    data = inline_json(page, "map-data")
    _, drill = truths(city, Selection(MCI, "zone", "003"), "ytd")
    points = [f["geometry"]["coordinates"] for f in data["points"]["features"]]
    assert points == [[round(p.lon, 6), round(p.lat, 6)] for p in drill.points]
    assert all(-79.26 <= lon <= -79.22 and 43.73 <= lat <= 43.79 for lon, lat in points)
    areas = {f["properties"]["area_id"]: f["properties"]["name"] for f in data["areas"]["features"]}
    assert areas == ZONE_NAMES
    assert (data["layer"], data["selected"]) == ("zone", "003")
    west, south, east, north = data["bounds"]
    assert (west, south, east, north) == pytest.approx((-79.46, 43.61, -79.22, 43.79))
    assert f"{len(points)} of {drill.total} incidents mapped." in page
    city_map = inline_json(
        web.get("/compstat", params={"as_of": AS_OF.isoformat()}).text, "map-data"
    )
    assert (city_map["layer"], city_map["selected"]) == ("zone", None)  # context outline only


def test_trend_and_drilldown_api_equal_the_analysis(web: TestClient, city: Settings) -> None:
    query = {"as_of": AS_OF.isoformat(), "level": "zone", "geography": "001", "row": "robbery"}
    trend, drill = truths(city, Selection(MCI.rows[2], "zone", "001"), "wtd")
    assert web.get("/api/v1/compstat/trend", params=query).json() == trend.as_json()
    got = web.get("/api/v1/compstat/drilldown", params={**query, "period": "wtd"})
    assert got.status_code == 200
    assert got.json() == drill.as_json()


@pytest.mark.parametrize(
    ("query", "parameter", "loaded"),
    [
        (
            {"row": "arson"},
            "row",
            ["total", "assault", "burglary", "robbery", "motor_vehicle_theft", "larceny"],
        ),
        ({"period": "month"}, "period", ["wtd", "d28", "ytd"]),
        ({"level": "zone"}, "geography", ["001", "002", "003"]),
    ],
)
def test_around_api_names_the_bad_parameter(
    web: TestClient, query: dict[str, str], parameter: str, loaded: list[str]
) -> None:
    response = web.get("/api/v1/compstat/drilldown", params={"as_of": AS_OF.isoformat(), **query})
    assert response.status_code == 422
    [detail] = response.json()["error"]["details"]
    assert (detail["loc"], detail["loaded"]) == (["query", parameter], loaded)


def test_method_pages_are_served_as_text(web: TestClient) -> None:
    sheet = web.get("/compstat/methods/compstat")
    assert sheet.status_code == 200
    assert sheet.headers["content-type"] == "text/plain; charset=utf-8"
    repo = Path(__file__).resolve().parents[2]
    assert sheet.text == (repo / "docs" / "methods" / "compstat.md").read_text(encoding="utf-8")
    assert web.get("/compstat/methods/compstat-trend").status_code == 200
    assert web.get("/compstat/methods/../../README").status_code == 404
    assert web.get("/compstat/methods/secrets").status_code == 404


def test_default_row_and_period_and_picker_choices(web: TestClient) -> None:
    page = web.get("/compstat", params={"as_of": AS_OF.isoformat(), "level": "zone"}).text
    row_select = page.split('id="pick-row"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option value="([^"]+)"', row_select) == [
        "total",
        "assault",
        "burglary",
        "robbery",
        "motor_vehicle_theft",
        "larceny",
    ]
    assert '<option value="total" selected>TOTAL (Major Crime Indicators)</option>' in row_select
    assert '<option value="d28" selected>Last 28 days</option>' in page
    assert date(2020, 2, 3).isoformat() in page
