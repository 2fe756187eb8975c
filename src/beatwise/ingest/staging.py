"""Reading an import's files into the ``staged`` temp table, each row numbered by its line.

Every file is read by DuckDB as text, projected onto the canonical columns with the adapter's
SQL and checked; lines DuckDB cannot split into the header's columns go to ``skipped``. A row's
``source_line`` is the line in the file as given where its record starts (line 1 is the header;
empty lines and the lines of a quoted value spanning several count, as in an editor):
:mod:`beatwise.ingest.csv_lines` makes a file whose line ends or empty lines DuckDB would refuse
or miscount into a copy that DuckDB numbers like the original, and :func:`_count_spanned_lines`
adds the lines that quoted values span, which DuckDB counts as one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from beatwise.datamodel import table_spec
from beatwise.ingest.csv_lines import QUOTING, CsvFile
from beatwise.ingest.errors import BadInputError
from beatwise.ingest.sources.base import CsvSource, sql_string

_LINE_ENDS = "chr(13) || chr(10)"


def read_csv_sql(file: CsvFile) -> str:
    """Read every column as text; rows DuckDB cannot split into the header's columns are set
    aside in ``reject_errors`` (with their line) instead of failing the whole import. Marker
    lines carried into a quoted value (an empty line inside it) are taken out again."""
    reader = (
        f"read_csv({sql_string(str(file.read_path))}, header = true, all_varchar = true, "
        f"store_rejects = true{', ' + QUOTING if file.stated_quotes else ''})"
    )
    if file.marker is None:
        return reader
    return f"(SELECT replace(COLUMNS(*), {sql_string(file.marker)}, '') FROM {reader})"


@dataclass(frozen=True)
class Staged:
    """Where each file's rows sit in the ``staged`` temp table, and their lines.

    The files are inserted one after the other and DuckDB keeps insertion order (the default
    ``preserve_insertion_order``), so a row's ``rowid`` orders it by (file, line) and, when no
    line was skipped, its line is ``rowid - first_rowid + 2`` (line 1 is the header). Nothing
    per-row but the file's index is stored for this: the file name and the line are computed
    when a query needs them.

    Lines DuckDB could not split into the header's columns are not in ``staged`` but in the
    ``skipped`` temp table (with the marker lines standing for empty lines, flagged ``blank``).
    When there are any, or when a quoted value spans lines (DuckDB numbers records, not lines),
    the lines of the staged rows are in the narrow ``staged_lines`` table instead
    (``numbered``), in ``rowid`` order, joined to ``staged`` positionally (:meth:`table_sql`).
    Lines are those of the file DuckDB read; a file's ``first_line - 1`` (empty lines dropped
    before its header) is added last.
    """

    files: tuple[CsvFile, ...]
    first_rowids: tuple[int, ...]
    numbered: bool = False

    def table_sql(self, rows: str) -> str:
        """SQL for ``staged`` aliased ``rows``, with what :meth:`line_sql` needs."""
        if not self.numbered:
            return f"staged AS {rows}"
        return f"staged AS {rows} POSITIONAL JOIN staged_lines AS {rows}_lines"

    def file_sql(self, rows: str) -> str:
        """SQL for the source file's name of a row of ``staged`` aliased ``rows``."""
        return self.name_sql(f"{rows}._file_index")

    def name_sql(self, file_index: str) -> str:
        """SQL for the name of the file (as given) whose index is ``file_index``."""
        return self._per_file(file_index, [str(f.path) for f in self.files])

    def line_sql(self, rows: str) -> str:
        """SQL for the source line (BIGINT) of a row of :meth:`table_sql` aliased ``rows``."""
        if self.numbered:
            line = f"{rows}_lines._line"
        else:
            starts = [2 - first for first in self.first_rowids]
            line = f"({rows}.rowid + CASE {rows}._file_index {_whens(starts)} END)"
        return self.shifted(line, f"{rows}._file_index")

    def shifted(self, line: str, file_index: str) -> str:
        """SQL for ``line``, a line number in the file DuckDB read, as one in the file given."""
        if all(f.first_line == 1 for f in self.files):
            return line
        shifts = [f.first_line - 1 for f in self.files]
        return f"({line} + CASE {file_index} {_whens(shifts)} END)"

    def unmarked(self, text: str, file_index: str) -> str:
        """SQL for raw ``text`` from a file, less the marker lines an empty line became."""
        markers = [f.marker for f in self.files]
        if not any(markers):
            return text
        marker = self._per_file(file_index, [m or "" for m in markers])
        return f"replace({text}, {marker}, '')"

    def _per_file(self, file_index: str, texts: list[str]) -> str:
        """SQL for ``texts[file_index]``."""
        return f"CASE {file_index} {_whens([sql_string(t) for t in texts])} END"


