"""Fixtures of the mapping tests: the real data folder, and ``ingest``, which runs the real
pipeline (it compiles a mapping for each file's header through the ``FileSource`` hook)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from beatwise.config import Settings
from beatwise.ingest.mappings import Mapping, MappingSource, load_mapping
from beatwise.ingest.pipeline import IngestResult, ingest_files
from beatwise.warehouse import Warehouse

from .helpers import KEY, REAL_DATA

Ingest = Callable[[Mapping | str, Sequence[Path]], tuple[Warehouse, IngestResult]]


@pytest.fixture
def ingest(settings: Settings) -> Ingest:
    """Run the pipeline on files with a mapping (by name or loaded), in a fresh warehouse."""
    warehouse = Warehouse(settings.warehouse_dir)

    def run(mapping: Mapping | str, files: Sequence[Path]) -> tuple[Warehouse, IngestResult]:
        loaded = load_mapping(mapping) if isinstance(mapping, str) else mapping
        source = MappingSource(loaded, pseudonym_key=KEY)
        return warehouse, ingest_files(warehouse, source, list(files))

    return run


@pytest.fixture
def real_data() -> Path:
    """The shared real-data folder, or a skip that says where it was looked for."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"no real data at {REAL_DATA.resolve()} (see ../shared/data/README.md)")
    return REAL_DATA
