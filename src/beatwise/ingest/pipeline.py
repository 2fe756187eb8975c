"""The one ingestion path every source goes through.

1. Refuse bad files before anything is written (missing file, unreadable, missing columns).
2. Read every file with DuckDB as text, number each record by its line, project it onto the
   canonical columns with the adapter's SQL, and split off the rows that fail a check.
3. Give each row its identity: the source's own id, or one derived from its content.
4. MERGE the good rows into the target table as one Delta commit, then append the rejects and
   the provenance row. A crash before the MERGE commits leaves the previous version; a crash
   after it leaves the rows in place, and a re-run updates them to the same state.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from queue import Full, Queue
from threading import Event, Thread
from typing import Any, Protocol

import duckdb
import pyarrow as pa

from beatwise import __version__
from beatwise.datamodel import table_spec
from beatwise.ingest.areas import AreaAssignment, assign_areas
from beatwise.ingest.errors import BadInputError
from beatwise.ingest.sources.base import CsvSource, sql_string
from beatwise.warehouse import Warehouse

Stage = Callable[[str], None]
Progress = Callable[[int, int], None]
"""Called with (rows written so far, rows to write) while the Delta writer works."""


class FileSource(Protocol):
    """What the pipeline imports from: a built-in :class:`CsvSource` or a mapping file.

    ``for_file`` returns the :class:`CsvSource` for one file, given its header (a mapping's SQL
    depends on which of its alternative columns a file has), and prepares the pipeline's DuckDB
    connection for that SQL (functions such as ``pseudonym()``, extensions). A built-in
    adapter returns itself.
    """

    @property
    def name(self) -> str: ...

    @property
    def table(self) -> str: ...

    @property
    def version(self) -> str: ...

    def for_file(
        self, con: duckdb.DuckDBPyConnection, path: Path, header: Sequence[str]
    ) -> CsvSource: ...


BATCH_ROWS = 262_144
"""Rows per Arrow batch handed to the Delta writer."""


@dataclass(frozen=True)
class IngestResult:
    """What one import did, as recorded in the ``ingests`` table."""

    ingest_id: str
    source: str
    table: str
    files: tuple[str, ...]
    rows_read: int
    rows_inserted: int
    rows_updated: int
    rows_unchanged: int
    rows_rejected: int
    rejects_by_reason: tuple[tuple[str, int], ...]
    version: int
    seconds: float
    source_version: str = "1"
    areas: AreaAssignment | None = None

    @property
    def rows_written(self) -> int:
        """Rows inserted plus rows updated."""
        return self.rows_inserted + self.rows_updated

    @property
    def rows_accepted(self) -> int:
        """Rows read that passed every check (later duplicates of an id included)."""
        return self.rows_read - self.rows_rejected

    def summary(self) -> dict[str, object]:
        """The import as JSON-ready data (``beatwise ingest --json``)."""
        summary: dict[str, object] = {
            "ingest_id": self.ingest_id,
            "source": self.source,
            "source_version": self.source_version,
            "table": self.table,
            "files": list(self.files),
            "rows_read": self.rows_read,
            "accepted": self.rows_accepted,
            "inserted": self.rows_inserted,
            "updated": self.rows_updated,
            "unchanged": self.rows_unchanged,
            "rejected": self.rows_rejected,
            "rejects_by_reason": dict(self.rejects_by_reason),
            "version": self.version,
            "seconds": round(self.seconds, 3),
        }
        if self.areas is not None:
            summary["areas"] = {
                layer.layer: {
                    "located": layer.located,
                    "assigned": layer.assigned,
                    "match_rate": layer.match_rate,
                }
                for layer in self.areas.layers
            }
        return summary


def ingest_files(
    warehouse: Warehouse,
    source: FileSource,
    files: Sequence[Path],
    *,
    scratch_dir: Path | None = None,
    on_stage: Stage | None = None,
    on_progress: Progress | None = None,
) -> IngestResult:
    """Import ``files`` (one export, possibly split) from ``source`` into the warehouse.

    Every data row read ends up either accepted (inserted, updated, unchanged, or superseded by
    a later line with the same id) or in ``rejects``, never both and never neither.
    """
    stage = on_stage or (lambda _: None)
    clock = time.perf_counter()
    started = datetime.now(UTC)
    ingest_id = started.strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]
    paths = [Path(f) for f in files]
    stage("checking files")
    with ThreadPoolExecutor(max_workers=1) as pool:
        digests = pool.submit(lambda: [sha256_file(p) for p in paths])
        with connect(scratch_dir) as con:
            per_file = [_file_source(con, source, path) for path in paths]
            stage("reading and validating")
            staged = _stage_rows(con, per_file, paths)
            rows_read, rejects = _split_rejects(con, per_file, staged, ingest_id)
            rejected = len({(r["source_file"], r["source_line"]) for r in rejects.to_pylist()})
            stage(f"writing {rows_read - rejected:,} rows to {source.table}")
            counted = _CountedRows(on_progress, rows_read - rejected)
            rows = counted.wrap(_canonical_rows(con, per_file[0], staged, ingest_id))
            written = warehouse.upsert(source.table, rows)
        file_sha256 = digests.result()
    if rejects.num_rows:
        stage(f"recording {rejected:,} rejected rows")
        warehouse.append("rejects", rejects)
    areas = None
    if {"lat", "lon"} <= set(table_spec(source.table).schema.names):
        areas = assign_areas(warehouse, source.table, ingest_id=ingest_id, on_stage=stage)
    result = IngestResult(
        ingest_id=ingest_id,
        source=source.name,
        table=source.table,
        files=tuple(str(p) for p in paths),
        rows_read=rows_read,
        rows_inserted=written.rows_inserted,
        rows_updated=written.rows_updated,
        rows_unchanged=counted.rows - written.rows_inserted - written.rows_updated,
        rows_rejected=rejected,
        rejects_by_reason=reasons_of(rejects),
        version=written.version,
        seconds=time.perf_counter() - clock,
        source_version=source.version,
        areas=areas,
    )
    provenance = provenance_row(result, per_file[0].agency, file_sha256, started)
    warehouse.append("ingests", provenance)
    return result


class _CountedRows:
    """Counts the canonical rows the writer consumes and reports progress as it goes."""

    def __init__(self, on_progress: Progress | None, expected: int) -> None:
        self.rows = 0
        self._on_progress = on_progress
        self._expected = expected

    def wrap(self, reader: pa.RecordBatchReader) -> pa.RecordBatchReader:
        """``reader``, counting (and reporting) every batch read from it."""

        def batches() -> Iterator[pa.RecordBatch]:
            for batch in reader:
                self.rows += batch.num_rows
                if self._on_progress is not None:
                    self._on_progress(self.rows, self._expected)
                yield batch

        return pa.RecordBatchReader.from_batches(reader.schema, batches())


def connect(scratch_dir: Path | None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection for an import: UTC, no progress bar, spilling to ``scratch_dir``."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    # The CLI draws its own progress; DuckDB's bar would write over it (and costs time).
    con.execute("SET enable_progress_bar = false")
    if scratch_dir is not None:
        scratch_dir.mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = {sql_string(str(scratch_dir))}")
    return con


def _read_csv(path: Path) -> str:
    """Read every column as text; rows DuckDB cannot split into the header's columns are set
    aside in ``reject_errors`` (with their line) instead of failing the whole import."""
    return (
        f"read_csv({sql_string(str(path))}, header = true, all_varchar = true, "
        "store_rejects = true)"
    )


def read_header(con: duckdb.DuckDBPyConnection, path: Path, options: str = "") -> list[str]:
    """The column names of ``path``; a missing, empty or unreadable file is refused."""
    if not path.is_file():
        raise BadInputError(path, "no such file", "check the path and try again")
    if path.stat().st_size == 0:
        raise BadInputError(path, "the file is empty", "export the data again, with a header row")
    reader = f"read_csv({sql_string(str(path))}, header = true, all_varchar = true{options})"
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()
    except duckdb.Error as exc:
        raise BadInputError(
            path, f"cannot be read as CSV ({exc})", "export the data as UTF-8 CSV with a header"
        ) from None
    return [str(row[0]) for row in described]


def _file_source(con: duckdb.DuckDBPyConnection, source: FileSource, path: Path) -> CsvSource:
    """The adapter for ``path``, after refusing a file that cannot be the export it claims."""
    # Sniff as the rows will be read: with store_rejects a ragged first row cannot mislead the
    # sniffer into a one-column header.
    header = read_header(con, path, ", store_rejects = true")
    adapter = source.for_file(con, path, header)
    missing = [c for c in adapter.required_columns if c not in header]
    if missing:
        raise BadInputError(
            path,
            f"missing column(s) {', '.join(missing)} for source {source.name!r}; "
            f"the file has {', '.join(header[:12])}{' ...' if len(header) > 12 else ''}",
            f"export the {adapter.title} with these columns (comma-separated, UTF-8), "
            "or describe your export in a mapping file (docs/ingest.md)",
            line=1,
        )
    return adapter


@dataclass(frozen=True)
class _Staged:
    """Where each file's rows sit in the ``staged`` temp table.

    The files are inserted one after the other and DuckDB keeps insertion order (the default
    ``preserve_insertion_order``), so a row's ``rowid`` orders it by (file, line) and its line is
    ``rowid - first_rowid + 2`` (line 1 is the header). Nothing per-row but the file's index is
    stored for this: the file name and the line are computed when a query needs them.

    Lines DuckDB could not split into the header's columns are not in ``staged`` but in the
    ``skipped`` temp table; when there are any (``has_skipped``), a row's line also counts the
    skipped lines before it. A skipped line ``i`` (1-based within its file) at line ``r``
    follows ``r - i - 1`` staged rows, so staged row ``k`` sits at line
    ``k + 1 + #{skipped i : r_i - i <= k}``. (Lines count records: a quoted field spanning
    several physical lines counts once.)
    """

    paths: tuple[Path, ...]
    first_rowids: tuple[int, ...]
    has_skipped: bool = False

    def file_sql(self, rows: str) -> str:
        """SQL for the source file's name of a row of ``staged`` aliased ``rows``."""
        whens = " ".join(f"WHEN {i} THEN {sql_string(str(p))}" for i, p in enumerate(self.paths))
        return f"CASE {rows}._file_index {whens} END"

    def line_sql(self, rows: str) -> str:
        """SQL for the source line (BIGINT) of a row of ``staged`` aliased ``rows``."""
        whens = " ".join(f"WHEN {i} THEN {2 - first}" for i, first in enumerate(self.first_rowids))
        line = f"({rows}.rowid + CASE {rows}._file_index {whens} END)"
        if not self.has_skipped:
            return line
        return (
            f"({line} + (SELECT count(*) FROM skipped AS k WHERE k.file_index = "
            f"{rows}._file_index AND k.good_before <= {line} - 1))"
        )


