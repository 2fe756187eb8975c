"""A mapping as a pipeline source: compiled per file, with what its SQL needs on the connection.

A mapping's SQL depends on each file's header (alternative column names, optional columns), so
the pipeline (its ``FileSource`` protocol) asks :meth:`MappingSource.for_file` for each file's
``CsvSource`` once it has read the header. The same call prepares the pipeline's DuckDB
connection: it defines ``pseudonym()`` under the deployment's key when the mapping
pseudonymises identifiers, and loads DuckDB spatial when it reprojects x/y coordinates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from beatwise.ingest.errors import BadInputError
from beatwise.ingest.mappings.compile import compile_mapping
from beatwise.ingest.mappings.model import Mapping
from beatwise.ingest.sources.base import CsvSource
from beatwise.privacy import PseudonymKeyError, pseudonym_key, register_pseudonym_function


@dataclass(frozen=True)
class MappingSource:
    """The ``mapping`` (or ``counts``) source of ``beatwise ingest``, for one mapping.

    Parameters
    ----------
    mapping
        The loaded mapping (:func:`beatwise.ingest.mappings.load_mapping`).
    pseudonym_key
        The deployment's key (setting ``pseudonym_key``). Required, and checked here, before
        any file is read, when the mapping pseudonymises identifiers.
    """

    mapping: Mapping
    pseudonym_key: str | None = None

    def __post_init__(self) -> None:
        if self.pseudonymises:
            try:
                pseudonym_key(self.pseudonym_key)
            except PseudonymKeyError as exc:
                raise BadInputError(
                    self.mapping.name,
                    "the mapping pseudonymises identifiers (" + ", ".join(self.keyed) + ")",
                    str(exc),
                ) from None

    @property
    def name(self) -> str:
        """The source name the rows carry (``mapping:<name>`` unless the mapping says)."""
        return self.mapping.source_name

    @property
    def table(self) -> str:
        """The canonical table written."""
        return self.mapping.table

    @property
    def version(self) -> str:
        """The mapping's ``version``, recorded with each import (the name is in ``name``)."""
        return self.mapping.version

    @property
    def keyed(self) -> list[str]:
        """The canonical columns read through ``pseudonymise``."""
        return [
            name
            for name, spec in self.mapping.columns.items()
            if spec.pseudonymise or any(p.pseudonymise for p in spec.first_of or ())
        ]

    @property
    def pseudonymises(self) -> bool:
        """Whether the SQL calls ``pseudonym()``."""
        return bool(self.keyed)

    @property
    def reprojects(self) -> bool:
        """Whether the SQL calls DuckDB spatial's ``ST_Transform``."""
        return any(c.kind == "xy" for c in self.mapping.coordinates)

    def for_file(
        self, con: duckdb.DuckDBPyConnection, path: Path, header: Sequence[str]
    ) -> CsvSource:
        """The source for ``path``, whose columns are ``header``; prepares ``con`` for it."""
        source = compile_mapping(self.mapping, header, path=path)
        self.prepare(con)
        return source

    def prepare(self, con: duckdb.DuckDBPyConnection) -> None:
        """Define on ``con`` what the compiled SQL calls (idempotent)."""
        if self.pseudonymises:
            register_pseudonym_function(con, self.pseudonym_key)
        if self.reprojects:
            load_spatial(con)


def load_spatial(con: duckdb.DuckDBPyConnection) -> None:
    """Load DuckDB spatial from its PyPI package (never downloaded at run time)."""
    import duckdb_extensions

    duckdb_extensions.import_extension("spatial", con=con)
    con.execute("LOAD spatial")
