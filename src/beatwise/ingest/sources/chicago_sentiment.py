"""Chicago Police Sentiment Scores (Elucd) into ``survey_scores``: one wide row → many long rows.

The City of Chicago Data Portal publishes the Chicago Police Department's *Police Sentiment
Scores*, measured by the survey vendor Elucd: one row per place and period, with a 0–100 score for
every measure and demographic group in its own column. Columns of the export:

- ``ORG_LEVEL``, ``CITY``, ``AREA``, ``DISTRICT``, ``SECTOR``: the place. ``ORG_LEVEL`` is
  ``Other`` on all 4,744 rows of the published file, so the layer is the most specific place
  column filled in: ``SECTOR`` (e.g. ``1610``), else ``DISTRICT`` (``8``; ``8.0`` is read as
  ``8``), else ``AREA`` (``area_4`` → ``4``; the earlier three areas ``NORTH``, ``CENTRAL``,
  ``SOUTH`` → ``north`` ...), else ``CITY`` (``chicago``).
- ``SAFETY``, ``TRUST``, ``T_LISTEN``, ``T_RESPECT`` (the last two from 2020): everyone's score.
- ``<prefix>_<DIMENSION>_<GROUP>`` with prefix ``S`` (safety), ``T`` (trust), ``T_LISTEN``,
  ``T_RESPECT`` and dimension ``RACE``, ``AGE``, ``SEX``, ``EDUCATION``, ``INCOME``, e.g.
  ``T_RACE_AFRICAN_AMERICAN`` → measure ``trust``, group ``race`` / ``african_american``.
- ``START_DATE``, ``END_DATE``: the survey period, ``M/D/YYYY`` (weeks and months).

Every non-empty score cell becomes one ``survey_scores`` row; an empty cell is no row (not a
zero). The pipeline projects one input row onto one output row and numbers rows by their place in
the file, so this reshaping (DuckDB ``UNPIVOT``) runs here, with the pipeline's conventions: a
file that is not this export is refused before anything is written (:class:`BadInputError`); a
line without a valid period or place is rejected whole; a score cell that is not a number from 0
to 100 is rejected alone (its line's other cells load: they are separate measurements), each
reject naming its file, line, column and value. A row's id is its place, period, measure and
group; when an export repeats one (the published file has 71 repeated lines, one of which, the
city's week of 3 March 2019, with different scores), the later line wins.

Data: City of Chicago Data Portal, *Police Sentiment Scores* (Chicago Police Department; survey
by Elucd), under the City of Chicago's data portal terms of use.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from beatwise.datamodel import table_spec
from beatwise.ingest.errors import BadInputError
from beatwise.ingest.pipeline import (
    IngestResult,
    Stage,
    connect,
    provenance_row,
    read_header,
    reasons_of,
    sha256_file,
)
from beatwise.ingest.sources.base import RowCheck, sql_string
from beatwise.warehouse import Warehouse

NAME = "chicago-sentiment"
TABLE = "survey_scores"
AGENCY = "Chicago Police Department"
VENDOR = "Elucd"
TITLE = "Chicago Police Sentiment Scores (Elucd)"
CREDIT = (
    "City of Chicago Data Portal, Police Sentiment Scores (Chicago Police Department; survey by "
    "Elucd)."
)

PLACE_COLUMNS = ("ORG_LEVEL", "CITY", "AREA", "DISTRICT", "SECTOR")
PERIOD_COLUMNS = ("START_DATE", "END_DATE")
REQUIRED_COLUMNS = ("CITY", "AREA", "DISTRICT", "SECTOR", "SAFETY", "TRUST", *PERIOD_COLUMNS)

MEASURES = {
    "SAFETY": "safety",
    "TRUST": "trust",
    "T_LISTEN": "trust_listen",
    "T_RESPECT": "trust_respect",
}
"""Columns holding everyone's score, and the canonical measure of each."""

GROUP_PREFIXES = {
    "S": "safety",
    "T": "trust",
    "T_LISTEN": "trust_listen",
    "T_RESPECT": "trust_respect",
}
"""Prefixes of the per-group columns (``S_RACE_WHITE``, ``T_LISTEN_AGE_LOW``, ...)."""

