"""Compile a mapping's ``coordinates`` and ``extent`` into lat/lon SQL and reject checks.

Alternatives are tried row by row, in order: the first that gives both numbers wins (Dallas
has projected X/Y in some years and a ``GeoLocation`` text column in others). Projected
coordinates are reprojected to WGS84 with DuckDB spatial's ``ST_Transform``. A number that
cannot be read, a point at 0,0 (a missing place written as zero) and a point outside the
agency's extent are rejected; a ``point`` column holding an address instead of coordinates
(Dallas writes the address when geocoding failed) simply gives no place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from beatwise.ingest.mappings.expressions import point_lat_lon, reprojected, text
from beatwise.ingest.mappings.header import Check, Header
from beatwise.ingest.mappings.model import CoordinateSpec, Mapping
from beatwise.ingest.sources.base import sql_string


@dataclass(frozen=True)
class Place:
    """SQL for lat, lon and geo_precision, and the checks that reject bad places."""

    lat: str
    lon: str
    precision: str
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class _Alternative:
    lat: str
    lon: str
    precision: str
    shown: str
    raw_numbers: tuple[tuple[str, str], ...]  # (raw column, text SQL) that must be numbers


def compile_place(mapping: Mapping, header: Header, helper: Callable[[str], str]) -> Place:
    """The place columns of ``mapping`` for a file with ``header``.

    ``helper`` makes a helper column of an expression and returns its alias: each candidate
    place is computed (and reprojected) once, however many checks look at it.
    """
    alternatives = []
    for spec in mapping.coordinates:
        alt = _alternative(spec, header, mapping.null_values)
        lat, lon = helper(alt.lat), helper(alt.lon)
        alternatives.append(_Alternative(lat, lon, alt.precision, alt.shown, alt.raw_numbers))
    if not alternatives:
        return Place("CAST(NULL AS DOUBLE)", "CAST(NULL AS DOUBLE)", "'none'", ())
    found = [f"({a.lat} IS NOT NULL AND {a.lon} IS NOT NULL)" for a in alternatives]
    pairs = list(zip(found, alternatives, strict=True))
    lat = " ".join(f"WHEN {f} THEN {a.lat}" for f, a in pairs)
    lon = " ".join(f"WHEN {f} THEN {a.lon}" for f, a in pairs)
    precision = " ".join(f"WHEN {f} THEN {sql_string(a.precision)}" for f, a in pairs)
    checks = tuple(_checks(mapping, alternatives))
    return Place(f"CASE {lat} END", f"CASE {lon} END", f"CASE {precision} ELSE 'none' END", checks)


def _alternative(
    spec: CoordinateSpec, header: Header, null_values: tuple[str, ...]
) -> _Alternative:
    names = {"latlon": (spec.lat, spec.lon), "xy": (spec.x, spec.y), "point": (spec.point,)}
    refs = [header.ref(n, optional=spec.optional) for n in names[spec.kind] if n is not None]
    texts = [text(r.sql, null_values) for r in refs]
    if spec.kind == "point":
        lat, lon = point_lat_lon(texts[0])
        return _Alternative(lat, lon, spec.precision, refs[0].column, ())
    first, second = (f"TRY_CAST({t} AS DOUBLE)" for t in texts)
    lat, lon = first, second
    if spec.kind == "xy" and spec.crs is not None:
        # 0,0 stays 0,0 (rejected below), not a point somewhere off the coast of Africa.
        zero = f"({first} = 0 AND {second} = 0)"
        projected_lat, projected_lon = reprojected(first, second, spec.crs)
        lat = f"CASE WHEN {zero} THEN 0 ELSE {projected_lat} END"
        lon = f"CASE WHEN {zero} THEN 0 ELSE {projected_lon} END"
    numbers = tuple((r.column, t) for r, t in zip(refs, texts, strict=True))
    return _Alternative(lat, lon, spec.precision, refs[0].column, numbers)


def _checks(mapping: Mapping, alternatives: list[_Alternative]) -> Iterator[Check]:
    """Per alternative: unreadable numbers, 0,0, outside the extent (when it is the one used)."""
    earlier: list[str] = []
    for alt in alternatives:
        for column, sql in alt.raw_numbers:
            yield Check(
                f"({sql} IS NOT NULL AND TRY_CAST({sql} AS DOUBLE) IS NULL)",
                column,
                f"{column} is not a number",
            )
        used = " AND ".join([f"{alt.lat} IS NOT NULL AND {alt.lon} IS NOT NULL", *earlier])
        earlier.append(f"NOT ({alt.lat} IS NOT NULL AND {alt.lon} IS NOT NULL)")
        zero = f"({alt.lat} = 0 AND {alt.lon} = 0)"
        yield Check(
            f"({used} AND {zero})",
            alt.shown,
            f"{alt.shown} places the row at 0,0 (a missing location written as zeros)",
        )
        yield Check(
            f"({used} AND NOT {zero} AND {_outside(mapping, alt)})", alt.shown, _why(mapping, alt)
        )


def _outside(mapping: Mapping, alt: _Alternative) -> str:
    if mapping.extent is None:
        return f"(abs({alt.lat}) > 90 OR abs({alt.lon}) > 180)"
    min_lon, min_lat, max_lon, max_lat = mapping.extent
    return (
        f"({alt.lon} NOT BETWEEN {min_lon} AND {max_lon} "
        f"OR {alt.lat} NOT BETWEEN {min_lat} AND {max_lat})"
    )


def _why(mapping: Mapping, alt: _Alternative) -> str:
    if mapping.extent is None:
        return f"{alt.shown} gives a latitude or longitude out of range"
    return f"{alt.shown} places the row outside the agency's extent {list(mapping.extent)}"
