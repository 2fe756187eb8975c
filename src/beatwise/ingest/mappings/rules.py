"""What a well-shaped mapping must also respect: its table's columns and types, the offence
taxonomy, and the privacy rules (no names read; identifiers only through keyed pseudonyms).

Each problem is an :class:`Issue` at a place in the YAML (``("columns", "officer_key")``), so
the loader can name the line; all problems are reported at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import pyarrow as pa

from beatwise.datamodel import IDENTITY_FIELDS, TABLES
from beatwise.datamodel.taxonomy import COMPARISON_SETS, resolve_category
from beatwise.ingest.mappings.model import ColumnSpec, Mapping
from beatwise.privacy.names import looks_like_a_name, names_an_officer

Loc = tuple[str | int, ...]
Kind = Literal["text", "bool", "int", "float", "timestamp", "date", "list", "other"]

WRITABLE_TABLES = tuple(t for t in TABLES if t not in {"ingests", "rejects", "area_membership"})
AUTOMATIC = {
    "time_zone": "the mapping's time_zone",
    "date_only": "the table's time column (a date without a time of day)",
    "occurred_date": "occurred_start (its local calendar date)",
    "occurred_hour": "occurred_start (its local hour)",
    "lat": "coordinates",
    "lon": "coordinates",
    "geo_precision": "coordinates (precision)",
}
"""Columns the compiler fills from other parts of the mapping, never from ``columns``."""

FROM_CATEGORY = frozenset({"crime_against", "is_sensitive", "comparison_sets"})
"""``incidents`` columns derived from ``category`` (and ``nibrs_code``) when not mapped."""

PSEUDONYM_KINDS = {"officer_key": "officer", "subject_person_key": "person", "person_key": "person"}
"""Key columns and the kind of person they identify (part of the pseudonym's input)."""

_IDENTITY = frozenset(f.name for f in IDENTITY_FIELDS)
_PRIVACY_FIX = (
    "remove it: names never enter the warehouse (an officer's name or number may be read only "
    "into officer_key with pseudonymise: true)"
)


@dataclass(frozen=True)
class Issue:
    """One problem in a mapping: where (a path into the YAML), what, and how to fix it."""

    loc: Loc
    message: str
    fix: str


def kind(data_type: pa.DataType) -> Kind:
    """The kind of value a canonical column holds, as the compiler treats it."""
    checks: tuple[tuple[Kind, Any], ...] = (
        ("text", pa.types.is_string),
        ("bool", pa.types.is_boolean),
        ("int", pa.types.is_integer),
        ("float", pa.types.is_floating),
        ("timestamp", pa.types.is_timestamp),
        ("date", pa.types.is_date),
        ("list", pa.types.is_list),
    )
    return next((name for name, test in checks if test(data_type)), "other")


def check(mapping: Mapping) -> list[Issue]:
    """Every problem of ``mapping`` against its table, the taxonomy and the privacy rules."""
    if mapping.table not in WRITABLE_TABLES:
        return [
            Issue(
                ("table",),
                f"{mapping.table!r} is not a table a mapping can write",
                f"use one of {', '.join(WRITABLE_TABLES)}",
            )
        ]
    issues = list(_check_columns(mapping))
    issues += _check_privacy(mapping)
    if mapping.extent is not None and not mapping.coordinates:
        issues.append(Issue(("extent",), "extent without coordinates", "add coordinates"))
    return issues


def _check_columns(mapping: Mapping) -> Iterator[Issue]:
    schema = TABLES[mapping.table].schema
    for name, spec in mapping.columns.items():
        loc: Loc = ("columns", name)
        if name in _IDENTITY or name in AUTOMATIC or name not in schema.names:
            yield _unknown_column(mapping, name, loc)
            continue
        yield from _check_spec(spec, name, kind(schema.field(name).type), mapping.table, loc)
    derived = set(AUTOMATIC) | (FROM_CATEGORY if mapping.table == "incidents" else set())
    for field in schema:
        missing = field.name not in mapping.columns and field.name not in derived
        if not field.nullable and field.name not in _IDENTITY and missing:
            yield Issue(
                ("columns",),
                f"table {mapping.table} needs column {field.name!r}",
                f"add {field.name} under columns (a raw column, or constant: ...)",
            )


def _unknown_column(mapping: Mapping, name: str, loc: Loc) -> Issue:
    if name in AUTOMATIC:
        return Issue(loc, f"{name} is set from {AUTOMATIC[name]}", f"remove {name} from columns")
    if name in _IDENTITY:
        return Issue(loc, f"{name} is set by the pipeline", "use id: to say how rows are keyed")
    known = [n for n in TABLES[mapping.table].schema.names if n not in _IDENTITY | set(AUTOMATIC)]
    return Issue(
        loc, f"table {mapping.table} has no column {name!r}", f"use one of {', '.join(known)}"
    )


def _check_spec(spec: ColumnSpec, name: str, target: Kind, table: str, loc: Loc) -> Iterator[Issue]:
    for index, part in enumerate(spec.first_of or ()):
        yield from _check_spec(part, name, target, table, (*loc, "first_of", index))
    yield from _check_options(spec, target, loc)
    yield from _check_values(spec, name, target, table, loc)
    if name in PSEUDONYM_KINDS and not spec.pseudonymise and spec.first_of is None:
        yield Issue(loc, f"{name} holds a person's identifier", "add pseudonymise: true")
    if spec.pseudonymise and name not in PSEUDONYM_KINDS:
        yield Issue(
            (*loc, "pseudonymise"),
            f"pseudonymise writes a key; {name} is not a key column",
            f"read identifiers into {', '.join(PSEUDONYM_KINDS)}",
        )


def _check_options(spec: ColumnSpec, target: Kind, loc: Loc) -> Iterator[Issue]:
    allowed = {
        "format": target in {"timestamp", "date"},
        "time": target == "timestamp",
        "true_values": target == "bool",
        "false_values": target == "bool",
        "age_band": target == "text",
        "reduce": target in {"int", "float"},
    }
    for option, ok in allowed.items():
        if getattr(spec, option) not in (None, False) and not ok:
            yield Issue(
                (*loc, option), f"{option} does not apply to a {target} column", "remove it"
            )
    parsed = spec.has_constant or spec.first_of is not None or spec.map is not None
    if target in {"timestamp", "date"} and spec.format is None and not parsed:
        yield Issue(loc, f"a {target} column needs format", "add format: '%m/%d/%Y %H:%M' ...")
    if spec.is_list and target not in {"list"} and spec.reduce is None:
        yield Issue(
            loc, f"this gives a list, the column holds one {target} value", "add reduce: max"
        )
    if spec.reduce is not None and not spec.is_list:
        yield Issue((*loc, "reduce"), "reduce needs a list (split, columns or flags)", "remove it")


def _check_values(
    spec: ColumnSpec, name: str, target: Kind, table: str, loc: Loc
) -> Iterator[Issue]:
    element: Kind = "text" if target == "list" else target
    if name == "category" and spec.map is None and spec.column is not None:
        yield Issue(loc, "category needs map: raw value → canonical category", "add map")
    given: list[tuple[Loc, Any]] = [((*loc, "map", k), v) for k, v in (spec.map or {}).items()]
    given += [((*loc, "flags", k), v) for k, v in (spec.flags or {}).items()]
    given += [((*loc, "default"), spec.default)] if spec.has_default else []
    given += [((*loc, "constant"), spec.constant)] if spec.has_constant else []
    for where, value in given:
        if value is None and where[-1] != "constant":
            continue
        if not _fits(value, element):
            wanted = _DESCRIBED.get(element, f"a {element} value")
            yield Issue(where, f"{value!r} is not {wanted}", f"write {wanted}")
        elif name == "category":
            yield from _check_category(str(value), table, where)


_DESCRIBED = {
    "text": "text",
    "list": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
}


def _fits(value: Any, element: Kind) -> bool:
    if element == "bool":
        return isinstance(value, bool)
    if element == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if element == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, str) and element in {"text", "list"}