def _whens(values: list[int] | list[str]) -> str:
    return " ".join(f"WHEN {i} THEN {v}" for i, v in enumerate(values))


def _file_rows(source: CsvSource, file: CsvFile, index: int) -> str:
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
        f"FROM {read_csv_sql(file)}"
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


def stage_rows(
    con: duckdb.DuckDBPyConnection, sources: list[CsvSource], files: list[CsvFile]
) -> Staged:
    """Read, project and check every file into the ``staged`` temp table, in file order."""
    try:
        for index, (source, file) in enumerate(zip(sources, files, strict=True)):
            rows = _file_rows(source, file, index)
            into = "CREATE TEMP TABLE staged AS " if index == 0 else "INSERT INTO staged BY NAME "
            con.execute(into + rows)
        found = con.execute(
            "SELECT _file_index, min(rowid), count(*) FROM staged GROUP BY ALL"
        ).fetchall()
        skipped = _collect_skipped(con, files)
        records = Counter({int(i): int(n) + 1 for i, _, n in found}) + skipped
        spanning = any(
            f.records is not None and records[i] < f.records for i, f in enumerate(files)
        )
        if skipped or spanning:
            _number_lines(con)
        if spanning:
            _count_spanned_lines(con, files)
    except duckdb.Error as exc:
        raise BadInputError(
            ", ".join(str(f.path) for f in files),
            f"could not be read ({exc})",
            "repair the line the message names and re-run; nothing was written",
        ) from None
    firsts = {int(i): int(first) for i, first, _ in found}
    first = tuple(firsts.get(i, 0) for i in range(len(files)))
    return Staged(tuple(files), first, numbered=bool(skipped) or spanning)


def _collect_skipped(con: duckdb.DuckDBPyConnection, files: list[CsvFile]) -> Counter[int]:
    """Gather the lines DuckDB set aside (one per line, first error) into ``skipped``; the
    marker lines that stand for empty lines are flagged ``blank``. Their count by file."""
    index = " ".join(f"WHEN {sql_string(str(f.read_path))} THEN {i}" for i, f in enumerate(files))
    markers = " ".join(
        f"WHEN {i} THEN {sql_string(f.marker)}" for i, f in enumerate(files) if f.marker
    )
    blank = (
        f"coalesce(trim(csv_line, {_LINE_ENDS}) = CASE file_index {markers} END, false)"
        if markers
        else "false"
    )
    con.execute(
        f"CREATE TEMP TABLE skipped AS SELECT *, {blank} AS blank FROM ("
        f"SELECT CASE s.file_path {index} END AS file_index, e.line::BIGINT AS line, "
        "e.column_name, e.error_type, e.csv_line FROM reject_errors AS e JOIN reject_scans AS s "
        "USING (scan_id, file_id) "
        "QUALIFY row_number() OVER (PARTITION BY s.file_path, e.line ORDER BY e.column_idx) = 1)"
    )
    counts = con.execute("SELECT file_index, count(*) FROM skipped GROUP BY ALL").fetchall()
    return Counter({int(i): int(n) for i, n in counts})


def _number_lines(con: duckdb.DuckDBPyConnection) -> None:
    """Write the line of every staged row, in ``rowid`` order, into ``staged_lines``.

    Skipped line ``i`` (1-based within its file) at line ``r`` follows ``r - i - 1`` staged
    rows, so the staged rows fall into runs of consecutive lines between skipped lines: staged
    row ``k`` (0-based within its file) with ``c`` skipped lines before it is at line
    ``k + 2 + c``. The runs are few (one more than the distinct skipped positions) and each is
    unnested as a ``range``, in order, so nothing is sorted or joined per row, and each file
    gets exactly as many lines as it has staged rows.
    """
    con.execute(
        "CREATE TEMP TABLE staged_lines AS "
        "WITH sizes AS (SELECT _file_index AS file_index, count(*) AS size FROM staged "
        "GROUP BY ALL), "
        "steps AS (SELECT file_index, 0 AS k, 0 AS c FROM sizes UNION ALL "
        "SELECT file_index, line - row_number() OVER w - 1 AS k, row_number() OVER w AS c "
        "FROM skipped WINDOW w AS (PARTITION BY file_index ORDER BY line)), "
        "runs AS (SELECT file_index, k AS first, least(coalesce(lead(k) OVER "
        "(PARTITION BY file_index ORDER BY k, c), size), size) AS stop, c "
        "FROM steps JOIN sizes USING (file_index)) "
        "SELECT unnest(range(first + 2 + c, stop + 2 + c)) AS _line FROM "
        "(SELECT * FROM runs WHERE stop > first ORDER BY file_index, first, c)"
    )


