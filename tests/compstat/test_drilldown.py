"""The drill-down on warehouses made with the real pipeline, against pandas over the same CSV and
against counts made by hand from the Chicago fixture."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pandas as pd
import pytest

from beatwise.compstat.calendar import Window
from beatwise.compstat.drilldown import Drilldown, drilldown
from beatwise.compstat.rows import ROW_SETS, RowSpec, extra_row
from beatwise.compstat.selection import Selection
from beatwise.reports.charts import heatmap_chart
from beatwise.warehouse.engines import Engine, open_engine

from .vega import render
from .warehouses import CHICAGO, TORONTO, City, build_city, tiny_city_frame

WINDOW = Window(date(2019, 6, 1), date(2020, 5, 31))  # holds 29 February 2020
MCI = ROW_SETS["toronto_mci"]


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    return build_city(tmp_path_factory.mktemp("drilldown"))


@pytest.fixture(scope="module")
def engine(city: City) -> Iterator[Engine]:
    with open_engine("duckdb", city.warehouse) as found:
        yield found


@pytest.fixture(scope="module")
def frame(city: City) -> pd.DataFrame:
    rows = tiny_city_frame(city.csv)
    return rows[(rows["day"] >= WINDOW.start) & (rows["day"] <= WINDOW.end)]


def assert_matches_pandas(found: Drilldown, rows: pd.DataFrame) -> None:
    """Heat map, premises, subtypes and map of ``found`` equal pandas' counts of ``rows``."""
    heat = rows.groupby(["weekday", "hour"]).size()
    assert {
        (d, h): n for d, day in enumerate(found.heat) for h, n in enumerate(day) if n
    } == heat.to_dict()
    assert found.time_unknown == 0 and found.total == len(rows) > 0
    premises = rows.groupby("location_type").size()
    assert {p.location_type: p.count for p in found.premises} == premises.to_dict()
    assert [p.count for p in found.premises] == sorted(premises, reverse=True)
    nibrs = {"Break and Enter": "220", "Robbery": "120", "Auto Theft": "240"}
    subtypes = rows.groupby("MCI").size()
    assert {(s.description, s.nibrs_code): s.count for s in found.subtypes} == {
        (mci, nibrs.get(mci)): n for mci, n in subtypes.items()
    }
    latest = sorted(rows["day"], reverse=True)[: found.map_limit]
    assert [p.occurred_date for p in found.points] == latest
    assert found.not_shown == len(rows) - len(latest) and found.without_location == 0
    located = set(zip(rows["day"], rows["lat"], rows["lon"], rows["category"], strict=True))
    assert {(p.occurred_date, p.lat, p.lon, p.category) for p in found.points} <= located


def test_neighbourhood_set_total_equals_pandas(engine: Engine, frame: pd.DataFrame) -> None:
    selection = Selection(MCI, "neighbourhood", "Elm Park")
    found = drilldown(engine, TORONTO, WINDOW, selection, map_limit=40)
    assert_matches_pandas(found, frame[frame["Neighbourhood"] == "Elm Park"])
    assert len(found.points) == 40
    assert found.as_json()["data_version"]["incidents"] == 3  # Toronto, then two Chicago files


def test_one_row_in_a_boundary_layer_equals_pandas(engine: Engine, frame: pd.DataFrame) -> None:
    # zone 003 covers about half of Cedar Heights' points; membership comes from the pipeline
    selection = Selection(RowSpec("Assault", "assault", "toronto_mci"), "zone", "003")
    found = drilldown(engine, TORONTO, WINDOW, selection, map_limit=10_000)
    rows = frame[(frame["zone"] == "003") & (frame["category"] == "assault")]
    assert_matches_pandas(found, rows)
    assert found.not_shown == 0
    cedar = frame[(frame["Neighbourhood"] == "Cedar Heights") & (frame["category"] == "assault")]
    assert 0 < len(rows) < len(cedar)


def test_the_whole_city_and_leap_day(engine: Engine, frame: pd.DataFrame) -> None:
    found = drilldown(engine, TORONTO, WINDOW, Selection(MCI), map_limit=0)
    assert_matches_pandas(found, frame)
    assert found.points == () and found.not_shown == len(frame)
    leap = drilldown(engine, TORONTO, Window(date(2020, 2, 29), date(2020, 2, 29)), Selection(MCI))
    assert leap.total == (frame["day"] == date(2020, 2, 29)).sum() > 0


CHICAGO_TIMED = [  # the UCR Part I rows of the Chicago fixtures: local date and hour
    (date(2017, 8, 3), 20),  # homicide
    (date(2017, 12, 31), 23),  # motor vehicle theft, no coordinates
    (date(2018, 3, 4), 22),  # robbery (attempt)
    (date(2018, 11, 20), 12),  # criminal sexual assault
    (date(2019, 2, 14), 2),  # aggravated battery
    (date(2019, 5, 1), 16),  # theft $500 and under
    (date(2019, 6, 22), 19),  # theft, re-exported with another code: one record
    (date(2019, 9, 24), 9),  # burglary
]


