"""``/healthz``: 200 while both stores can be read; 503 naming the store that cannot."""

from __future__ import annotations

import shutil
import socket
from typing import TYPE_CHECKING

import psycopg
import pytest
from sqlalchemy.exc import OperationalError

import beatwise
from beatwise.config import Settings
from beatwise.datamodel import TABLES

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from tests.web.conftest import ClientFactory


def closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_healthz_is_ok_when_both_stores_answer(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "version": beatwise.__version__,
        "checks": {
            "warehouse": {"ok": True, "detail": f"{len(TABLES)} tables readable"},
            "app_db": {"ok": True, "detail": "sqlite answers"},
        },
    }


def test_healthz_is_503_when_the_app_db_file_is_gone(
    client: TestClient, settings: Settings
) -> None:
    database = settings.home / "beatwise.sqlite"
    for path in settings.home.glob("beatwise.sqlite*"):
        path.unlink()
    database.mkdir()  # a folder where the database file was: SQLite cannot open it
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["warehouse"]["ok"] is True
    assert body["checks"]["app_db"] == {
        "ok": False,
        "detail": "OperationalError: (sqlite3.OperationalError) unable to open database file",
    }
    assert body["error"]["code"] == "service_unavailable"
    assert body["error"]["message"].startswith("app_db: OperationalError")
    assert "Traceback" not in response.text


def test_healthz_is_503_when_a_warehouse_table_is_gone(
    client: TestClient, settings: Settings
) -> None:
    shutil.rmtree(settings.warehouse_dir / "rejects")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["warehouse"] == {"ok": False, "detail": "tables missing: rejects"}
    assert body["checks"]["app_db"]["ok"] is True
    assert body["error"]["message"] == "warehouse: tables missing: rejects"


def test_app_refuses_to_start_on_an_unreachable_app_db(
    settings: Settings, client_for: ClientFactory
) -> None:
    unreachable = f"postgresql://postgres@127.0.0.1:{closed_port()}/beatwise"
    with (
        pytest.raises(OperationalError, match="Connection refused"),
        client_for(settings.model_copy(update={"db_url": unreachable})),
    ):
        pass


@pytest.mark.postgres
def test_healthz_is_503_when_the_postgres_app_db_goes_away(
    settings: Settings, postgres_url: str, postgres_server_url: str, client_for: ClientFactory
) -> None:
    with client_for(settings.model_copy(update={"db_url": postgres_url})) as client:
        ok = client.get("/healthz")
        assert ok.status_code == 200
        assert ok.json()["checks"]["app_db"] == {"ok": True, "detail": "postgresql answers"}
        name = postgres_url.rsplit("/", 1)[1]
        with psycopg.connect(postgres_server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        gone = client.get("/healthz")
    assert gone.status_code == 503
    detail = gone.json()["checks"]["app_db"]["detail"]
    assert detail.startswith("OperationalError: (psycopg.OperationalError)")
    assert f'database "{name}" does not exist' in detail