DIMENSIONS = ("RACE", "AGE", "SEX", "EDUCATION", "INCOME")

_GROUP_COLUMN = re.compile(
    rf"(T_LISTEN|T_RESPECT|S|T)_({'|'.join(DIMENSIONS)})_([A-Z0-9]+(?:_[A-Z0-9]+)*)"
)

LINE_CHECKS = (
    RowCheck(
        "START_DATE",
        "period_start IS NULL",
        "START_DATE is not a date written M/D/YYYY (e.g. 12/10/2017)",
    ),
    RowCheck(
        "END_DATE",
        "period_end IS NULL",
        "END_DATE is not a date written M/D/YYYY (e.g. 12/16/2017)",
    ),
    RowCheck(
        "END_DATE", "coalesce(period_end < period_start, false)", "END_DATE is before START_DATE"
    ),
    RowCheck("CITY", "layer IS NULL", "CITY, AREA, DISTRICT and SECTOR are all empty: no place"),
)
"""Checks of a whole line (a NULL result counts as failed, as in the pipeline); a line failing
any of them loads nothing."""

ID_COLUMNS = (
    "layer",
    "area_id",
    "period_start",
    "period_end",
    "measure",
    "group_dimension",
    "group_value",
)
"""A score's ``source_record_id``: these joined by ``|`` (``district|8|2018-05-01|...|white``)."""

SCORE_REASON = "score is not a number from 0 to 100"


@dataclass(frozen=True)
class MeasureColumn:
    """What one score column of the export measures, and for whom."""

    column: str
    measure: str
    group_dimension: str
    group_value: str


def measure_column(column: str) -> MeasureColumn | None:
    """The measure and group of the score column ``column``; None if it is not one.

    ``T_LISTEN_RACE_AFRICAN_AMERICAN`` is measure ``trust_listen`` for the group ``race`` /
    ``african_american``; ``TRUST`` is ``trust`` for everyone (``all`` / ``all``). Groups are
    parsed rather than listed, so a group the vendor adds later loads without a code change.
    """
    if column in MEASURES:
        return MeasureColumn(column, MEASURES[column], "all", "all")
    match = _GROUP_COLUMN.fullmatch(column)
    if match is None:
        return None
    prefix, dimension, group = match.groups()
    return MeasureColumn(column, GROUP_PREFIXES[prefix], dimension.lower(), group.lower())


def _filled(column: str) -> str:
    return f"nullif(trim(\"{column}\"), '') IS NOT NULL"


def _area_number(column: str) -> str:
    """``8.0`` and ``08`` read as ``8``; anything but a whole number is kept as written."""
    return f"regexp_replace(trim(\"{column}\"), '^0*([0-9]+?)(\\.0*)?$', '\\1')"


def _date(column: str) -> str:
    return f"CAST(try_strptime(trim(\"{column}\"), '%m/%d/%Y') AS DATE)"


LINE_PROJECTION = f"""
    {_date("START_DATE")} AS period_start,
    {_date("END_DATE")} AS period_end,
    CASE WHEN {_filled("SECTOR")} THEN 'sector' WHEN {_filled("DISTRICT")} THEN 'district'
         WHEN {_filled("AREA")} THEN 'area' WHEN {_filled("CITY")} THEN 'city' END AS layer,
    CASE WHEN {_filled("SECTOR")} THEN {_area_number("SECTOR")}
         WHEN {_filled("DISTRICT")} THEN {_area_number("DISTRICT")}
         WHEN {_filled("AREA")} THEN regexp_replace(lower(trim("AREA")), '^area_', '')
         ELSE lower(trim("CITY")) END AS area_id
"""
"""SQL over one raw line: its period, layer and area (shared by all of the line's scores)."""


