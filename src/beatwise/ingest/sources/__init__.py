"""Built-in source adapters, one module per real export format, looked up by name."""

from __future__ import annotations

from beatwise.ingest.sources.base import CsvSource
from beatwise.ingest.sources.toronto_mci import TORONTO_MCI

SOURCES: dict[str, CsvSource] = {source.name: source for source in (TORONTO_MCI,)}


def get_source(name: str) -> CsvSource:
    """The adapter called ``name``; a KeyError lists the known adapters."""
    try:
        return SOURCES[name]
    except KeyError:
        raise KeyError(f"unknown source {name!r}; known sources: {', '.join(SOURCES)}") from None
