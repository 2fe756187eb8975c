"""Delta Lake tables under ``$BEATWISE_HOME/warehouse``: creation, upserts, versions.

Why Delta: every write is one atomic commit to ``_delta_log``. A process killed while writing
leaves only orphan Parquet files that no commit references, so readers keep seeing the previous
version and a re-run completes the work. MERGE on the natural key makes a re-import update rows
instead of duplicating them, and old versions stay readable for exact re-runs of a report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from deltalake import (
    ColumnProperties,
    CommitProperties,
    DeltaTable,
    WriterProperties,
    write_deltalake,
)
from deltalake.exceptions import CommitFailedError, TableNotFoundError
from deltalake.schema import Field as DeltaField

from beatwise.datamodel import TABLES, table_spec

UNIQUE_ID_COLUMNS = ("record_id", "source_record_id")
"""Columns holding a different hash on (nearly) every row: written without a dictionary."""


@dataclass(frozen=True)
class WriteResult:
    """What one write did: the new table version and the rows it inserted and updated."""

    table: str
    version: int
    rows_inserted: int
    rows_updated: int


@dataclass(frozen=True)
class TableStatus:
    """A table's current version and row count (``version`` is None until it exists)."""

    name: str
    version: int | None
    rows: int


class Warehouse:
    """The Delta tables of one Beatwise home, addressed by canonical table name."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, table: str) -> Path:
        """Folder of ``table``'s Delta log and data files."""
        table_spec(table)
        return self.root / table

    def ensure_tables(self) -> None:
        """Create every canonical table that does not exist yet, empty, at version 0, and add
        the columns a newer data model gave an existing table (see :func:`_add_new_columns`)."""
        for name, spec in TABLES.items():
            delta = self._open(name)
            if delta is None:
                DeltaTable.create(self.path(name), spec.schema, mode="ignore", name=name)
            else:
                _add_new_columns(delta, spec.schema, self.path(name))

    def version(self, table: str) -> int | None:
        """The latest committed version of ``table``, or None if it was never created."""
        delta = self._open(table)
        return None if delta is None else delta.version()

    def status(self, table: str) -> TableStatus:
        """Version and exact row count of ``table`` (counts come from file statistics)."""
        delta = self._open(table)
        if delta is None:
            return TableStatus(table, None, 0)
        return TableStatus(table, delta.version(), _row_count(delta))

    def statuses(self) -> list[TableStatus]:
        """The status of every canonical table, in the data model's order."""
        return [self.status(name) for name in TABLES]

    def files(self, table: str, version: int | None = None) -> list[str]:
        """URIs of the Parquet files that make up ``table`` at ``version`` (default: latest)."""
        delta = self._require(table)
        if version is not None:
            delta.load_as_version(version)
        return list(delta.file_uris())

    def to_arrow(self, table: str) -> pa.Table:
        """The whole of ``table`` at its latest version (for small tables such as ``ingests``)."""
        self.ensure_tables()
        return self._require(table).to_pyarrow_table()

    def upsert(self, table: str, rows: pa.RecordBatchReader | pa.Table) -> WriteResult:
        """MERGE ``rows`` into ``table`` on its natural key, as one commit.

        Matched rows are replaced when any of their content differs and left alone otherwise, so
        a re-import of the same export writes nothing and makes no new version; new rows are
        inserted; rows absent from ``rows`` stay. Provenance columns (``ingest_id``,
        ``source_file``, ``source_line``) do not count as content: a row keeps the import that
        last changed it. The caller guarantees that ``rows`` holds each key at most once.

        When the table holds no data files, nothing can match, so the MERGE would insert every
        row: the rows are appended instead, which gives the same table and the same counts in
        one commit without the MERGE's join. It stays correct when two writers race: the append
        commits against the very snapshot found empty, with no commit retries, so it lands only
        as the next version after that snapshot. If another writer committed first (say a
        concurrent import of the same export), the append fails with ``CommitFailedError``
        instead of adding a second copy of the rows; its Parquet files stay unreferenced, the
        table keeps the other writer's version, and a re-run takes the MERGE path.
        """
        spec = table_spec(table)
        self.ensure_tables()
        delta = self._require(table)
        if not delta.file_uris():
            return self._append_to_empty(delta, table, rows)
        predicate = " AND ".join(f"t.{col} = s.{col}" for col in spec.key)
        metrics = (
            delta.merge(
                _conform(rows, spec.schema),
                predicate=predicate,
                source_alias="s",
                target_alias="t",
                writer_properties=_writer_properties(spec.schema),
            )
            .when_matched_update_all(predicate=_changed(spec.schema, spec.key))
            .when_not_matched_insert_all()
            .execute()
        )
        return WriteResult(
            table=table,
            version=self._require(table).version(),
            rows_inserted=int(metrics.get("num_target_rows_inserted", 0)),
            rows_updated=int(metrics.get("num_target_rows_updated", 0)),
        )

    def _append_to_empty(
        self, delta: DeltaTable, table: str, rows: pa.RecordBatchReader | pa.Table
    ) -> WriteResult:
        """Append ``rows`` to ``delta`` (an empty snapshot of ``table``) as its next version."""
        counted = _Counted(_conform(rows, table_spec(table).schema))
        try:
            write_deltalake(
                delta,
                counted.reader(),
                mode="append",
                writer_properties=_writer_properties(table_spec(table).schema),
                commit_properties=CommitProperties(max_commit_retries=0),
            )
        except CommitFailedError as exc:
            raise CommitFailedError(
                f"another writer committed to {table!r} (version {delta.version()} was empty) "
                "while these rows were being written; nothing of this write was committed. "
                f"Re-run the import to merge into the new version ({exc})"
            ) from exc
        return WriteResult(table, self._require(table).version(), counted.rows, 0)

    def append(self, table: str, rows: pa.Table) -> WriteResult:
        """Append ``rows`` to ``table`` as one commit (for logs such as ``ingests``)."""
        spec = table_spec(table)
        self.ensure_tables()
        write_deltalake(self.path(table), _conform(rows, spec.schema), mode="append")
        return WriteResult(table, self._require(table).version(), rows.num_rows, 0)

    def _open(self, table: str) -> DeltaTable | None:
        try:
            return DeltaTable(self.path(table))
        except TableNotFoundError:
            return None

    def _require(self, table: str) -> DeltaTable:
        delta = self._open(table)
        if delta is None:
            raise FileNotFoundError(
                f"warehouse table {table!r} does not exist under {self.root}; "
                "run 'beatwise db upgrade' or an import first"
            )
        return delta


