"""Mapping tables shipped with the built-in adapters, and the SQL that applies them.

The tables are CSV files in this folder, reviewed by hand; ``README.md`` here names the primary
source of every code list and the judgement calls. They are data, not code, so that an analyst can
audit a mapping or extend it (a new IUCR code, a renamed premises type) without touching Python.
Offence tables share one layout::

    code, description, category, nibrs_code, crime_against, attempted, sensitive, comparison_sets

``comparison_sets`` (``;``-separated) was computed from ``taxonomy.index_sets`` when the table was
written, plus ``nypd_seven_majors`` where the source's own codes decide it; a test checks every row
against the taxonomy. An empty ``crime_against`` marks a record that is not a crime (a
notification, anti-social behaviour). Premises tables have two columns, ``value`` and
``location_type``.

The helpers turn a table into DuckDB CASE expressions over the (normalised) raw code, and hold the
few rules every adapter shares: identifiers exported as floats, coordinates that must fall inside
the agency's extent, dates that must be plausible.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

from beatwise.ingest.sources.base import RowCheck, sql_string

FOLDER = "src/beatwise/ingest/sources/data"
"""Where the tables live in the source tree, named in reject reasons so a user can extend them."""

PLAUSIBLE_FROM, PLAUSIBLE_TO = "1900-01-01", "2100-01-01"
NULL_TEXT, NULL_BOOL = "CAST(NULL AS VARCHAR)", "CAST(NULL AS BOOLEAN)"


@dataclass(frozen=True)
class Offense:
    """One row of an offence table: a source code and its canonical meaning."""

    code: str
    description: str
    category: str
    nibrs_code: str | None
    crime_against: str | None
    attempted: bool | None
    sensitive: bool
    comparison_sets: tuple[str, ...]


@dataclass(frozen=True)
class OffenseTable:
    """A source's offence codes, compiled into the SQL that maps a code column."""

    file: str
    offenses: tuple[Offense, ...]

    def columns(
        self, key: str, *, attempted: str | None = None, also_sensitive: str | None = None
    ) -> str:
        """Select-list items for the offence columns of ``incidents`` from the code in ``key``.

        ``attempted`` replaces the table's own attempted flag when the source says it per row
        (NYPD's CRM_ATPT_CPTD_CD); ``also_sensitive`` is a SQL condition that marks a row
        sensitive whatever its code (a domestic flag). Codes missing from the table leave
        ``category`` NULL, which :meth:`check` rejects.
        """
        sensitive = _case(key, {o.code: _bool(o.sensitive) for o in self.offenses}, common=True)
        if also_sensitive:
            sensitive = f"({sensitive} OR coalesce({also_sensitive}, false))"
        flags = {o.code: _bool(o.attempted) for o in self.offenses}
        return f"""
        {_case(key, {o.code: sql_string(o.category) for o in self.offenses})} AS category,
        {_case(key, {o.code: _text(o.nibrs_code) for o in self.offenses})} AS nibrs_code,
        {_case(key, {o.code: _text(o.crime_against) for o in self.offenses}, common=True)}
            AS crime_against,
        {attempted or _case(key, flags, common=True)} AS attempted,
        {_case(key, {o.code: _list(o.comparison_sets) for o in self.offenses}, common=True)}
            AS comparison_sets,
        {sensitive} AS is_sensitive"""

    def check(self, raw_column: str, what: str) -> RowCheck:
        """Reject rows whose code is not in the table, saying which file to extend."""
        return RowCheck(
            raw_column,
            "category IS NULL",
            f"{what} (shown as value) is not in the mapping table {self.file}: add a row for "
            f"it to {FOLDER}/{self.file} (see README.md there) and re-import",
        )


@cache
def offense_table(file: str) -> OffenseTable:
    """The offence table in ``file`` (read once per process)."""
    rows = _read(file)
    offenses = tuple(
        Offense(
            code=row["code"],
            description=row["description"],
            category=row["category"],
            nibrs_code=row["nibrs_code"] or None,
            crime_against=row["crime_against"] or None,
            attempted={"true": True, "false": False}.get(row["attempted"]),
            sensitive=row["sensitive"] == "true",
            comparison_sets=tuple(s for s in row["comparison_sets"].split(";") if s),
        )
        for row in rows
    )
    return OffenseTable(file, offenses)