def ingest_sentiment(
    warehouse: Warehouse,
    files: Sequence[Path],
    *,
    scratch_dir: Path | None = None,
    on_stage: Stage | None = None,
) -> IngestResult:
    """Import Police Sentiment Scores exports into ``survey_scores``, like ``ingest_files``.

    Same signature (less the source) and same result as
    :func:`beatwise.ingest.pipeline.ingest_files`: one MERGE commit of the long rows, then the
    rejects and one ``ingests`` row. ``rows_read`` counts the export's lines, ``rows_rejected``
    the lines with at least one reject, ``rows_inserted``/``rows_updated`` the long rows.
    """
    stage = on_stage or (lambda _: None)
    clock = time.perf_counter()
    started = datetime.now(UTC)
    ingest_id = started.strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]
    paths = [Path(f) for f in files]
    stage("checking files")
    with connect(scratch_dir) as con:
        measures = _check_headers(con, paths)
        stage("reading and reshaping")
        rows_read = _stage_cells(con, paths, measures)
        rejects = _rejects(con, ingest_id)
        rows = _canonical_rows(con, measures, ingest_id)
        stage(f"merging {rows.num_rows:,} scores into {TABLE}")
        written = warehouse.upsert(TABLE, rows)
    if rejects.num_rows:
        warehouse.append("rejects", rejects)
    result = IngestResult(
        ingest_id=ingest_id,
        source=NAME,
        table=TABLE,
        files=tuple(str(p) for p in paths),
        rows_read=rows_read,
        rows_inserted=written.rows_inserted,
        rows_updated=written.rows_updated,
        rows_unchanged=rows.num_rows - written.rows_inserted - written.rows_updated,
        rows_rejected=len({(r["source_file"], r["source_line"]) for r in rejects.to_pylist()}),
        rejects_by_reason=reasons_of(rejects),
        version=written.version,
        seconds=time.perf_counter() - clock,
    )
    notes = "wide export: one row per filled score cell"
    digests = [sha256_file(p) for p in paths]
    warehouse.append("ingests", provenance_row(result, AGENCY, digests, started, notes))
    return result


def _read_csv(path: Path) -> str:
    return f"read_csv({sql_string(str(path))}, delim = ',', header = true, all_varchar = true)"


def _listed(names: list[str], most: int = 5) -> str:
    shown = ", ".join(names[:most])
    return shown if len(names) <= most else f"{shown} and {len(names) - most} more"


