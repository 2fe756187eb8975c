"""The drill-down around the table: when, where and what, for one row at one geography.

For an agency, a level and geography, a row (or a set's TOTAL) and a window, the drill-down
gives the day-of-week × hour heat map, the counts by premises (``location_type``) and by offence
subtype (``offense_desc_src`` with ``nibrs_code``), and the window's incidents for a map.

Times are local: the weekday of ``incidents.occurred_date`` and ``occurred_hour``, as the
adapters wrote them from the source's wall clock. An incident with a date but no time
(``occurred_hour`` NULL: date-only records, police.uk's months) is counted as *time unknown*,
never put at midnight. Every day of the window counts, 29 February too (the sheet leaves it out
only to compare like with like). Levels follow the cube (:mod:`beatwise.compstat.cube`): the
city, a place column of the incidents, or a boundary layer through ``area_membership`` (a
layer replaces the place column of the same name).

Each part is one Ibis query run by the engine, so the drill-down runs on DuckDB and PySpark.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import ibis

from beatwise.compstat.calendar import Window
from beatwise.compstat.cube import CITY, PLACE_COLUMNS, DataVersion
from beatwise.compstat.selection import Selection
from beatwise.compstat.sheets import NoDataError
from beatwise.datamodel.geography import area_order
from beatwise.warehouse.engines.base import Engine

if TYPE_CHECKING:
    import ibis.expr.types as ir

METHOD = "docs/methods/compstat-trend.md#drill-down"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_K = TypeVar("_K", tuple[str | None], tuple[str | None, str | None])
_MAP_COLUMNS = ("record_id", "lat", "lon", "category", "occurred_date", "location_type")


@dataclass(frozen=True)
class Premises:
    """Incidents at one canonical location type (None: the source did not say or map it)."""

    location_type: str | None
    count: int


@dataclass(frozen=True)
class Subtype:
    """Incidents of one offence as the source describes it, with its NIBRS code when pinned."""

    description: str | None
    nibrs_code: str | None
    count: int


@dataclass(frozen=True)
class MapPoint:
    """One located incident of the window."""

    record_id: str
    lat: float
    lon: float
    category: str
    occurred_date: date
    location_type: str | None

    def as_json(self) -> dict[str, Any]:
        """The point, its date as ISO text."""
        return {
            "record_id": self.record_id,
            "lat": self.lat,
            "lon": self.lon,
            "category": self.category,
            "occurred_date": self.occurred_date.isoformat(),
            "location_type": self.location_type,
        }


@dataclass(frozen=True)
class Drilldown:
    """When, where and what for one selection and window, and the data it came from."""

    agency: str
    selection: Selection
    window: Window
    data_version: dict[str, int | None]
    heat: tuple[tuple[int, ...], ...]
    """Weekday (Monday first) × local hour 0–23."""
    time_unknown: int
    premises: tuple[Premises, ...]
    subtypes: tuple[Subtype, ...]
    points: tuple[MapPoint, ...]
    """Located incidents, latest first, at most ``map_limit``."""
    map_limit: int
    not_shown: int
    """Located incidents beyond ``map_limit``."""
    without_location: int

    @property
    def total(self) -> int:
        """Every incident of the selection in the window."""
        return sum(map(sum, self.heat)) + self.time_unknown

    def as_json(self) -> dict[str, Any]:
        """The drill-down as JSON (heat map as a 7 × 24 matrix, Monday first)."""
        return {
            "agency": self.agency,
            **self.selection.as_json(),
            "window": {"start": self.window.start.isoformat(), "end": self.window.end.isoformat()},
            "data_version": self.data_version,
            "method": METHOD,
            "total": self.total,
            "heatmap": {
                "weekdays": list(WEEKDAYS),
                "hours": list(range(24)),
                "counts": [list(day) for day in self.heat],
                "time_unknown": self.time_unknown,
            },
            "premises": [
                {"location_type": p.location_type, "count": p.count} for p in self.premises
            ],
            "subtypes": [
                {"description": s.description, "nibrs_code": s.nibrs_code, "count": s.count}
                for s in self.subtypes
            ],
            "map": {
                "limit": self.map_limit,
                "points": [p.as_json() for p in self.points],
                "not_shown": self.not_shown,
                "without_location": self.without_location,
            },
        }


def drilldown(
    engine: Engine,
    agency: str,
    window: Window,
    selection: Selection,
    *,
    version: DataVersion | None = None,
    map_limit: int = 1000,
) -> Drilldown:
    """The drill-down of ``selection`` for ``agency``'s incidents dated in ``window``.

    Parameters
    ----------
    engine
        The warehouse engine (DuckDB or PySpark).
    agency
        The agency as loaded (see :func:`beatwise.compstat.sheets.choose_agency`).
    window
        First and last local day, both included.
    selection
        Level, geography and row (a set stands for its TOTAL).
    version
        The table versions to read (default: the latest).
    map_limit
        At most this many points, the latest first; ``not_shown`` counts the rest.

    Examples
    --------
    >>> from beatwise.compstat.rows import ROW_SETS
    >>> week = Window(date(2020, 2, 24), date(2020, 3, 1))
    >>> selection = Selection(ROW_SETS["toronto_mci"], "neighbourhood", "Elm Park")
    >>> drilldown(engine, "Toronto Police Service", week, selection)  # doctest: +SKIP
    """
    if map_limit < 0:
        raise ValueError(f"map_limit must be 0 or more, not {map_limit}")
    pinned = version or DataVersion.latest(engine)
    rows = selected_incidents(engine, agency, window, selection, pinned)
    when = _when(engine, rows)
    if not when.total:
        _check_geography(engine, agency, selection, pinned)
    premises, subtypes = _what(engine, rows)
    located = rows.filter(rows.lat.notnull() & rows.lon.notnull())
    return Drilldown(
        agency=agency,
        selection=selection,
        window=window,
        data_version=pinned.as_json(),
        heat=when.heat,
        time_unknown=when.time_unknown,
        premises=premises,
        subtypes=subtypes,
        points=_points(engine, located, map_limit) if min(map_limit, when.located) else (),
        map_limit=map_limit,
        not_shown=max(0, when.located - map_limit),
        without_location=when.total - when.located,
    )


def selected_incidents(
    engine: Engine, agency: str, window: Window, selection: Selection, version: DataVersion
) -> ir.Table:
    """``agency``'s incidents of the selection's row and geography dated in ``window``."""
    if version.incidents is None:
        raise NoDataError("no incidents are loaded; run 'beatwise demo' or 'beatwise ingest'")
    t = engine.table("incidents", version.incidents)
    t = t.filter(
        t.agency == agency,
        t.occurred_date >= window.start,
        t.occurred_date <= window.end,
        _in_row(t, selection),
    )
    if selection.level == CITY:
        return t
    if _is_layer(engine, selection.level, version):
        member = _members(engine, selection.level, version)
        member = member.filter(member.area_id == selection.geography)
        return t.semi_join(member, t.record_id == member.record_id)
    if selection.level in PLACE_COLUMNS:
        return t.filter(t[selection.level] == selection.geography)
    known = ", ".join([CITY, *PLACE_COLUMNS, *_layers(engine, version)])
    raise KeyError(f"no level {selection.level!r}; levels: {known}")


def _in_row(t: ir.Table, selection: Selection) -> ir.BooleanValue:
    """Whether an incident counts in the selection's row (or in any row of its set)."""
    tests = [
        t.category == spec.category
        if spec.in_set is None
        else (t.category == spec.category) & t.comparison_sets.contains(spec.in_set)
        for spec in selection.specs
    ]
    found: ir.BooleanValue = ibis.or_(*tests)
    return found