@cache
def premises_table(file: str) -> dict[str, str]:
    """The premises table in ``file``: the source's premises text → canonical location type."""
    return {row["value"]: row["location_type"] for row in _read(file)}


@cache
def rows_of(file: str) -> tuple[dict[str, str], ...]:
    """The raw rows of any table in this folder (for tables with their own layout)."""
    return tuple(_read(file))


def location_type_sql(value: str, file: str) -> str:
    """SQL mapping the premises text in ``value`` to a location type (NULL when unknown)."""
    mapping = premises_table(file)
    return _case(value, {k: sql_string(v) for k, v in mapping.items()})


def text(column: str) -> str:
    """The raw ``column``, trimmed, with empty text and the placeholder ``(null)`` as NULL."""
    return f"NULLIF(NULLIF(trim(\"{column}\"), ''), '(null)')"


@dataclass(frozen=True)
class OptionalColumns:
    """Columns that some exports of a source leave out, read as NULL when absent.

    DuckDB fails on a reference to a missing column, so each value is looked up by name in a
    struct of the columns matching ``anchor`` or one of ``names`` (``anchor`` is a required
    column, so the match is never empty). DuckDB allows one such column pattern per expression,
    so a source declares all its optional columns in one instance, and refuses operators (NOT,
    IS NULL, comparisons) applied directly to such a value: wrap it in a function first. Costs
    about 0.1 s per million rows.
    """

    anchor: str
    names: tuple[str, ...]

    def text(self, column: str) -> str:
        """Like :func:`text` for the optional ``column``: NULL when the file has no such column."""
        if column not in self.names:
            raise ValueError(f"{column!r} is not one of the optional columns {self.names}")
        pattern = "|".join(re.escape(c) for c in (self.anchor, *self.names))
        looked_up = f"to_json(struct_pack(*COLUMNS('^({pattern})$')))->>{sql_string(column)}"
        return f"NULLIF(NULLIF(trim({looked_up}), ''), '(null)')"


def local_timestamp(raw: str) -> str:
    """SQL: the local (naive) TIMESTAMP written in ``raw``, or NULL.

    ISO text (``2019-12-10``, ``2014-01-01 01:15``, ``2019-06-30 14:56:27``,
    ``2017-07-19T13:45:00.000``) is cast directly; US text with slashes is parsed as
    ``7/19/2017 13:45``, ``7/19/2017 13:45:00``, ``07/19/2017 01:45:00 PM`` or ``7/19/2017``.
    Formats are picked by the text's shape rather than tried in turn: every failed strptime
    format costs about 0.4 s per million rows.
    """
    # Functions only: DuckDB refuses NOT, IS NULL and the like around an OptionalColumns value.
    return (
        f"CASE WHEN suffix({raw}, 'M') THEN try_strptime({raw}, '%m/%d/%Y %I:%M:%S %p') "
        f"WHEN contains({raw}, '/') "
        f"THEN try_strptime({raw}, ['%m/%d/%Y %H:%M', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y']) "
        f"ELSE TRY_CAST({raw} AS TIMESTAMP) END"
    )


def has_no_time(raw: str) -> str:
    """SQL: the date text ``raw`` has no time of day (no ``:``); false when ``raw`` is NULL."""
    return f"coalesce(NOT contains({raw}, ':'), false)"


def utc(zone: str, local: str) -> str:
    """SQL: the local TIMESTAMP ``local`` in IANA ``zone`` (SQL text), as a UTC TIMESTAMPTZ.

    A local time in the hour skipped when clocks go forward is read as daylight time (2:30 →
    3:30); one in the repeated autumn hour as standard time (ICU's choice).
    """
    return f"timezone({zone}, {local})"


LOCAL_START = "_local_start"
"""The helper column holding an occurrence's local start (staged; the table never gets it)."""