def test_date_only_incidents_are_time_unknown_not_midnight(engine: Engine) -> None:
    window = Window(date(2017, 1, 1), date(2019, 12, 31))
    found = drilldown(engine, CHICAGO, window, Selection(ROW_SETS["ucr_part1"]))
    expected = {(day.weekday(), hour): 1 for day, hour in CHICAGO_TIMED}
    assert {(d, h): n for d, row in enumerate(found.heat) for h, n in enumerate(row) if n} == (
        expected
    )
    # 2019-11-01 retail theft has a date and no time (a Friday): time unknown, not Friday 0:00
    assert found.time_unknown == 1 and found.heat[4][0] == 0
    assert (found.total, found.without_location, len(found.points)) == (9, 1, 8)
    assert found.points[0].occurred_date == date(2019, 11, 1)  # latest first
    assert found.subtypes[0].description == "THEFT: $500 AND UNDER"
    assert found.subtypes[0].count == 2 and found.subtypes[0].nibrs_code is None
    larceny = drilldown(engine, CHICAGO, window, Selection(extra_row("theft")))
    assert (larceny.total, larceny.time_unknown) == (3, 1)
    weapons = drilldown(engine, CHICAGO, window, Selection(extra_row("weapons")))
    assert (weapons.total, weapons.time_unknown) == (1, 1)  # the re-export dropped its time


def test_json_shape(engine: Engine) -> None:
    window = Window(date(2019, 1, 1), date(2019, 12, 31))
    payload = drilldown(engine, CHICAGO, window, Selection(extra_row("theft"))).as_json()
    assert payload["heatmap"]["weekdays"][0] == "Monday" and len(payload["heatmap"]["counts"]) == 7
    assert all(len(row) == 24 for row in payload["heatmap"]["counts"])
    assert payload["window"] == {"start": "2019-01-01", "end": "2019-12-31"}
    assert payload["map"]["points"][0] == {
        "record_id": payload["map"]["points"][0]["record_id"],
        "lat": 41.88171846,
        "lon": -87.627760426,
        "category": "larceny",
        "occurred_date": "2019-11-01",
        "location_type": "commercial",
    }
    assert payload["premises"] == [
        {"location_type": "commercial", "count": 1},
        {"location_type": "outdoors", "count": 1},
        {"location_type": "transit", "count": 1},
    ]


def test_errors_name_the_levels_and_geographies(engine: Engine) -> None:
    with pytest.raises(KeyError, match=r"levels: city, district, .*, zone"):
        drilldown(engine, TORONTO, WINDOW, Selection(MCI, "precinct", "1"))
    with pytest.raises(KeyError, match="known: Cedar Heights, Elm Park, Harbourview"):
        drilldown(engine, TORONTO, WINDOW, Selection(MCI, "neighbourhood", "Nowhere"))
    with pytest.raises(KeyError, match="known: 001, 002, 003"):
        drilldown(engine, TORONTO, WINDOW, Selection(MCI, "zone", "004"))
    with pytest.raises(ValueError, match="map_limit"):
        drilldown(engine, TORONTO, WINDOW, Selection(MCI), map_limit=-1)
    empty = drilldown(engine, TORONTO, Window(date(2030, 1, 1), date(2030, 1, 7)), Selection(MCI))
    assert empty.total == 0 and empty.points == ()


def test_heatmap_chart_draws_every_cell_and_says_what_is_left_out(engine: Engine) -> None:
    window = Window(date(2017, 1, 1), date(2019, 12, 31))
    found = drilldown(engine, CHICAGO, window, Selection(ROW_SETS["ucr_part1"]))
    spec = heatmap_chart(found)
    cells = spec["data"]["values"]
    assert len(cells) == 7 * 24 and sum(c["count"] for c in cells) == 8
    assert {"weekday": "Saturday", "hour": 19, "count": 1} in cells
    assert spec["title"]["text"] == (
        "TOTAL — citywide, Chicago Police Department: incidents by day of week and hour, "
        "2017-01-01 to 2019-12-31"
    )
    subtitle = spec["title"]["subtitle"]
    assert "9 incidents, of which 1 have a date but no time" in subtitle[0]
    assert subtitle[1].startswith("Data: incidents v3, area_membership v")
    assert subtitle[1].endswith("method: docs/methods/compstat-trend.md#drill-down")
    warnings, svg = render(spec)
    assert warnings == [] and "mark-rect" in svg and "Saturday" in svg