def _file_rows(source: CsvSource, path: Path, index: int) -> str:
    """The query projecting one file's raw rows onto canonical columns, identity and checks."""
    shown = "".join(f', "{c.column}" AS _value_{i}' for i, c in enumerate(source.checks))
    content = ", ".join(f'"{c}"' for c in source.content_columns)
    identity = (
        f"{source.natural_id} AS _natural_id"
        if source.natural_id
        else f"md5(concat_ws('|', {content})) AS _content"
    )
    if source.agency_sql:
        identity += f", {source.agency_sql} AS _agency"
    projected = (
        f"SELECT {source.projection}, {index} AS _file_index, {identity}{shown} "
        f"FROM {_read_csv(path)}"
    )
    flags = "".join(
        f", coalesce({c.bad_when}, true) AS _bad_{i}" for i, c in enumerate(source.checks)
    )
    flagged = f"SELECT *{flags} FROM ({projected})"
    if not source.checks:
        return flagged
    # Keep a checked column's raw value only where the check failed: the rejects need it, and
    # storing it for every good row would only cost memory and time.
    kept = ", ".join(
        f"CASE WHEN _bad_{i} THEN _value_{i} END AS _value_{i}" for i in range(len(source.checks))
    )
    return f"SELECT * REPLACE ({kept}) FROM ({flagged})"


