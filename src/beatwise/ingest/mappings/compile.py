"""Compile a mapping, for one file's header, into the ``CsvSource`` the pipeline runs.

The projection yields every column of the target table (identity columns aside) in the
table's order and type, whatever the header, so files with different headers stack into one
import. Each way a raw value can be wrong (not a date in the given formats, a code missing from
a ``map``, a required value empty, a place outside the extent) becomes a ``RowCheck``: the row
goes to ``rejects`` with the raw column and value, never half-invented into the table. The
checks are evaluated as projected boolean columns ``_m_check_N`` (the pipeline keeps only the
table's columns). Pseudonymised identifiers never feed a check, so the raw identifier cannot
reach ``rejects`` either.

Each canonical value and each candidate place is computed once, as a helper column
(``_m_h0``, ``_m_h1``, ...) at the head of the select list that later expressions refer to by
its alias: DuckDB does not share a repeated subexpression inside CASE branches, and on the
Dallas mapping the repeats made the projection several times slower.

Example
-------
>>> from beatwise.ingest.mappings import load_mapping
>>> source = compile_mapping(load_mapping("seattle-use-of-force"), header)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from beatwise.datamodel import IDENTITY_FIELDS, table_spec
from beatwise.datamodel.taxonomy import COMPARISON_SETS, resolve_category
from beatwise.ingest.mappings import derived
from beatwise.ingest.mappings import expressions as sql
from beatwise.ingest.mappings.header import Check, Header
from beatwise.ingest.mappings.model import ColumnSpec, Mapping
from beatwise.ingest.mappings.places import compile_place
from beatwise.ingest.mappings.rules import PSEUDONYM_KINDS, Kind, kind
from beatwise.ingest.sources.base import CsvSource, RowCheck, sql_string


@dataclass(frozen=True)
class _Value:
    """A canonical value's SQL, its checks, and the raw column to show when it is wrong.

    ``date_only`` is set for a timestamp read from a date without a time of day; ``local`` is
    the local wall-clock TIMESTAMP a timestamp was read from, before it became UTC.
    """

    sql: str
    checks: tuple[Check, ...] = ()
    shown: str | None = None
    date_only: str | None = None
    local: str | None = None


def compile_mapping(
    mapping: Mapping, header: Sequence[str], *, path: Path | str = "(header)"
) -> CsvSource:
    """The adapter for a file of ``mapping``'s export whose columns are ``header``.

    Raises ``BadInputError`` naming ``path`` and every raw column the mapping needs but the
    header lacks (alternatives and ``optional: true`` specs aside).
    """
    return _Compiler(mapping, Header(tuple(header), path)).source()


class _Compiler:
    def __init__(self, mapping: Mapping, header: Header) -> None:
        self.mapping = mapping
        self.header = header
        self.values: dict[str, _Value] = {}
        self.checks: list[Check] = []
        self.helpers: list[str] = []

    def source(self) -> CsvSource:
        spec = table_spec(self.mapping.table)
        place = compile_place(self.mapping, self.header, self._helper)
        self.checks += place.checks
        auto = {
            "lat": place.lat,
            "lon": place.lon,
            "geo_precision": place.precision,
            "time_zone": sql_string(self.mapping.time_zone),
            "date_only": self._date_only(spec.time_column),
            **self._local_occurrence(spec.schema),
        }
        identity = {f.name for f in IDENTITY_FIELDS}
        fields = [f for f in spec.schema if f.name not in identity]
        columns = [
            f"CAST({auto.get(f.name) or self._column(f)} AS {sql.duckdb_type(f.type)}) "
            f'AS "{f.name}"'
            for f in fields
        ]
        if "date_only" not in spec.schema.names:
            # Kept for tables that gain a date_only column; the pipeline drops unknown columns.
            columns.append(f'{auto["date_only"]} AS "date_only"')
        natural_id, content = self._identity()
        required = tuple(self.header.need((c,)) or c for c in self.mapping.required_columns)
        self.header.refuse_missing(self.mapping.source_name)
        flags = [
            f"coalesce({c.condition}, false) AS _m_check_{i}" for i, c in enumerate(self.checks)
        ]
        return CsvSource(
            name=self.mapping.source_name,
            table=self.mapping.table,
            agency=self.mapping.agency,
            time_zone=self.mapping.time_zone,
            title=self.mapping.title,
            credit=" ".join(p for p in (self.mapping.credit, self.mapping.licence) if p),
            required_columns=required,
            projection=",\n".join(self.helpers + columns + flags),
            checks=tuple(
                RowCheck(c.column, f"_m_check_{i}", c.reason) for i, c in enumerate(self.checks)
            ),
            natural_id=natural_id,
            content_columns=content,
            version=self.mapping.version,
        )

    def _column(self, field: pa.Field[Any]) -> str:
        value = self._value_of(field.name)
        spec = self.mapping.columns.get(field.name)
        if not field.nullable or (spec is not None and spec.required):
            self.checks.append(self._required(field.name, value))
        return value.sql

    def _value_of(self, name: str) -> _Value:
        """The value of canonical column ``name``, compiled once (its checks added once)."""
        if name not in self.values:
            field = table_spec(self.mapping.table).schema.field(name)
            spec = self.mapping.columns.get(name)
            if spec is not None:
                value = self._value(spec, name, kind(field.type), sql.duckdb_type(field.type))
                self._add_checks(value.checks)
                date_only = value.date_only and self._helper(value.date_only)
                local = value.local and self._helper(value.local)
                helper = self._helper(value.sql)
                value = _Value(helper, value.checks, value.shown, date_only, local)
            elif name in {"crime_against", "is_sensitive", "comparison_sets"}:
                value = _Value(self._from_category(name))
            else:
                value = _Value("NULL")
            self.values[name] = value
        return self.values[name]

    def _helper(self, sql_: str) -> str:
        """A helper column computing ``sql_`` once; its alias, for later expressions."""
        name = f"_m_h{len(self.helpers)}"
        self.helpers.append(f"{sql_} AS {name}")
        return name

    def _add_checks(self, checks: Sequence[Check]) -> None:
        shared = {c.same_as for c in self.checks if c.same_as is not None}
        self.checks += [c for c in checks if c.same_as is None or c.same_as not in shared]

    def _required(self, name: str, value: _Value) -> Check:
        others = "".join(f" AND NOT coalesce({c.condition}, false)" for c in value.checks)
        shown = value.shown or next(iter(self.header.columns), "")
        return Check(
            f"(({value.sql}) IS NULL{others})",
            shown,
            f"{self.mapping.table}.{name} is required, and {shown} is empty or maps to nothing",
        )

    def _identity(self) -> tuple[str | None, tuple[str, ...]]:
        ids = self.mapping.id
        found = [self.header.need(names) for names in (ids.columns or ids.derive or ())]
        present = [f for f in found if f is not None]
        if ids.derive is not None or not present:
            return None, tuple(present)
        texts = [sql.text(sql.quote(c), self.mapping.null_values) for c in present]
        key = texts[0]
        if len(texts) > 1:
            # Empty parts stay visible ('a||c'), so ('a', NULL, 'c') and ('a', 'c', NULL) differ.
            parts = ", ".join(f"coalesce({t}, '')" for t in texts)
            key = (
                f"CASE WHEN coalesce({', '.join(texts)}) IS NULL THEN NULL "
                f"ELSE concat_ws('|', {parts}) END"
            )
        reason = f"the id ({', '.join(present)}) is empty"
        self.checks.append(Check(f"({key} IS NULL)", present[0], reason))
        return key, ()

    def _date_only(self, time_column: str | None) -> str:
        """Whether the table's time column was read from a date alone (false when unmapped)."""
        if time_column is None or time_column not in self.mapping.columns:
            return "false"
        return self._value_of(time_column).date_only or "false"

    def _local_occurrence(self, schema: pa.Schema) -> dict[str, str]:
        """``incidents.occurred_date``/``occurred_hour`` from ``occurred_start``'s local value.

        Read off the wall-clock time before it became UTC (no conversion per row); only a
        constant start has none and is converted. No hour when the start is a date alone.
        """
        if "occurred_date" not in schema.names:
            return {}
        start = self._value_of("occurred_start")
        zone = sql_string(self.mapping.time_zone)
        local = start.local or f"timezone({zone}, CAST({start.sql} AS TIMESTAMPTZ))"
        return derived.local_occurrence(local, start.date_only or "false")

    # -- one canonical value -----------------------------------------------------------------

    def _value(self, spec: ColumnSpec, name: str, target: Kind, duck: str) -> _Value:
        if spec.has_constant:
            return _Value(sql.literal(self._canonical(name, spec.constant)))
        if spec.first_of is not None:
            parts = [self._value(part, name, target, duck) for part in spec.first_of]
            shown = next((p.shown for p in parts if p.shown), None)
            checks = tuple(c for p in parts for c in p.checks)
            locals_ = [p.local for p in parts if p.local]
            local = f"coalesce({', '.join(locals_)})" if len(locals_) == len(parts) else None
            value = f"coalesce({', '.join(p.sql for p in parts)})"
            return _Value(value, checks, shown, _first_date_only(parts), local)
        if target in {"timestamp", "date"}:
            return self._time(spec, target)
        raw = self._raw(spec)
        if target == "list" and not spec.is_list:
            one = f"CASE WHEN {raw.sql} IS NULL THEN NULL ELSE [{raw.sql}] END"
            raw = _Value(one, raw.checks, raw.shown)
        if target == "list" or spec.reduce is not None:
            return self._list(spec, name, target, raw)
        return self._scalar(spec, name, (target, duck), raw)

    def _nulls(self, spec: ColumnSpec) -> tuple[str, ...]:
        return (*self.mapping.null_values, *spec.null_values)

    def _raw(self, spec: ColumnSpec) -> _Value:
        """The raw text (or list of texts) a spec reads, before any meaning is given to it."""
        nulls = self._nulls(spec)
        if spec.flags is not None:
            return self._flags(spec)
        if spec.columns is not None:
            refs = [self.header.ref((c,), optional=spec.optional) for c in spec.columns]
            listed = f"[{', '.join(sql.text(r.sql, nulls) for r in refs)}]"
            return _Value(f"list_filter({listed}, lambda e: e IS NOT NULL)", (), refs[0].column)
        ref = self.header.ref(spec.column or (), optional=spec.optional)
        value = sql.text(ref.sql, nulls)
        checks: tuple[Check, ...] = ()
        if spec.pattern is not None:
            kept = sql.extract(value, spec.pattern)
            if not spec.pseudonymise:
                reason = f"{ref.column} does not match the pattern {spec.pattern!r}"
                checks = (Check(f"({value} IS NOT NULL AND {kept} IS NULL)", ref.column, reason),)
            value = kept
        if spec.split is not None:
            value = sql.split(value, spec.split, nulls)
        return _Value(value, checks, ref.column)

    def _flags(self, spec: ColumnSpec) -> _Value:
        truthy = spec.true_values or sql.TRUE_VALUES
        falsy = spec.false_values or sql.FALSE_VALUES
        parts: list[str] = []
        checks: list[Check] = []
        for raw, meaning in (spec.flags or {}).items():
            ref = self.header.ref((raw,), optional=spec.optional)
            value = sql.text(ref.sql, self._nulls(spec))
            parts.append(
                f"CASE WHEN {sql.is_one_of(value, truthy)} THEN {sql.literal(meaning)} END"
            )
            bad = f"({value} IS NOT NULL AND NOT {sql.is_one_of(value, (*truthy, *falsy))})"
            same = ("yes/no", raw, truthy, falsy, self._nulls(spec))
            checks.append(Check(bad, ref.column, _not_yes_no(ref.column, truthy, falsy), same))
        listed = f"list_filter([{', '.join(parts)}], lambda e: e IS NOT NULL)"
        return _Value(listed, tuple(checks), checks[0].column)

    def _canonical(self, name: str, value: Any) -> Any:
        """Category names as their canonical slug (``auto theft`` → ``motor_vehicle_theft``)."""
        if name != "category" or value is None:
            return value
        if self.mapping.table == "official_counts" and value in COMPARISON_SETS:
            return value
        return resolve_category(str(value)).slug

    def _lookup(self, spec: ColumnSpec, name: str, value: str) -> str:
        table = {k: self._canonical(name, v) for k, v in (spec.map or {}).items()}
        default = sql.literal(self._canonical(name, spec.default)) if spec.has_default else "NULL"
        return sql.lookup(value, table, default)

    def _unmapped(self, spec: ColumnSpec, element: str) -> str | None:
        if spec.map is None or spec.has_default:
            return None
        return f"({element} IS NOT NULL AND NOT {sql.is_one_of(element, spec.map)})"

    def _scalar(self, spec: ColumnSpec, name: str, target: tuple[Kind, str], raw: _Value) -> _Value:
        column = raw.shown or ""
        checks = list(raw.checks)
        if spec.pseudonymise:
            scope = f"{PSEUDONYM_KINDS[name]}|{self.mapping.agency}|"
            return _Value(f"pseudonym({sql_string(scope)} || {raw.sql})")
        if spec.map is not None:
            unmapped = self._unmapped(spec, raw.sql)
            if unmapped:
                checks.append(Check(unmapped, column, _not_in_map(column, name)))
            return _Value(self._lookup(spec, name, raw.sql), tuple(checks), column)
        value, reason = _typed(spec, target, raw.sql, column)
        if reason:
            checks.append(Check(f"({raw.sql} IS NOT NULL AND ({value}) IS NULL)", column, reason))
        return _Value(value, tuple(checks), column)

    def _list(self, spec: ColumnSpec, name: str, target: Kind, raw: _Value) -> _Value:
        column = raw.shown or ""
        items = raw.sql
        checks = list(raw.checks)
        if spec.map is not None:
            items = sql.elements(items, self._lookup(spec, name, "e"))
            unmapped = self._unmapped(spec, "e")
            if unmapped:
                bad = sql.any_element(raw.sql, unmapped)
                checks.append(Check(bad, column, _not_in_map(column, name)))
        elif target in {"int", "float"}:
            items = sql.elements(items, "TRY_CAST(e AS DOUBLE)")
            bad = sql.any_element(raw.sql, "TRY_CAST(e AS DOUBLE) IS NULL")
            checks.append(Check(bad, column, f"{column} has a value that is not a number"))
        if spec.reduce is not None:
            return _Value(f"list_{spec.reduce}({items})", tuple(checks), column)
        return _Value(
            f"CASE WHEN len({items}) = 0 THEN NULL ELSE {items} END", tuple(checks), column
        )

    # -- times ---------------------------------------------------------------------------------

    def _time(self, spec: ColumnSpec, target: Kind) -> _Value:
        ref = self.header.ref(spec.column or (), optional=spec.optional)
        zone = self.mapping.time_zone
        formats = spec.format or ()
        x = sql.text(ref.sql, self._nulls(spec))
        reason = f"{ref.column} is not a date in the format(s) {', '.join(formats)}"
        if spec.time is None and target == "timestamp":
            parsed = [(self._helper(sql.parsed(x, f)), f) for f in formats]
            value = f"coalesce({', '.join(sql.instant(p, f, zone) for p, f in parsed)})"
            local = f"coalesce({', '.join(sql.wall_clock(p, f, zone) for p, f in parsed)})"
            whens = " ".join(
                f"WHEN {p} IS NOT NULL THEN {sql.literal(not sql.has_time_of_day(f))}"
                for p, f in parsed
            )
            bad = Check(f"({x} IS NOT NULL AND {value} IS NULL)", ref.column, reason)
            date_only = f"coalesce(CASE {whens} END, false)"
            return _Value(value, (bad,), ref.column, date_only, local)
        day = self._helper(f"coalesce({', '.join(sql.local_date(x, f, zone) for f in formats)})")
        bad = Check(f"({x} IS NOT NULL AND {day} IS NULL)", ref.column, reason)
        if target == "date" or spec.time is None:
            return _Value(day, (bad,), ref.column)
        clock, check = self._clock(spec)
        local = f"{day} + coalesce({clock}, TIME '00:00')"
        value = f"timezone({sql_string(zone)}, {local})"
        date_only = f"coalesce({day} IS NOT NULL AND {clock} IS NULL, false)"
        return _Value(value, (bad, check), ref.column, date_only, local)

    def _clock(self, spec: ColumnSpec) -> tuple[str, Check]:
        """The time of day from the spec's ``time`` column (NULL in a file without one)."""
        if spec.time is None:
            raise ValueError("a spec without time has no clock")
        ref = self.header.ref(spec.time.column, optional=spec.optional)
        t = sql.text(ref.sql, self._nulls(spec))
        if spec.time.zero_pad:
            t = sql.zero_padded(t, spec.time.zero_pad)
        clock = self._helper(
            f"coalesce({', '.join(sql.time_of_day(t, f) for f in spec.time.format)})"
        )
        reason = f"{ref.column} is not a time of day in the format(s) {', '.join(spec.time.format)}"
        return clock, Check(f"({t} IS NOT NULL AND {clock} IS NULL)", ref.column, reason)

    # -- incidents: what the category says -----------------------------------------------------

    def _from_category(self, name: str) -> str:
        category = self._value_of("category").sql
        code = self._value_of("nibrs_code").sql if name == "comparison_sets" else "NULL"
        return derived.from_category(name, category, code)