def _members(engine: Engine, layer: str, version: DataVersion) -> ir.Table:
    member = engine.table("area_membership", version.area_membership)
    return member.filter(member.source_table == "incidents", member.layer == layer)


def _layers(engine: Engine, version: DataVersion) -> list[str]:
    """The boundary layers incidents were assigned to."""
    if version.area_membership is None:
        return []
    member = engine.table("area_membership", version.area_membership)
    rows = member.filter(member.source_table == "incidents").select("layer").distinct()
    return sorted(str(v) for v in engine.to_arrow_table(rows)["layer"].to_pylist())


def _is_layer(engine: Engine, level: str, version: DataVersion) -> bool:
    if version.area_membership is None:
        return False
    return _count(engine, _members(engine, level, version).limit(1)) > 0


def _count(engine: Engine, rows: ir.Table) -> int:
    return int(engine.to_arrow_table(rows.aggregate(n=rows.count()))["n"][0].as_py())


@dataclass(frozen=True)
class _When:
    heat: tuple[tuple[int, ...], ...]
    time_unknown: int
    located: int

    @property
    def total(self) -> int:
        return sum(map(sum, self.heat)) + self.time_unknown


def _when(engine: Engine, rows: ir.Table) -> _When:
    """Counts by local weekday × hour, the count with no hour, and the count with a point."""
    keyed = rows.select(
        weekday=rows.occurred_date.day_of_week.index(),
        hour=rows.occurred_hour,
        located=rows.lat.notnull() & rows.lon.notnull(),
    )
    cells = keyed.group_by(["weekday", "hour", "located"]).aggregate(n=keyed.count())
    grid = [[0] * 24 for _ in WEEKDAYS]
    unknown = located = 0
    for cell in engine.to_arrow_table(cells).to_pylist():
        n = int(cell["n"])
        located += n if cell["located"] else 0
        if cell["hour"] is None:
            unknown += n
        else:
            grid[int(cell["weekday"])][int(cell["hour"])] += n
    return _When(tuple(tuple(day) for day in grid), unknown, located)


