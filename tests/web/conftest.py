"""Fixtures for the web tests: apps with their startup run, loaded data, and the truth.

"The truth" is read straight from the Delta tables with ``deltalake``, never through the web
code, so a test compares the page with the store, not the code with itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable
from fastapi.testclient import TestClient

from beatwise.config import Settings
from beatwise.ingest.pipeline import ingest_files
from beatwise.ingest.sources import get_source
from beatwise.warehouse import Warehouse
from beatwise.web.app import create_app

ClientFactory = Callable[..., AbstractContextManager[TestClient]]


@dataclass(frozen=True)
class Incidents:
    """Row count, Delta version and event-time span (UTC) of the incidents table."""

    rows: int
    version: int
    first: datetime
    last: datetime


def read_incidents(settings: Settings) -> Incidents:
    """The incidents table as ``deltalake`` itself reads it."""
    delta = DeltaTable(settings.warehouse_dir / "incidents")
    times = delta.to_pyarrow_table(columns=["occurred_start"]).column("occurred_start")
    span = pc.min_max(times).as_py()
    return Incidents(len(times), delta.version(), span["min"], span["max"])


def load_csv(settings: Settings, csv_path: Path) -> None:
    """Import ``csv_path`` (Toronto MCI format) into the warehouse of ``settings``."""
    ingest_files(Warehouse(settings.warehouse_dir), get_source("toronto-mci"), [csv_path])


@contextmanager
def _started_client(
    settings: Settings, *, vendor_dir: Path | None = None, **options: bool
) -> Iterator[TestClient]:
    with TestClient(create_app(settings, vendor_dir=vendor_dir), **options) as client:
        yield client


@pytest.fixture
def client_for() -> ClientFactory:
    """``with client_for(settings, vendor_dir=..., raise_server_exceptions=...) as client``.

    The app's startup (migrations, warehouse tables) has run when the block starts.
    """
    return _started_client


@pytest.fixture
def load() -> Callable[[Settings, Path], None]:
    """``load(settings, csv_path)`` imports a Toronto MCI file into that warehouse."""
    return load_csv


@pytest.fixture
def truth() -> Callable[[Settings], Incidents]:
    """``truth(settings)``: the incidents table as deltalake reads it."""
    return read_incidents


@pytest.fixture
def loaded_settings(settings: Settings, tiny_city_csv: Path) -> Settings:
    """Settings whose warehouse holds the tiny city's incidents."""
    load_csv(settings, tiny_city_csv)
    return settings


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client of the app over an empty home."""
    with _started_client(settings) as started:
        yield started


@pytest.fixture
def loaded_client(loaded_settings: Settings) -> Iterator[TestClient]:
    """A client of the app over the tiny city."""
    with _started_client(loaded_settings) as started:
        yield started