def _first_date_only(parts: Sequence[_Value]) -> str | None:
    """Whether the first part of a ``first_of`` that gives a value is a date alone."""
    if not any(p.date_only for p in parts):
        return None
    whens = " ".join(f"WHEN {p.sql} IS NOT NULL THEN {p.date_only or 'false'}" for p in parts)
    return f"coalesce(CASE {whens} END, false)"


def _typed(
    spec: ColumnSpec, target: tuple[Kind, str], x: str, column: str
) -> tuple[str, str | None]:
    """Raw text as the target's type, and the reason to reject text that is not of it."""
    kind_, duck = target
    if kind_ == "bool":
        truthy = spec.true_values or sql.TRUE_VALUES
        falsy = spec.false_values or sql.FALSE_VALUES
        return sql.boolean(x, truthy, falsy), _not_yes_no(column, truthy, falsy)
    if kind_ in {"int", "float"}:
        return f"TRY_CAST({x} AS {duck})", f"{column} is not a number (or is out of range)"
    if spec.age_band:
        return sql.age_band(x), f"{column} is not an age (0 to {sql.MAX_AGE})"
    return x, None


def _not_in_map(column: str, name: str) -> str:
    return f"{column} has a value missing from the map for {name} (add it, or give a default)"


def _not_yes_no(column: str, truthy: Sequence[str], falsy: Sequence[str]) -> str:
    return f"{column} is not yes/no ({'/'.join(truthy)} or {'/'.join(falsy)})"