def _check_category(value: str, table: str, loc: Loc) -> Iterator[Issue]:
    if table == "official_counts" and value in COMPARISON_SETS:
        return
    try:
        resolve_category(value)
    except KeyError as exc:
        yield Issue(loc, str(exc.args[0]).split(";")[0], "use a category slug or alias")


def _raw_columns(spec: ColumnSpec, loc: Loc) -> Iterator[tuple[Loc, str, ColumnSpec]]:
    """Every raw column a spec reads, with where it is named and the (sub)spec reading it."""
    for names, key in ((spec.column, "column"), (spec.columns, "columns")):
        for alternative in names or ():
            yield (*loc, key), alternative, spec
    for flag in spec.flags or {}:
        yield (*loc, "flags", flag), flag, spec
    if spec.time is not None:
        for alternative in spec.time.column:
            yield (*loc, "time", "column"), alternative, spec
    for index, part in enumerate(spec.first_of or ()):
        yield from _raw_columns(part, (*loc, "first_of", index))


def _check_privacy(mapping: Mapping) -> Iterator[Issue]:
    reads = [
        (loc, raw, spec, target)
        for target, spec in mapping.columns.items()
        for loc, raw, spec in _raw_columns(spec, ("columns", target))
    ]
    keyed = {raw for _, raw, spec, _ in reads if spec.pseudonymise}
    for loc, raw, spec, target in reads:
        officer = spec.pseudonymise and target == "officer_key" and names_an_officer(raw)
        if looks_like_a_name(raw) and not officer:
            yield Issue(loc, f"{raw!r} looks like a person's name", _PRIVACY_FIX)
        elif raw in keyed and not spec.pseudonymise:
            yield Issue(
                loc,
                f"{raw!r} is an identifier read with pseudonymise elsewhere; here it would be "
                "stored raw",
                "read it only through pseudonymise",
            )
    ids = mapping.id.columns or mapping.id.derive or ()
    part = "columns" if mapping.id.columns else "derive"
    for index, names in enumerate(ids):
        for raw in names:
            if looks_like_a_name(raw) or raw in keyed:
                yield Issue(
                    ("id", part, index),
                    f"{raw!r} is a name or a pseudonymised identifier; ids are stored (or "
                    "hashed without a key, which a short identifier does not survive)",
                    "identify rows by other columns",
                )
