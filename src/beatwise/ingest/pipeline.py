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
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from beatwise import __version__
from beatwise.datamodel import table_spec
from beatwise.ingest.errors import BadInputError
from beatwise.ingest.sources.base import CsvSource, sql_string
from beatwise.warehouse import Warehouse

Stage = Callable[[str], None]


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
    rows_rejected: int
    version: int
    seconds: float

    @property
    def rows_written(self) -> int:
        """Rows inserted plus rows updated."""
        return self.rows_inserted + self.rows_updated


def ingest_files(
    warehouse: Warehouse,
    source: CsvSource,
    files: Sequence[Path],
    *,
    scratch_dir: Path | None = None,
    on_stage: Stage | None = None,
) -> IngestResult:
    """Import ``files`` (one export, possibly split) from ``source`` into the warehouse."""
    stage = on_stage or (lambda _: None)
    clock = time.perf_counter()
    started = datetime.now(UTC)
    ingest_id = started.strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]
    paths = [Path(f) for f in files]
    stage("checking files")
    with ThreadPoolExecutor(max_workers=1) as pool:
        digests = pool.submit(lambda: [sha256_file(p) for p in paths])
        with _connect(scratch_dir) as con:
            for path in paths:
                _check_header(con, source, path)
            stage("reading and validating")
            _stage_rows(con, source, paths)
            rows_read, rejects = _split_rejects(con, source, ingest_id)
            stage(f"merging {rows_read - rejects.num_rows:,} rows into {source.table}")
            written = warehouse.upsert(source.table, _canonical_rows(con, source, ingest_id))
        file_sha256 = digests.result()
    rejected = len({(r["source_file"], r["source_line"]) for r in rejects.to_pylist()})
    if rejects.num_rows:
        stage(f"recording {rejected:,} rejected rows")
        warehouse.append("rejects", rejects)
    result = IngestResult(
        ingest_id=ingest_id,
        source=source.name,
        table=source.table,
        files=tuple(str(p) for p in paths),
        rows_read=rows_read,
        rows_inserted=written.rows_inserted,
        rows_updated=written.rows_updated,
        rows_rejected=rejected,
        version=written.version,
        seconds=time.perf_counter() - clock,
    )
    warehouse.append("ingests", _provenance(result, source, file_sha256, started))
    return result


def _connect(scratch_dir: Path | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    if scratch_dir is not None:
        scratch_dir.mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = {sql_string(str(scratch_dir))}")
    return con


def _read_csv(path: Path) -> str:
    return f"read_csv({sql_string(str(path))}, header = true, all_varchar = true)"


def _check_header(con: duckdb.DuckDBPyConnection, source: CsvSource, path: Path) -> None:
    if not path.is_file():
        raise BadInputError(path, "no such file", "check the path and try again")
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {_read_csv(path)}").fetchall()
        columns = [row[0] for row in described]
    except duckdb.Error as exc:
        raise BadInputError(
            path, f"cannot be read as CSV ({exc})", "export the data as CSV with a header row"
        ) from None
    missing = [c for c in source.required_columns if c not in columns]
    if missing:
        raise BadInputError(
            path,
            f"missing column(s) {', '.join(missing)} for source {source.name!r}",
            f"export the {source.title} with these columns, or use a mapping file",
            line=1,
        )


def _stage_rows(con: duckdb.DuckDBPyConnection, source: CsvSource, paths: list[Path]) -> None:
    raw = " UNION ALL BY NAME ".join(
        f"SELECT *, {sql_string(str(p))} AS _file, {i} AS _file_index, "
        f"row_number() OVER () + 1 AS _line FROM {_read_csv(p)}"
        for i, p in enumerate(paths)
    )
    shown = ", ".join(f'"{c.column}" AS _value_{i}' for i, c in enumerate(source.checks))
    content = ", ".join(f'"{c}"' for c in source.content_columns)
    identity = (
        f"{source.natural_id} AS _natural_id"
        if source.natural_id
        else f"md5(concat_ws('|', {content})) AS _content"
    )
    projected = f"SELECT {source.projection}, _file, _file_index, _line, {identity}"
    projected += f", {shown}" if shown else ""
    flags = "".join(f", coalesce({c.bad_when}, true) AS _bad_{i}" for i, c in enumerate(source.checks))
    try:
        con.execute(
            f"CREATE TEMP TABLE staged AS SELECT *{flags} FROM ({projected} FROM ({raw}))"
        )
    except duckdb.Error as exc:
        raise BadInputError(
            ", ".join(str(p) for p in paths),
            f"could not be read ({exc})",
            "repair the line the message names and re-run; nothing was written",
        ) from None


def _split_rejects(
    con: duckdb.DuckDBPyConnection, source: CsvSource, ingest_id: str
) -> tuple[int, pa.Table]:
    (rows_read,) = con.execute("SELECT count(*) FROM staged").fetchone() or (0,)
    parts = [
        f"SELECT {sql_string(ingest_id)} AS ingest_id, {sql_string(source.name)} AS source, "
        f"_file AS source_file, _line AS source_line, {sql_string(check.column)} AS \"column\", "
        f"_value_{i} AS value, {sql_string(check.reason)} AS reason FROM staged WHERE _bad_{i}"
        for i, check in enumerate(source.checks)
    ]
    schema = table_spec("rejects").schema
    if not parts:
        return int(rows_read), schema.empty_table()
    rejects = con.execute(" UNION ALL ".join(parts) + " ORDER BY source_file, source_line")
    return int(rows_read), rejects.arrow().read_all().cast(schema)


def _canonical_rows(
    con: duckdb.DuckDBPyConnection, source: CsvSource, ingest_id: str
) -> pa.RecordBatchReader:
    good = " AND ".join(f"NOT _bad_{i}" for i in range(len(source.checks))) or "true"
    if source.natural_id:
        # Keep the last occurrence of an id: later lines of an export supersede earlier ones.
        ids = (
            f"SELECT *, _natural_id AS source_record_id FROM staged WHERE {good} "
            "QUALIFY row_number() OVER (PARTITION BY _natural_id "
            "ORDER BY _file_index DESC, _line DESC) = 1"
        )
    else:
        ids = (
            f"SELECT *, _content || '-' || row_number() OVER (PARTITION BY _content "
            f"ORDER BY _file_index, _line) AS source_record_id FROM staged WHERE {good}"
        )
    spec = table_spec(source.table)
    identity = {
        "record_id": f"md5({sql_string(source.name)} || '|' || source_record_id)",
        "source": sql_string(source.name),
        "source_record_id": "source_record_id",
        "agency": sql_string(source.agency),
        "ingest_id": sql_string(ingest_id),
        "source_file": "_file",
        "source_line": "_line",
    }
    columns = [identity.get(name, f'"{name}"') + f' AS "{name}"' for name in spec.schema.names]
    query = f"SELECT {', '.join(columns)} FROM ({ids})"
    return con.execute(query).to_arrow_reader(batch_size=262_144)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 4 MiB chunks (recorded in ``ingests`` for provenance)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def _provenance(
    result: IngestResult, source: CsvSource, file_sha256: list[str], started: datetime
) -> pa.Table:
    row = {
        "ingest_id": result.ingest_id,
        "source": result.source,
        "agency": source.agency,
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
        "notes": None,
    }
    return pa.Table.from_pylist([row], schema=table_spec("ingests").schema)
