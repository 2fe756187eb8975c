"""The CompStat page in a real Chromium: htmx swaps, follow-up forms, charts, map, axe-clean.

The server is the real stack (uvicorn in a thread, DuckDB over Delta, SQLite app database) on
127.0.0.1, so the page is served as staff pages are until sign-in exists: to this machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from beatwise.config import Settings
from beatwise.ingest.boundaries import load_boundaries
from beatwise.ingest.pipeline import ingest_files
from beatwise.ingest.sources import get_source
from beatwise.testing.city import write_tiny_city
from beatwise.testing.plugin import serve_in_thread
from beatwise.warehouse import Warehouse

from .test_home_browser import axe_violations, open_page

pytestmark = pytest.mark.browser

PAGE = "/compstat?as_of=2020-03-01"


ZONES = Path(__file__).resolve().parents[1] / "fixtures" / "boundaries"
ZONES = ZONES / "tiny_city_neighbourhoods.geojson"


@pytest.fixture
def city_url(settings: Settings, tmp_path: Path) -> Iterator[str]:
    """Base URL of a server over 3,000 tiny-city incidents (2019 and 2020) and a boundary
    layer ``zone`` of three areas."""
    warehouse = Warehouse(settings.warehouse_dir)
    load_boundaries(warehouse, ZONES, layer="zone", id_field="code", name_field="label")
    csv_path = write_tiny_city(tmp_path / "city.csv", 3000, seed=11)
    ingest_files(warehouse, get_source("toronto-mci"), [csv_path])
    yield from serve_in_thread(settings)


def sheet_title(page: Any) -> str:
    title: str = page.locator(".compstat-sheet .sheet-title").inner_text()
    return title


def wait_for_drawings(page: Any) -> None:
    """Until both charts are drawn as SVG and the map has drawn its canvas."""
    for ready in ("#trend-chart[data-ready] svg", "#heatmap-chart[data-ready] svg"):
        page.wait_for_selector(ready)
    page.wait_for_selector("#incident-map[data-ready] canvas.maplibregl-canvas")


def test_page_loads_clean_and_accessible(browser: Any, city_url: str) -> None:
    page, console = open_page(browser, city_url + PAGE)
    try:
        wait_for_drawings(page)
        bars = "#trend-chart svg .mark-rect.role-mark path"
        assert page.locator(bars).count() > 50  # the weeks since the data start
        cells = "#heatmap-chart svg .mark-rect.role-mark path"
        assert page.locator(cells).count() == 7 * 24
        canvas = page.locator("#incident-map canvas")
        box = canvas.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 200
        assert page.get_by_role("heading", level=1).inner_text() == "CompStat"
        assert sheet_title(page) == "CompStat — Toronto Police Service — Citywide"
        week = page.locator(".compstat-sheet .week-line").inner_text()
        assert week == "Report covering the week 2/24/2020 through 3/1/2020"
        assert page.get_by_role("link", name="CompStat").get_attribute("aria-current") == "page"
        assert page.get_by_role("link", name="PDF").first.is_visible()
        assert axe_violations(page) == []
        assert console.errors == []
    finally:
        page.context.close()


def test_level_picker_swaps_the_sheet_without_reloading(browser: Any, city_url: str) -> None:
    page, console = open_page(browser, city_url + PAGE)
    try:
        page.evaluate("() => { window.notReloaded = true; }")
        with page.expect_response(lambda r: "level=neighbourhood" in r.url):
            page.get_by_label("Level").select_option("neighbourhood")
        page.wait_for_function("() => !document.querySelector('.htmx-request')")
        assert (
            sheet_title(page) == "CompStat — Toronto Police Service — Neighbourhood Cedar Heights"
        )
        assert page.evaluate("() => window.notReloaded") is True
        assert "level=neighbourhood" in page.url
        assert page.title().startswith("CompStat — Toronto Police Service — Neighbourhood")
        geographies = page.get_by_label("Geography").locator("option").all_inner_texts()
        assert geographies == ["Cedar Heights", "Elm Park", "Harbourview"]
        with page.expect_response(lambda r: "geography=Harbourview" in r.url):
            page.get_by_label("Geography").select_option("Harbourview")
        page.wait_for_function("() => !document.querySelector('.htmx-request')")
        assert sheet_title(page).endswith("Neighbourhood Harbourview")
        assert page.evaluate("() => window.notReloaded") is True
        wait_for_drawings(page)  # drawn again in the swapped view, the old map removed
        assert page.locator("canvas.maplibregl-canvas").count() == 1
        assert axe_violations(page) == []
        assert console.errors == []
    finally:
        page.context.close()


def test_follow_up_form_swaps_the_block(browser: Any, city_url: str) -> None:
    page, console = open_page(browser, city_url + PAGE)
    try:
        page.evaluate("() => { window.notReloaded = true; }")
        page.get_by_text("Add an item").click()
        page.get_by_label("What the meeting asked").fill("Auto theft hot spot: a plan")
        page.get_by_label("Owner (a post, not a person's name)").fill("Auto Squad")
        page.get_by_label("Meeting date").fill("2020-02-24")
        page.get_by_label("Due date").fill("2020-02-27")
        with page.expect_response(lambda r: r.url.endswith("/compstat/followup")):
            page.get_by_role("button", name="Add item").click()
        row = page.locator("#item-1")
        row.wait_for()
        assert "overdue 3 days" in row.inner_text()
        page.get_by_label("New status").select_option("done")
        with page.expect_response(lambda r: r.url.endswith("/status")) as refused:
            page.get_by_role("button", name="Save").click()
        assert refused.value.status == 422
        alert = page.get_by_role("alert")
        alert.wait_for()
        assert "needs an outcome" in alert.inner_text()
        page.get_by_label("New status").select_option("done")
        page.get_by_label("Outcome (to close) or note").fill("Recovered 4 cars")
        with page.expect_response(lambda r: r.url.endswith("/status")):
            page.get_by_role("button", name="Save").click()
        page.get_by_text("Recovered 4 cars").wait_for()
        assert page.evaluate("() => window.notReloaded") is True
        assert axe_violations(page) == []
        # Chromium logs every 4xx response; the refused form's 422 is the only one expected.
        refusal = "console: Failed to load resource: the server responded with a status of 422"
        assert [e for e in console.errors if not e.startswith(refusal)] == []
        assert len(console.errors) == 1
    finally:
        page.context.close()


def test_phone_width_has_no_horizontal_scroll(browser: Any, city_url: str) -> None:
    page, console = open_page(browser, city_url + PAGE, {"width": 375, "height": 740})
    try:
        wait_for_drawings(page)
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"page is {widths[0]}px wide at {widths[1]}px"
        assert page.get_by_label("Level").is_visible()
        assert console.errors == []
    finally:
        page.context.close()