def _what(engine: Engine, rows: ir.Table) -> tuple[tuple[Premises, ...], tuple[Subtype, ...]]:
    """Counts by premises and by offence subtype, from one grouping by both."""
    keys = ["location_type", "offense_desc_src", "nibrs_code"]
    grouped = engine.to_arrow_table(rows.group_by(keys).aggregate(n=rows.count())).to_pylist()
    by_premises: Counter[tuple[str | None]] = Counter()
    by_subtype: Counter[tuple[str | None, str | None]] = Counter()
    for r in grouped:
        by_premises[(r["location_type"],)] += int(r["n"])
        by_subtype[(r["offense_desc_src"], r["nibrs_code"])] += int(r["n"])
    return (
        tuple(Premises(*k, n) for k, n in _largest_first(by_premises)),
        tuple(Subtype(*k, n) for k, n in _largest_first(by_subtype)),
    )


def _largest_first(counts: Counter[_K]) -> list[tuple[_K, int]]:
    """Counts largest first, ties by key (None last), so every engine lists them alike."""
    return sorted(counts.items(), key=lambda kn: (-kn[1], [(v is None, v or "") for v in kn[0]]))


def _points(engine: Engine, located: ir.Table, limit: int) -> tuple[MapPoint, ...]:
    """The latest ``limit`` located incidents (ties by record id, so every engine agrees)."""
    ordered = located.order_by([ibis.desc("occurred_date"), "record_id"]).limit(limit)
    found = engine.to_arrow_table(ordered.select(*_MAP_COLUMNS)).to_pylist()
    return tuple(MapPoint(**row) for row in found)


def _check_geography(
    engine: Engine, agency: str, selection: Selection, version: DataVersion
) -> None:
    """Raise when the selection's geography has no incidents of ``agency`` at all (a typo)."""
    if selection.level == CITY or version.incidents is None:
        return
    t = engine.table("incidents", version.incidents)
    if _is_layer(engine, selection.level, version):
        member = _members(engine, selection.level, version)
        areas = member.semi_join(t.filter(t.agency == agency), member.record_id == t.record_id)
        known = areas.select(geography=areas.area_id).distinct()
    else:
        agency_rows = t.filter(t.agency == agency)
        known = agency_rows.select(geography=agency_rows[selection.level]).distinct()
    names = {str(g) for g in engine.to_arrow_table(known)["geography"].to_pylist() if g}
    if selection.geography not in names:
        listed = ", ".join(sorted(names, key=area_order)[:30])
        raise KeyError(
            f"no geography {selection.geography!r} at level {selection.level}; known: {listed}"
        )
