"""The JSON API: ``/api/v1/datasets``, the OpenAPI document and the error shape."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from beatwise.config import EngineName, Settings
from beatwise.datamodel import TABLES

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from tests.web.conftest import ClientFactory, Incidents


def test_datasets_lists_every_table_with_exact_figures(
    loaded_client: TestClient, loaded_settings: Settings, truth: Callable[[Settings], Incidents]
) -> None:
    response = loaded_client.get("/api/v1/datasets")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    datasets = response.json()["datasets"]
    assert [d["table"] for d in datasets] == list(TABLES)
    assert all(set(d) == {"table", "description", "rows", "version", "sources"} for d in datasets)
    incidents = truth(loaded_settings)
    by_table = {d["table"]: d for d in datasets}
    assert by_table["incidents"]["description"] == TABLES["incidents"].description
    assert by_table["incidents"]["rows"] == incidents.rows
    assert by_table["incidents"]["version"] == incidents.version
    [source] = by_table["incidents"]["sources"]
    assert source["source"] == "toronto-mci"
    assert source["rows"] == incidents.rows
    assert datetime.fromisoformat(source["first"]) == incidents.first
    assert datetime.fromisoformat(source["last"]) == incidents.last
    assert source["first"].endswith("Z")
    assert by_table["calls_for_service"] == {
        "table": "calls_for_service",
        "description": TABLES["calls_for_service"].description,
        "rows": 0,
        "version": 0,
        "sources": [],
    }


def test_datasets_of_an_empty_warehouse_are_all_empty(client: TestClient) -> None:
    datasets = client.get("/api/v1/datasets").json()["datasets"]
    assert [(d["table"], d["rows"], d["sources"]) for d in datasets] == [
        (name, 0, []) for name in TABLES
    ]


def test_openapi_document_lists_the_api(client: TestClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Beatwise"
    assert document["info"]["license"]["identifier"] == "Apache-2.0"
    assert "get" in document["paths"]["/api/v1/datasets"]
    assert "/healthz" in document["paths"]
    assert "/" not in document["paths"]
    assert "DatasetsOut" in document["components"]["schemas"]
    assert client.get("/openapi.json").status_code == 404


def test_unknown_path_is_a_json_404(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "error": {"code": "not_found", "message": "nothing here: /api/v1/no-such-thing"}
    }


def test_wrong_method_is_a_json_405(client: TestClient) -> None:
    response = client.delete("/api/v1/datasets")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_invalid_request_is_a_json_422_without_the_input(client: TestClient) -> None:
    @client.app.get("/probe")  # type: ignore[attr-defined]
    def probe(count: int) -> dict[str, int]:
        return {"count": count}

    response = client.get("/probe", params={"count": "secret-value"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "unprocessable_entity"
    assert error["details"] == [
        {
            "loc": ["query", "count"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
        }
    ]
    assert "secret-value" not in response.text


def test_unexpected_error_is_a_json_500_without_a_trace(
    settings: Settings, client_for: ClientFactory
) -> None:
    # The 'postgres' warehouse engine is declared but not implemented: opening it raises.
    broken = settings.model_copy(update={"engine": EngineName.postgres})
    with client_for(broken, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/datasets")
    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "code": "internal_server_error",
            "message": "an unexpected error occurred; it has been logged",
        }
    }
    assert "Traceback" not in response.text
    assert "NotImplementedError" not in response.text