def _check_headers(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> list[MeasureColumn]:
    """The score columns found in any of ``paths``; a file that is not this export is refused.

    A column that is neither a place, a date nor a score is refused rather than ignored, so
    that nothing the vendor adds is silently dropped.
    """
    found: dict[str, MeasureColumn] = {}
    fixed = {*PLACE_COLUMNS, *PERIOD_COLUMNS}
    for path in paths:
        columns = read_header(con, path, ", delim = ','")
        measures = {c: m for c in columns if (m := measure_column(c)) is not None}
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        unexpected = [c for c in columns if c not in fixed and c not in measures]
        if missing or unexpected:
            problems = [f"missing column(s) {_listed(missing)}"] if missing else []
            problems += [f"unexpected column(s) {_listed(unexpected)}"] if unexpected else []
            raise BadInputError(
                path,
                f"{'; '.join(problems)} for source {NAME!r}",
                f"export the {TITLE} as published, comma-separated (score columns are SAFETY, "
                "TRUST, T_LISTEN, T_RESPECT or S_, T_, T_LISTEN_, T_RESPECT_ + "
                "RACE|AGE|SEX|EDUCATION|INCOME + _GROUP)",
                line=1,
            )
        found.update(measures)
    return list(found.values())


def _stage_cells(
    con: duckdb.DuckDBPyConnection, paths: list[Path], measures: list[MeasureColumn]
) -> int:
    """Read the files into ``lines`` (one row per line) and ``cells`` (one per filled score).

    Each file is copied into a temp table first: DuckDB keeps insertion order, so ``rowid + 2``
    is the line in the file (line 1 is the header), as in the pipeline.
    """
    scores = ", ".join(f'"{m.column}"' for m in measures)
    flags = ", ".join(
        f"coalesce({c.bad_when}, true) AS _bad_{i}" for i, c in enumerate(LINE_CHECKS)
    )
    good = " AND ".join(f"NOT _bad_{i}" for i in range(len(LINE_CHECKS)))
    try:
        selects = []
        for index, path in enumerate(paths):
            con.execute(f"CREATE TEMP TABLE raw_{index} AS SELECT * FROM {_read_csv(path)}")
            selects.append(
                f"SELECT {index} AS _file_index, {sql_string(str(path))} AS source_file, "
                f"rowid + 2 AS source_line, * FROM raw_{index}"
            )
        con.execute(
            f"CREATE TEMP TABLE lines AS SELECT *, {flags} FROM (SELECT *, {LINE_PROJECTION} "
            f"FROM ({' UNION ALL BY NAME '.join(selects)}))"
        )
    except duckdb.Error as exc:
        raise BadInputError(
            ", ".join(str(p) for p in paths),
            f"could not be read ({exc})",
            "repair the line the message names and re-run; nothing was written",
        ) from None
    con.execute(
        "CREATE TEMP TABLE cells AS SELECT *, TRY_CAST(_value AS DOUBLE) AS score FROM ("
        f"UNPIVOT (SELECT _file_index, source_file, source_line, period_start, period_end, "
        f"layer, area_id, {scores} FROM lines WHERE {good}) "
        f"ON {scores} INTO NAME _column VALUE _value) WHERE trim(_value) <> ''"
    )
    (rows_read,) = con.execute("SELECT count(*) FROM lines").fetchone() or (0,)
    return int(rows_read)


_BAD_SCORE = "NOT coalesce(score BETWEEN 0 AND 100, false)"


def _rejects(con: duckdb.DuckDBPyConnection, ingest_id: str) -> pa.Table:
    """Failed line checks and bad score cells, in file and line order, as ``rejects`` rows."""
    head = f"SELECT {sql_string(ingest_id)} AS ingest_id, {sql_string(NAME)} AS source, "
    parts = [
        f'{head}_file_index, source_file, source_line, {sql_string(c.column)} AS "column", '
        f'"{c.column}" AS value, {sql_string(c.reason)} AS reason FROM lines WHERE _bad_{i}'
        for i, c in enumerate(LINE_CHECKS)
    ]
    parts.append(
        f'{head}_file_index, source_file, source_line, _column AS "column", _value AS value, '
        f"{sql_string(SCORE_REASON)} AS reason FROM cells WHERE {_BAD_SCORE}"
    )
    query = " UNION ALL ".join(parts)
    rejects = con.execute(
        f'SELECT * EXCLUDE (_file_index) FROM ({query}) ORDER BY _file_index, source_line, "column"'
    )
    return rejects.to_arrow_table().cast(table_spec("rejects").schema)


def _canonical_rows(
    con: duckdb.DuckDBPyConnection, measures: list[MeasureColumn], ingest_id: str
) -> pa.Table:
    """The good cells as ``survey_scores`` rows, one per id (later files and lines win)."""
    mapping = ", ".join(f"({', '.join(map(sql_string, astuple(m)))})" for m in measures)
    key = f"concat_ws('|', {', '.join(ID_COLUMNS)})"
    query = f"""
        SELECT md5({sql_string(NAME + "|")} || _key) AS record_id, {sql_string(NAME)} AS source,
            _key AS source_record_id, {sql_string(AGENCY)} AS agency,
            {sql_string(ingest_id)} AS ingest_id, source_file, source_line,
            period_start, period_end, layer, area_id, measure, group_dimension, group_value,
            score, CAST(NULL AS BIGINT) AS respondents, {sql_string(VENDOR)} AS vendor
        FROM (
            SELECT *, {key} AS _key
            FROM cells JOIN (VALUES {mapping}) AS m(_column, measure, group_dimension, group_value)
                USING (_column)
            WHERE NOT ({_BAD_SCORE})
        )
        QUALIFY row_number() OVER (
            PARTITION BY _key ORDER BY _file_index DESC, source_line DESC
        ) = 1
        ORDER BY _file_index, source_line, _column
    """
    return con.execute(query).to_arrow_table()