def _stage_rows(
    con: duckdb.DuckDBPyConnection, sources: list[CsvSource], paths: list[Path]
) -> _Staged:
    """Read, project and check every file into the ``staged`` temp table, in file order."""
    try:
        for index, (source, path) in enumerate(zip(sources, paths, strict=True)):
            rows = _file_rows(source, path, index)
            into = "CREATE TEMP TABLE staged AS " if index == 0 else "INSERT INTO staged BY NAME "
            con.execute(into + rows)
        found = dict(
            con.execute("SELECT _file_index, min(rowid) FROM staged GROUP BY ALL").fetchall()
        )
        skipped = _collect_skipped(con, paths)
    except duckdb.Error as exc:
        raise BadInputError(
            ", ".join(str(p) for p in paths),
            f"could not be read ({exc})",
            "repair the line the message names and re-run; nothing was written",
        ) from None
    first = tuple(int(found.get(i, 0)) for i in range(len(paths)))
    return _Staged(tuple(paths), first, has_skipped=skipped > 0)


def _collect_skipped(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> int:
    """Gather the lines DuckDB set aside (one per line, first error) into ``skipped``."""
    index = " ".join(f"WHEN {sql_string(str(p))} THEN {i}" for i, p in enumerate(paths))
    con.execute(
        "CREATE TEMP TABLE skipped AS SELECT *, "
        "line - row_number() OVER (PARTITION BY file_index ORDER BY line) AS good_before FROM ("
        f"SELECT CASE s.file_path {index} END AS file_index, e.line, e.column_name, "
        "e.error_type, e.csv_line FROM reject_errors AS e JOIN reject_scans AS s "
        "USING (scan_id, file_id) "
        "QUALIFY row_number() OVER (PARTITION BY s.file_path, e.line ORDER BY e.column_idx) = 1)"
    )
    (count,) = con.execute("SELECT count(*) FROM skipped").fetchone() or (0,)
    return int(count)


def _split_rejects(
    con: duckdb.DuckDBPyConnection, per_file: list[CsvSource], staged: _Staged, ingest_id: str
) -> tuple[int, pa.Table]:
    """Rows read (staged plus skipped) and the rejects: failed checks and unsplittable lines."""
    source = per_file[0]
    (rows_read,) = con.execute(
        "SELECT (SELECT count(*) FROM staged) + (SELECT count(*) FROM skipped)"
    ).fetchone() or (0,)
    head = f"SELECT {sql_string(ingest_id)} AS ingest_id, {sql_string(source.name)} AS source, "
    parts = [
        head + f"{staged.file_sql('s')} AS source_file, {staged.line_sql('s')} AS source_line, "
        f'{_checked_column(per_file, i)} AS "column", _value_{i} AS value, '
        f"{sql_string(check.reason)} AS reason FROM staged AS s WHERE _bad_{i}"
        for i, check in enumerate(source.checks)
    ]
    if staged.has_skipped:
        files = " ".join(f"WHEN {i} THEN {sql_string(str(p))}" for i, p in enumerate(staged.paths))
        parts.append(
            head + f"CASE file_index {files} END AS source_file, line AS source_line, "
            "coalesce(column_name, '(line)') AS \"column\", left(csv_line, 200) AS value, "
            "'malformed line: ' || lower(error_type) || "
            "' (the line does not split into the header''s columns)' AS reason FROM skipped"
        )
    schema = table_spec("rejects").schema
    if not parts:
        return int(rows_read), schema.empty_table()
    rejects = con.execute(" UNION ALL ".join(parts) + " ORDER BY source_file, source_line")
    return int(rows_read), rejects.to_arrow_table().cast(schema)


def _checked_column(per_file: list[CsvSource], i: int) -> str:
    """SQL for the raw column check ``i`` names: a mapping's may differ from file to file."""
    names = [source.checks[i].column for source in per_file]
    if len(set(names)) == 1:
        return sql_string(names[0])
    whens = " ".join(f"WHEN {k} THEN {sql_string(n)}" for k, n in enumerate(names))
    return f"CASE s._file_index {whens} END"


def _canonical_rows(
    con: duckdb.DuckDBPyConnection, source: CsvSource, staged: _Staged, ingest_id: str
) -> pa.RecordBatchReader:
    """The good rows as canonical records, identity columns first, streamed in batches.

    A row's ordinal among identical good rows (or, with a natural id, whether it is the last
    occurrence: later lines of an export supersede earlier ones) comes from a narrow window over
    ``(rowid, key)`` only, put back beside the wide rows with a POSITIONAL JOIN, so that the wide
    rows are never sorted. ``rowid`` order is (file, line) order (see :class:`_Staged`).
    """
    good = " AND ".join(f"NOT _bad_{i}" for i in range(len(source.checks))) or "true"
    if source.natural_id:
        number = f"row_number() OVER (PARTITION BY ({good}), _natural_id ORDER BY rowid DESC)"
        keep, record = "o._n = 1", "s._natural_id"
    else:
        number = f"row_number() OVER (PARTITION BY ({good}), _content ORDER BY rowid)"
        keep, record = "true", "s._content || '-' || o._n"
    ordinals = f"SELECT _n FROM (SELECT rowid AS _r, {number} AS _n FROM staged) ORDER BY _r"
    identity = {
        "record_id": f"md5({sql_string(source.name + '|')} || {record})",
        "source": sql_string(source.name),
        "source_record_id": record,
        "agency": "s._agency" if source.agency_sql else sql_string(source.agency),
        "ingest_id": sql_string(ingest_id),
        "source_file": staged.file_sql("s"),
        "source_line": staged.line_sql("s"),
    }
    spec = table_spec(source.table)
    staged_columns = {row[0] for row in con.execute("DESCRIBE staged").fetchall()}
    columns = [
        f'{identity.get(field.name) or _staged_or_null(field, staged_columns)} AS "{field.name}"'
        for field in spec.schema
    ]
    filters = " AND ".join(f"NOT s._bad_{i}" for i in range(len(source.checks))) or "true"
    query = (
        f"SELECT {', '.join(columns)} FROM staged AS s POSITIONAL JOIN ({ordinals}) AS o "
        f"WHERE {filters} AND {keep}"
    )
    return _prefetched(con.execute(query).to_arrow_reader(batch_size=BATCH_ROWS))


_DUCKDB_TYPES = {
    pa.string(): "VARCHAR",
    pa.bool_(): "BOOLEAN",
    pa.float64(): "DOUBLE",
    pa.int64(): "BIGINT",
    pa.int32(): "INTEGER",
    pa.int16(): "SMALLINT",
    pa.int8(): "TINYINT",
    pa.date32(): "DATE",
    pa.binary(): "BLOB",
    pa.list_(pa.string()): "VARCHAR[]",
}


def _staged_or_null(field: pa.Field[Any], staged_columns: set[str]) -> str:
    """The projected column, or a typed NULL when the adapter does not have it.

    Adapters list only the canonical columns their export can fill; the rest are NULL here,
    so no adapter has to spell out ``CAST(NULL AS ...)`` for every column it lacks.
    """
    if field.name in staged_columns:
        return f's."{field.name}"'
    sql_type = "TIMESTAMPTZ" if pa.types.is_timestamp(field.type) else _DUCKDB_TYPES[field.type]
    return f"CAST(NULL AS {sql_type})"


def _prefetched(reader: pa.RecordBatchReader, depth: int = 4) -> pa.RecordBatchReader:
    """``reader``, with a thread converting DuckDB's next batches while the writer encodes.

    DuckDB turns its result into Arrow in the thread that asks for a batch, and the Delta
    writer encodes Parquet in one thread; on their own the two take turns. A bounded queue of
    ``depth`` batches lets them overlap without holding more than a few batches in memory. An
    error in the producer is raised to the consumer; a consumer that stops early stops it.
    """
    queue: Queue[pa.RecordBatch | BaseException | None] = Queue(maxsize=depth)
    stop = Event()

    def put(item: pa.RecordBatch | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in reader:
                if not put(batch):
                    return
            put(None)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(exc)

    def consume() -> Iterator[pa.RecordBatch]:
        thread = Thread(target=produce, name="beatwise-ingest-prefetch", daemon=True)
        thread.start()
        try:
            while (item := queue.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            thread.join()

    return pa.RecordBatchReader.from_batches(reader.schema, consume())


def reasons_of(rejects: pa.Table) -> tuple[tuple[str, int], ...]:
    """Reject counts by reason, most frequent first (the import summary's top reasons)."""
    reasons: Counter[str] = Counter(str(r) for r in rejects.column("reason").to_pylist())
    return tuple(reasons.most_common())


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 4 MiB chunks (recorded in ``ingests`` for provenance)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def provenance_row(
    result: IngestResult,
    agency: str,
    file_sha256: list[str],
    started: datetime,
    notes: str | None = None,
) -> pa.Table:
    """The ``ingests`` row recording ``result``: files and their sha256, counts, versions."""
    row: dict[str, str | int | datetime | list[str] | None] = {
        "ingest_id": result.ingest_id,
        "source": result.source,
        "source_version": result.source_version,
        "agency": agency,
        "target_table": result.table,
        "files": list(result.files),
        "file_sha256": file_sha256,
        "rows_read": result.rows_read,
        "rows_written": result.rows_written,
        "rows_rejected": result.rows_rejected,
        "target_version": result.version,
        "started_at": started,
        "finished_at": datetime.now(UTC),
        "beatwise_version": __version__,
        "notes": notes,
    }
    # One row built by DuckDB from SQL literals rather than with pa.Table.from_pylist (or query
    # parameters): converting Python objects imports pandas, about 0.9 s, which was a third of
    # a demo-city import in a fresh process.
    schema = table_spec("ingests").schema
    select = ", ".join(f'{_sql_literal(row[name])} AS "{name}"' for name in schema.names)
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(f"SELECT {select}").to_arrow_table().cast(schema)


def _sql_literal(value: str | int | datetime | list[str] | None) -> str:
    """``value`` as a DuckDB literal (text, integer, UTC timestamp, text list or NULL)."""
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return sql_string(value)
    if isinstance(value, datetime):
        return f"TIMESTAMPTZ {sql_string(value.astimezone(UTC).isoformat())}"
    if isinstance(value, list):
        return "[" + ", ".join(sql_string(v) for v in value) + "]::VARCHAR[]"
    return str(int(value))