def occurrence(zone: str, local: str, date_only: str) -> str:
    """Select-list items ``occurred_start``, ``occurred_date``, ``occurred_hour``, ``date_only``.

    ``local`` is SQL for the local wall-clock TIMESTAMP the source writes, in IANA ``zone`` (SQL
    text); ``date_only`` is SQL true when the source gave no time of day. The local date and
    hour are read off ``local`` before it becomes UTC, so they cost no time-zone conversion,
    and analysis code gets the local calendar day without one (Ibis has none that works on
    every engine). A time in the hour skipped when clocks go forward keeps its written hour
    (2:30 → 2) while ``occurred_start`` reads it as daylight time (see :func:`utc`).

    ``local`` is selected once as :data:`LOCAL_START` and referred to by that alias, so an
    :class:`OptionalColumns` value inside it never meets the NOT of ``date_only`` in one
    expression (DuckDB refuses that); the pipeline keeps only the table's columns.
    """
    return (
        f"{local} AS {LOCAL_START}, "
        f"{utc(zone, LOCAL_START)} AS occurred_start, "
        f"CAST({LOCAL_START} AS DATE) AS occurred_date, "
        f"CASE WHEN NOT ({date_only}) THEN CAST(hour({LOCAL_START}) AS TINYINT) END "
        f"AS occurred_hour, {date_only} AS date_only"
    )


def integer_text(column: str) -> str:
    """``column`` as an integer written without a fraction: ``"11023904.0"`` → ``"11023904"``.

    Exports that passed through a spreadsheet or pandas write integer codes as floats; the same
    record must get the same id and area codes whichever way it was exported.
    """
    return f"regexp_replace({text(column)}, '\\.0+$', '')"


def coordinate(column: str) -> str:
    """``column`` as a DOUBLE: NULL when empty, NaN when present but not a number.

    NaN (rather than NULL) keeps a garbled coordinate from passing as a missing one, so the
    extent check rejects it instead of storing the row without a place.
    """
    raw = text(column)
    garbled = f"CASE WHEN {raw} IS NOT NULL THEN 'NaN'::DOUBLE END"
    return f"coalesce(TRY_CAST({raw} AS DOUBLE), {garbled})"


@dataclass(frozen=True)
class Extent:
    """A generous WGS84 box around an agency's area, to catch swapped, zeroed or garbled points."""

    south: float
    west: float
    north: float
    east: float

    def check(self, raw_column: str) -> RowCheck:
        """Reject points at 0,0, half-given, unparseable or outside the box."""
        return RowCheck(
            raw_column,
            outside_box(*(str(v) for v in (self.south, self.west, self.north, self.east))),
            f"{COORDINATES_REASON} (lat {self.south}..{self.north}, "
            f"lon {self.west}..{self.east}); leave both empty when the place is unknown",
        )


COORDINATES_REASON = (
    "coordinates are at 0,0, incomplete, not numbers or outside the agency's extent"
)


def outside_box(south: str, west: str, north: str, east: str) -> str:
    """SQL over the projected ``lat``/``lon``: a point is given but is not a point in the box.

    The bounds are SQL expressions (numbers, or per-row CASEs for a multi-city source); a NULL
    bound rejects the point. 0,0 lies outside every agency's box.
    """
    inside = f"lat BETWEEN {south} AND {north} AND lon BETWEEN {west} AND {east}"
    return f"((lat IS NOT NULL OR lon IS NOT NULL) AND coalesce(NOT ({inside}), true))"


def plausible(timestamp: str) -> str:
    """SQL: ``timestamp`` is a date between 1900 and 2100 (typos like year 1015 are rejected)."""
    return (
        f"{timestamp} >= TIMESTAMPTZ '{PLAUSIBLE_FROM}' "
        f"AND {timestamp} < TIMESTAMPTZ '{PLAUSIBLE_TO}'"
    )


def _read(file: str) -> list[dict[str, str]]:
    content = resources.files(__name__).joinpath(file).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(content, newline="")))


def _case(
    key: str, values: dict[str, str], default: str = NULL_TEXT, *, common: bool = False
) -> str:
    """``CASE key WHEN code THEN value ... ELSE default END`` with no branch equal to the ELSE.

    With ``common`` the most frequent value becomes the ELSE: fewer branches make the CASE
    cheaper on millions of rows, and a code missing from the table is rejected by the category
    check anyway, so what it gets here does not matter.
    """
    if common and values:
        default = Counter(values.values()).most_common(1)[0][0]
    whens = " ".join(
        f"WHEN {sql_string(code)} THEN {value}"
        for code, value in values.items()
        if value != default
    )
    return f"CASE {key} {whens} ELSE {default} END" if whens else default


def _text(value: str | None) -> str:
    return NULL_TEXT if value is None else sql_string(value)


def _bool(value: bool | None) -> str:
    return NULL_BOOL if value is None else str(value).lower()


def _list(values: tuple[str, ...]) -> str:
    return f"CAST([{', '.join(sql_string(v) for v in values)}] AS VARCHAR[])"
