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
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from queue import Full, Queue
from tempfile import TemporaryDirectory
from threading import Event, Thread
from typing import Any, Protocol

import duckdb
import pyarrow as pa

from beatwise import __version__
from beatwise.datamodel import table_spec
from beatwise.ingest.areas import AreaAssignment, assign_areas
from beatwise.ingest.csv_lines import QUOTING, CsvFile, prepare
from beatwise.ingest.errors import BadInputError
from beatwise.ingest.sources.base import CsvSource, sql_string
from beatwise.ingest.staging import Staged, split_rejects, stage_rows
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
        with connect(scratch_dir) as con, TemporaryDirectory(dir=scratch_dir) as folder:
            per_file, staged = _read_files(con, source, paths, Path(folder), stage)
            rows_read, rejects = split_rejects(con, per_file, staged, ingest_id)
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


def _read_files(
    con: duckdb.DuckDBPyConnection,
    source: FileSource,
    paths: list[Path],
    folder: Path,
    stage: Stage,
) -> tuple[list[CsvSource], Staged]:
    """Check every file, then read them all into ``staged``.

    A file that DuckDB would refuse (mixed line ends) or number wrongly (empty lines) as it is
    is read from a copy written in ``folder`` (see :mod:`beatwise.ingest.csv_lines`); rejects,
    rows and provenance still name the file as given, with its own line numbers.
    """
    files = [prepare(path, folder / f"{index}.csv") for index, path in enumerate(paths)]
    files = [_with_dialect(con, file) for file in files]
    per_file = [_file_source(con, source, file) for file in files]
    stage("reading and validating")
    return per_file, stage_rows(con, per_file, files)


def _with_dialect(con: duckdb.DuckDBPyConnection, file: CsvFile) -> CsvFile:
    """``file`` read with RFC 4180 quoting stated, unless the sniffed dialect splits the header
    into more columns (or the stated one cannot read it at all).

    An unbalanced quote early in a file can defeat the stated dialect (no delimiter fits, or the
    header comes out as one column); the sniffer then finds the dialect that reads the file, and
    the bad line becomes a reject."""
    try:
        stated = read_header(con, file.read_path, f", store_rejects = true, {QUOTING}")
    except BadInputError:
        return replace(file, stated_quotes=False)
    try:
        sniffed = read_header(con, file.read_path, ", store_rejects = true")
    except BadInputError:
        return file
    return file if len(stated) >= len(sniffed) else replace(file, stated_quotes=False)


def _file_source(con: duckdb.DuckDBPyConnection, source: FileSource, file: CsvFile) -> CsvSource:
    """The adapter for ``file``, after refusing a file that cannot be the export it claims."""
    # Sniff as the rows will be read: with store_rejects a ragged first row cannot mislead the
    # sniffer into a one-column header.
    quoting = f", {QUOTING}" if file.stated_quotes else ""
    try:
        header = read_header(con, file.read_path, f", store_rejects = true{quoting}")
    except BadInputError as exc:
        raise replace(exc, path=file.path) from None
    adapter = source.for_file(con, file.path, header)
    missing = [c for c in adapter.required_columns if c not in header]
    if missing:
        raise BadInputError(
            file.path,
            f"missing column(s) {', '.join(missing)} for source {source.name!r}; "
            f"the file has {', '.join(header[:12])}{' ...' if len(header) > 12 else ''}",
            f"export the {adapter.title} with these columns (comma-separated, UTF-8), "
            "or describe your export in a mapping file (docs/ingest.md)",
            line=file.first_line,
        )
    return adapter


def _canonical_rows(
    con: duckdb.DuckDBPyConnection, source: CsvSource, staged: Staged, ingest_id: str
) -> pa.RecordBatchReader:
    """The good rows as canonical records, identity columns first, streamed in batches.

    A row's ordinal among identical good rows (or, with a natural id, whether it is the last
    occurrence: later lines of an export supersede earlier ones) comes from a narrow window over
    ``(rowid, key)`` only, put back beside the wide rows with a POSITIONAL JOIN, so that the wide
    rows are never sorted. ``rowid`` order is (file, line) order (see :class:`Staged`).
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
        f"SELECT {', '.join(columns)} FROM {staged.table_sql('s')} "
        f"POSITIONAL JOIN ({ordinals}) AS o WHERE {filters} AND {keep}"
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
