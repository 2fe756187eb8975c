"""The home page in a real Chromium: visible figures, no console errors, axe-clean, phone-sized.

The server is the real stack (uvicorn in a thread, startup migrations, DuckDB over Delta); the
browser is Debian's Chromium driven by Playwright.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from beatwise.config import Settings
from beatwise.ingest.pipeline import ingest_files
from beatwise.ingest.sources import get_source
from beatwise.testing.plugin import serve_in_thread
from beatwise.warehouse import Warehouse

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def loaded_url(settings: Settings, tiny_city_csv: Path) -> Iterator[str]:
    """Base URL of a server whose warehouse holds the tiny city."""
    ingest_files(Warehouse(settings.warehouse_dir), get_source("toronto-mci"), [tiny_city_csv])
    yield from serve_in_thread(settings)


@pytest.fixture
def empty_url(settings: Settings) -> Iterator[str]:
    """Base URL of a server over an empty home."""
    yield from serve_in_thread(settings)


class Console:
    """Console errors and uncaught exceptions a page reported."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")


def open_page(
    browser: Any, url: str, viewport: dict[str, int] | None = None
) -> tuple[Any, Console]:
    """A new page in its own context, with console capture, loaded at ``url``."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
    page = context.new_page()
    console = Console(page)
    response = page.goto(url, wait_until="networkidle")
    assert response is not None
    assert response.status == 200
    return page, console


def axe_violations(page: Any) -> list[str]:
    """Rule ids and first targets of everything axe-core finds wrong (WCAG 2.1 A and AA)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
    )
    return [f"{v['id']}: {v['nodes'][0]['target']}" for v in result["violations"]]


def test_home_shows_heading_and_row_count(
    browser: Any, loaded_url: str, settings: Settings
) -> None:
    rows = Warehouse(settings.warehouse_dir).status("incidents").rows
    page, console = open_page(browser, loaded_url)
    try:
        heading = page.get_by_role("heading", level=1)
        assert heading.inner_text() == "Datasets"
        assert heading.is_visible()
        count = page.locator("#dataset-incidents + p + p .rows")
        assert count.inner_text() == f"{rows:,}"
        assert count.is_visible()
        assert page.get_by_role("heading", name="Data credits").is_visible()
        assert axe_violations(page) == []
        assert console.errors == []
    finally:
        page.context.close()


def test_empty_home_is_clean_and_says_how_to_load(browser: Any, empty_url: str) -> None:
    page, console = open_page(browser, empty_url)
    try:
        assert page.get_by_text("beatwise demo", exact=True).is_visible()
        assert axe_violations(page) == []
        assert console.errors == []
    finally:
        page.context.close()


def test_phone_width_has_no_horizontal_scroll(browser: Any, loaded_url: str) -> None:
    page, console = open_page(browser, loaded_url, PHONE)
    try:
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[1] == 375
        assert widths[0] <= widths[1], f"page is {widths[0]}px wide at {widths[1]}px"
        assert page.get_by_role("navigation", name="Main").is_visible()
        assert page.locator("#dataset-incidents").is_visible()
        assert console.errors == []
    finally:
        page.context.close()


def test_vendor_module_loads_in_the_browser(browser: Any, empty_url: str) -> None:
    page, console = open_page(browser, empty_url)
    try:
        kind = page.evaluate(
            "async () => typeof (await import('/static/vendor/maplibre-gl/dist/maplibre-gl.mjs'))"
            ".Map"
        )
        assert kind == "function"
        assert console.errors == []
    finally:
        page.context.close()


@pytest.fixture
def demo_url(demo_settings: Settings) -> Iterator[str]:
    """Base URL of a server over the real demo city (what ``make run`` serves)."""
    yield from serve_in_thread(demo_settings)


@pytest.mark.demo
@pytest.mark.slow
def test_home_lists_the_demo_citys_incidents(browser: Any, demo_url: str) -> None:
    page, console = open_page(browser, demo_url)
    try:
        main = page.locator("main")
        assert main.get_by_text("240,992", exact=False).first.is_visible()
        assert "Toronto Police Service" in main.inner_text()
        assert "Open Government Licence – Toronto" in page.content()
        assert console.errors == []
    finally:
        page.context.close()
