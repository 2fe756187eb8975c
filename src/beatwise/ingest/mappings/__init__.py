"""Mapping files: any agency's export described in YAML, loaded without code.

>>> from beatwise.ingest.mappings import MappingSource, load_mapping
>>> mapping = load_mapping("seattle-use-of-force")
>>> source = MappingSource(mapping, pseudonym_key=key)  # doctest: +SKIP
>>> ingest_files(warehouse, source, files)  # doctest: +SKIP

``load_mapping`` takes a shipped mapping's name or a file's path; ``compile_mapping`` turns a
mapping and one file's header into the ``CsvSource`` the pipeline runs. docs/ingest.md
documents the format and walks through writing one.
"""

from beatwise.ingest.mappings.compile import compile_mapping
from beatwise.ingest.mappings.loading import (
    MappingError,
    load_mapping,
    parse_mapping,
    shipped_mappings,
)
from beatwise.ingest.mappings.model import Mapping
from beatwise.ingest.mappings.source import MappingSource

__all__ = [
    "Mapping",
    "MappingError",
    "MappingSource",
    "compile_mapping",
    "load_mapping",
    "parse_mapping",
    "shipped_mappings",
]