_BREAKS = "length(concat(*COLUMNS(*))) - length(replace(concat(*COLUMNS(*)), chr(10), ''))"
"""SQL for the line ends inside the values of a record of ``read_csv``."""


def _count_spanned_lines(con: duckdb.DuckDBPyConnection, files: list[CsvFile]) -> None:
    """Turn the record numbers in ``staged_lines`` and ``skipped`` into line numbers.

    DuckDB numbers records: a quoted value spanning lines counts once, so a record's line is
    its number plus the line ends inside the values of the records before it. The files are
    read a second time for those of each staged row (the same reader yields the same rows in
    the same order); a skipped record's are in its text. Only a file with fewer records than
    lines (:attr:`CsvFile.records`) comes here, so the common file is read once.
    """
    con.execute("CREATE TEMP TABLE breaks (file_index INTEGER, breaks BIGINT)")
    for index, file in enumerate(files):
        con.execute(f"INSERT INTO breaks SELECT {index}, {_BREAKS} FROM {read_csv_sql(file)}")
    text = f"coalesce(trim(csv_line, {_LINE_ENDS}), '')"
    con.execute(
        "CREATE TEMP TABLE spans AS SELECT file_index, line, staged, line + coalesce(sum(breaks) "
        "OVER (PARTITION BY file_index ORDER BY line ROWS BETWEEN UNBOUNDED PRECEDING AND "
        "1 PRECEDING), 0) AS physical FROM (SELECT b.file_index, l._line AS line, b.breaks, "
        "true AS staged FROM staged_lines AS l POSITIONAL JOIN breaks AS b UNION ALL "
        f"SELECT file_index, line, length({text}) - length(replace({text}, chr(10), '')), "
        "false FROM skipped)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE staged_lines AS SELECT physical AS _line FROM spans "
        "WHERE staged ORDER BY file_index, line"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE skipped AS SELECT k.* REPLACE (s.physical AS line) "
        "FROM skipped AS k JOIN spans AS s ON s.file_index = k.file_index AND s.line = k.line "
        "AND NOT s.staged"
    )


def split_rejects(
    con: duckdb.DuckDBPyConnection, per_file: list[CsvSource], staged: Staged, ingest_id: str
) -> tuple[int, pa.Table]:
    """Rows read (staged plus skipped) and the rejects: failed checks and unsplittable lines.

    A marker line (an empty line in the file) is neither read nor rejected.
    """
    source = per_file[0]
    (rows_read,) = con.execute(
        "SELECT (SELECT count(*) FROM staged) + (SELECT count(*) FROM skipped WHERE NOT blank)"
    ).fetchone() or (0,)
    head = f"SELECT {sql_string(ingest_id)} AS ingest_id, {sql_string(source.name)} AS source, "
    parts = [
        head + f"{staged.file_sql('s')} AS source_file, {staged.line_sql('s')} AS source_line, "
        f'{_checked_column(per_file, i)} AS "column", _value_{i} AS value, '
        f"{sql_string(check.reason)} AS reason FROM {staged.table_sql('s')} WHERE s._bad_{i}"
        for i, check in enumerate(source.checks)
    ]
    parts.append(
        head + f"{staged.name_sql('file_index')} AS source_file, "
        f"{staged.shifted('line', 'file_index')} AS source_line, "
        "coalesce(column_name, '(line)') AS \"column\", "
        # DuckDB's csv_line may start with the line end before it (\r\n files).
        f"left(trim({staged.unmarked('csv_line', 'file_index')}, {_LINE_ENDS}), 200) AS value, "
        "'malformed line: ' || lower(error_type) || "
        "' (the line does not split into the header''s columns)' AS reason "
        "FROM skipped WHERE NOT blank"
    )
    schema = table_spec("rejects").schema
    rejects = con.execute(" UNION ALL ".join(parts) + " ORDER BY source_file, source_line")
    return int(rows_read), rejects.to_arrow_table().cast(schema)


def _checked_column(per_file: list[CsvSource], i: int) -> str:
    """SQL for the raw column check ``i`` names: a mapping's may differ from file to file."""
    names = [source.checks[i].column for source in per_file]
    if len(set(names)) == 1:
        return sql_string(names[0])
    whens = " ".join(f"WHEN {k} THEN {sql_string(n)}" for k, n in enumerate(names))
    return f"CASE s._file_index {whens} END"
