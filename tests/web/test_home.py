"""The home page: what the warehouse holds, with exact counts, versions, spans and credits."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import beatwise
from beatwise.config import Settings
from beatwise.datamodel import TABLES
from beatwise.ingest.sources import SOURCES
from beatwise.testing.city import write_tiny_city
from beatwise.web.templating import thousands

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from tests.web.conftest import ClientFactory, Incidents

TORONTO = ZoneInfo("America/Toronto")


def text_of(page: str) -> str:
    """The page's text as a reader sees it: inline tags dropped, blocks spaced, one space."""
    inline_dropped = re.sub(r"</?(?:a|code|em|span|strong|time)\b[^>]*>", "", page)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline_dropped)))


def test_home_shows_the_exact_row_count_version_and_span(
    loaded_client: TestClient, loaded_settings: Settings, truth: Callable[[Settings], Incidents]
) -> None:
    incidents = truth(loaded_settings)
    response = loaded_client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert f'data-rows="{incidents.rows}"' in page
    text = text_of(page)
    assert f"{incidents.rows} rows data version v{incidents.version}" in text
    first = incidents.first.astimezone(TORONTO).date().isoformat()
    last = incidents.last.astimezone(TORONTO).date().isoformat()
    assert f'<time datetime="{first}">{first}</time>' in page
    assert f'<time datetime="{last}">{last}</time>' in page


def test_home_formats_counts_with_thousands_separators(
    settings: Settings,
    tmp_path: Path,
    load: Callable[[Settings, Path], None],
    truth: Callable[[Settings], Incidents],
    client_for: ClientFactory,
) -> None:
    load(settings, write_tiny_city(tmp_path / "bigger.csv", 1_234))
    assert truth(settings).rows == 1_234
    with client_for(settings) as client:
        page = client.get("/").text
    assert '<strong class="rows" data-rows="1234">1,234</strong>' in page
    assert thousands(240_992) == "240,992"


def test_home_credits_the_source_and_names_version_and_licence(
    loaded_client: TestClient, loaded_settings: Settings, truth: Callable[[Settings], Incidents]
) -> None:
    page = loaded_client.get("/").text
    main, footer = (text_of(part) for part in page.split("<footer", 1))
    source = SOURCES["toronto-mci"]
    assert f"Data credits {source.title}: {source.credit}" in main
    version = truth(loaded_settings).version
    assert f"Data versions: incidents v{version}, ingests v1." in footer
    assert source.credit in footer
    assert f"Beatwise {beatwise.__version__} · free software under the Apache-2.0 licence" in footer


def test_home_lists_empty_tables_compactly(loaded_client: TestClient) -> None:
    text = text_of(loaded_client.get("/").text)
    listed = text.split("Not loaded yet", 1)[1].split("Data credits", 1)[0].split()
    empty = [name for name in TABLES if name not in {"incidents", "ingests"}]
    assert listed == empty


def test_empty_warehouse_says_how_to_load_the_demo(client: TestClient) -> None:
    page = client.get("/").text
    text = text_of(page)
    assert "No data loaded yet" in text
    assert "<code>beatwise demo</code>" in page
    assert "Data credits" not in text
    assert "Data versions" not in text
    assert text.split("Not loaded yet", 1)[1].split("Beatwise", 1)[0].split() == list(TABLES)


def test_home_page_is_accessible_markup(loaded_client: TestClient) -> None:
    page = loaded_client.get("/").text
    assert page.startswith('<!doctype html>\n<html lang="en">')
    for landmark in ("<header", '<nav aria-label="Main">', '<main id="main"', "<footer"):
        assert landmark in page
    assert page.count("<h1>") == 1
    assert '<a href="/" aria-current="page">Home</a>' in page
    assert '<a href="/api/v1/docs">API</a>' in page
    headers = re.findall(r"<th (scope=\"(?:col|row)\")?", page)
    assert headers
    assert all(headers)
