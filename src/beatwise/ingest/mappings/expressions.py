"""DuckDB SQL fragments the mapping compiler assembles: text cleaning, lookups, dates, places.

Every fragment takes SQL and returns SQL; none reads data. Raw values are text (the pipeline
reads every column as VARCHAR). Lookups (``map``, ``true_values``) match ignoring case and runs
of spaces, because exports change case between years (Austin's ``EMPTY HAND`` / ``empty hand``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa

from beatwise.ingest.sources.base import sql_string

TRUE_VALUES = ("yes", "y", "true", "t", "1")
FALSE_VALUES = ("no", "n", "false", "f", "0")
AGE_BOUNDS = (0, 18, 25, 35, 45, 55, 65)
"""Lower bounds of the canonical age bands (see :func:`age_band_labels`)."""
MAX_AGE = 120

_POINT_WKT = r"POINT\s*\(\s*(-?[0-9.]+)\s+(-?[0-9.]+)\s*\)"
_POINT_PAIR = r"\(\s*(-?[0-9.]+)\s*,\s*(-?[0-9.]+)\s*\)"


def quote(column: str) -> str:
    """A raw column's name as a SQL identifier."""
    return '"' + column.replace('"', '""') + '"'


def literal(value: Any) -> str:
    """A Python scalar (text, number, boolean, None) as a SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return sql_string(str(value))


def fold(text: str) -> str:
    """How lookup keys are compared: lower case, runs of whitespace as one space."""
    return " ".join(text.split()).lower()


def folded(sql: str) -> str:
    """SQL for :func:`fold` of a text expression."""
    return f"lower(regexp_replace({sql}, '\\s+', ' ', 'g'))"


def text(raw: str, null_values: Iterable[str]) -> str:
    """A raw column's (SQL ``raw``) trimmed text, NULL when empty or in ``null_values``.

    Null values match ignoring case (``NULL``, ``null``): a cheap test, since the compiled SQL
    repeats it wherever the column is used.
    """
    trimmed = f"trim({raw}, ' \t\r\n')"
    nulls = sorted({v.strip().lower() for v in null_values} - {""})
    if not nulls:
        return f"nullif({trimmed}, '')"
    listed = ", ".join(sql_string(v) for v in ["", *nulls])
    return f"CASE WHEN lower({trimmed}) IN ({listed}) THEN NULL ELSE {trimmed} END"


def extract(sql: str, pattern: str) -> str:
    """The part of ``sql`` matched by ``pattern`` (its one group, if it has one), else NULL."""
    group = 1 if re.compile(pattern).groups else 0
    return f"nullif(regexp_extract({sql}, {sql_string(pattern)}, {group}), '')"


def zero_padded(sql: str, width: int) -> str:
    """Digit-only text left-padded with zeros to ``width`` (``415`` → ``0415``)."""
    return (
        f"CASE WHEN regexp_full_match({sql}, '[0-9]{{1,{width - 1}}}') "
        f"THEN lpad({sql}, {width}, '0') ELSE {sql} END"
    )


def lookup(sql: str, table: dict[str, Any], otherwise: str = "NULL") -> str:
    """A CASE mapping text to values by folded key; ``otherwise`` when no key matches.

    Missing text stays missing: ``otherwise`` is for values the table does not list.
    """
    whens = " ".join(f"WHEN {sql_string(fold(k))} THEN {literal(v)}" for k, v in table.items())
    matched = f"CASE {folded(sql)} {whens} ELSE {otherwise} END" if table else otherwise
    return f"CASE WHEN {sql} IS NULL THEN NULL ELSE {matched} END"


def is_one_of(sql: str, values: Iterable[str]) -> str:
    """SQL that is true when the folded text is one of ``values``."""
    listed = ", ".join(sql_string(fold(v)) for v in values)
    return f"({folded(sql)} IN ({listed}))"


def boolean(sql: str, true_values: Sequence[str], false_values: Sequence[str]) -> str:
    """Text read as a boolean by the given spellings; NULL for anything else."""
    return (
        f"CASE WHEN {is_one_of(sql, true_values)} THEN true "
        f"WHEN {is_one_of(sql, false_values)} THEN false END"
    )


def elements(list_sql: str, each: str) -> str:
    """``each`` (SQL over ``e``) applied to every element, NULL results dropped."""
    return f"list_filter(list_transform({list_sql}, lambda e: {each}), lambda e: e IS NOT NULL)"


def split(sql: str, separator: str, null_values: Iterable[str]) -> str:
    """Text split into a list of trimmed parts, empty and null-value parts dropped."""
    parts = f"string_split({sql}, {sql_string(separator)})"
    return elements(parts, text("e", null_values))


def any_element(list_sql: str, condition: str) -> str:
    """SQL true when some element ``e`` of the list meets ``condition``."""
    return f"(len(list_filter({list_sql}, lambda e: {condition})) > 0)"


def age_band_labels() -> tuple[str, ...]:
    """The canonical age bands, youngest first: ``under_18``, ``18_24``, ... ``65_plus``."""
    uppers = (*AGE_BOUNDS[1:], MAX_AGE + 1)
    return tuple(
        "under_18" if low == 0 else ("65_plus" if low == AGE_BOUNDS[-1] else f"{low}_{high - 1}")
        for low, high in zip(AGE_BOUNDS, uppers, strict=True)
    )


def age_band(sql: str) -> str:
    """A numeric age (0 to 120) as its canonical band; NULL for anything else."""
    age = f"TRY_CAST({sql} AS DOUBLE)"
    uppers = (*AGE_BOUNDS[1:], MAX_AGE + 1)
    whens = " ".join(
        f"WHEN {age} >= {low} AND {age} < {high} THEN {sql_string(label)}"
        for low, high, label in zip(AGE_BOUNDS, uppers, age_band_labels(), strict=True)
    )
    return f"CASE {whens} END"


def has_time_of_day(fmt: str) -> bool:
    """Whether a strptime format reads a time of day (an hour at least)."""
    return re.search(r"%-?[HIkl]", fmt) is not None or "%T" in fmt or "%R" in fmt


def has_offset(fmt: str) -> bool:
    """Whether a strptime format reads a UTC offset or zone name (then no zone is applied)."""
    return "%z" in fmt or "%Z" in fmt


def parsed(sql: str, fmt: str) -> str:
    """Text parsed with ``fmt``: an instant when ``fmt`` reads an offset, else a local time."""
    return f"try_strptime({sql}, {sql_string(fmt)})"


def instant(value: str, fmt: str, zone: str) -> str:
    """A :func:`parsed` ``value`` as a UTC instant: local times are read in ``zone``."""
    return value if has_offset(fmt) else f"timezone({sql_string(zone)}, {value})"


def wall_clock(value: str, fmt: str, zone: str) -> str:
    """A :func:`parsed` ``value`` as the local wall-clock TIMESTAMP in ``zone``.

    A local time is already one; only text with its own offset needs converting.
    """
    return f"timezone({sql_string(zone)}, {value})" if has_offset(fmt) else value


def local_date(sql: str, fmt: str, zone: str) -> str:
    """Text parsed with ``fmt`` as a local calendar date (its time of day dropped)."""
    return f"CAST({wall_clock(parsed(sql, fmt), fmt, zone)} AS DATE)"


def time_of_day(sql: str, fmt: str) -> str:
    """Text parsed with ``fmt`` as a time of day."""
    return f"CAST(try_strptime({sql}, {sql_string(fmt)}) AS TIME)"


def point_lat_lon(sql: str) -> tuple[str, str]:
    """Latitude and longitude from ``POINT (lon lat)`` or ``(lat, lon)`` text, else NULL."""

    def number(pattern: str, group: int) -> str:
        return (
            f"TRY_CAST(nullif(regexp_extract({sql}, {sql_string(pattern)}, {group}), '') AS DOUBLE)"
        )

    lat = f"coalesce({number(_POINT_WKT, 2)}, {number(_POINT_PAIR, 1)})"
    lon = f"coalesce({number(_POINT_WKT, 1)}, {number(_POINT_PAIR, 2)})"
    return lat, lon


def reprojected(x: str, y: str, crs: str) -> tuple[str, str]:
    """Latitude and longitude (WGS84) of projected ``x``/``y`` in ``crs`` (DuckDB spatial)."""
    point = f"ST_Transform(ST_Point({x}, {y}), {sql_string(crs)}, 'EPSG:4326', always_xy := true)"
    return f"ST_Y({point})", f"ST_X({point})"


DUCKDB_TYPES = {
    pa.string(): "VARCHAR",
    pa.bool_(): "BOOLEAN",
    pa.int8(): "TINYINT",
    pa.int16(): "SMALLINT",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.float64(): "DOUBLE",
    pa.date32(): "DATE",
    pa.binary(): "BLOB",
    pa.list_(pa.string()): "VARCHAR[]",
}


def duckdb_type(data_type: pa.DataType) -> str:
    """The DuckDB type of a canonical column (timestamps are UTC instants: TIMESTAMPTZ)."""
    if pa.types.is_timestamp(data_type):
        return "TIMESTAMPTZ"
    return DUCKDB_TYPES[data_type]
