"""Static files: our own, and the npm packages served from ``node_modules`` (never a CDN)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from beatwise.config import Settings
from beatwise.web.app import source_tree_node_modules

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from tests.web.conftest import ClientFactory

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["/static/beatwise.css", "/static/favicon.svg"])
def test_own_static_files_are_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.content == (REPO / "src/beatwise/web" / path.lstrip("/")).read_bytes()


def test_node_modules_of_the_checkout_is_found() -> None:
    assert source_tree_node_modules() == REPO / "node_modules"


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("maplibre-gl/dist/maplibre-gl.mjs", "text/javascript"),
        ("maplibre-gl/dist/maplibre-gl.css", "text/css"),
        ("vega-embed/build/vega-embed.min.js", "text/javascript"),
        ("swagger-ui-dist/swagger-ui-bundle.js", "text/javascript"),
    ],
)
def test_npm_packages_are_served_from_node_modules(
    client: TestClient, path: str, media_type: str
) -> None:
    response = client.get(f"/static/vendor/{path}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.content == (REPO / "node_modules" / path).read_bytes()


def test_without_the_packages_vendor_is_404_and_docs_say_why(
    settings: Settings, tmp_path: Path, client_for: ClientFactory
) -> None:
    empty = tmp_path / "node_modules"
    empty.mkdir()
    with client_for(settings, vendor_dir=empty) as client:
        missing = client.get("/static/vendor/maplibre-gl/dist/maplibre-gl.mjs")
        docs = client.get("/api/v1/docs")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert docs.status_code == 503
    assert "npm ci" in docs.json()["error"]["message"]


def test_api_docs_page_uses_the_local_swagger_ui(client: TestClient) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.text
    assert "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "/api/v1/openapi.json" in page
    assert "cdn" not in page.lower()