def _add_new_columns(delta: DeltaTable, schema: pa.Schema, path: Path) -> None:
    """Add to ``delta`` the columns of ``schema`` it lacks, as one commit (schema evolution).

    A warehouse made by an older Beatwise keeps its rows: a new nullable column is NULL for them
    until the next import of their source fills it (``incidents.occurred_date`` came this way).
    A new column that may not be NULL cannot be added to existing rows; the error says how to
    rebuild the table.
    """
    present = set(delta.schema().to_arrow().names)
    missing = [f for f in schema if f.name not in present]
    if not missing:
        return
    required = [f.name for f in missing if not f.nullable]
    if required:
        raise RuntimeError(
            f"the warehouse table at {path} lacks the required column(s) {', '.join(required)} "
            "of this Beatwise version; move the folder aside and import its sources again"
        )
    delta.alter.add_columns([DeltaField.from_arrow(f) for f in missing])


PROVENANCE_COLUMNS = frozenset({"ingest_id", "source_file", "source_line"})


def _changed(schema: pa.Schema, key: tuple[str, ...]) -> str:
    """MERGE condition: some content column of the target row differs from the source row."""
    content = [n for n in schema.names if n not in PROVENANCE_COLUMNS and n not in key]
    return " OR ".join(f'(t."{n}" IS DISTINCT FROM s."{n}")' for n in content) or "false"


def _writer_properties(schema: pa.Schema) -> WriterProperties:
    """Parquet settings for bulk writes: no dictionary for the id columns.

    Ids are unique hashes, so a dictionary never pays: the writer fills one, overflows and falls
    back to plain encoding for every page, which made it the costliest part of a write (10M rows:
    8.3 s with dictionaries, 5.9 s without; the files are about 15% larger). Statistics stay on,
    for file skipping. Snappy compression, the writer's default.
    """
    plain = ColumnProperties(dictionary_enabled=False)
    ids = [name for name in UNIQUE_ID_COLUMNS if name in schema.names]
    return WriterProperties(compression="SNAPPY", column_properties=dict.fromkeys(ids, plain))


def _row_count(delta: DeltaTable) -> int:
    actions = delta.get_add_actions(flatten=True)
    column = actions.column("num_records")
    return int(sum(value for value in column.to_pylist() if value is not None))


class _Counted:
    """A pass-through of Arrow rows that counts what the writer actually consumed."""

    def __init__(self, rows: pa.RecordBatchReader | pa.Table) -> None:
        self._rows = rows
        self.rows = 0

    def reader(self) -> pa.RecordBatchReader:
        """The rows as a reader; ``rows`` grows as batches are read."""
        if isinstance(self._rows, pa.Table):
            source = pa.RecordBatchReader.from_batches(self._rows.schema, self._rows.to_batches())
        else:
            source = self._rows

        def batches() -> Iterable[pa.RecordBatch]:
            for batch in source:
                self.rows += batch.num_rows
                yield batch

        return pa.RecordBatchReader.from_batches(source.schema, batches())


def _conform(
    rows: pa.RecordBatchReader | pa.Table, schema: pa.Schema
) -> pa.RecordBatchReader | pa.Table:
    """Cast ``rows`` to the canonical schema, column by column, in the schema's order."""
    if isinstance(rows, pa.Table):
        return rows.select(schema.names).cast(schema)

    def batches() -> Iterable[pa.RecordBatch]:
        for batch in rows:
            table = pa.Table.from_batches([batch]).select(schema.names).cast(schema)
            yield from table.to_batches()

    return pa.RecordBatchReader.from_batches(schema, batches())
