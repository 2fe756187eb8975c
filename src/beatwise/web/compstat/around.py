"""Around the table: the chosen row's trend, drill-down and map for the page and the API.

The trend is :func:`beatwise.compstat.trend.weekly_trend` over the app's cached cube, the
drill-down :func:`beatwise.compstat.drilldown.drilldown` over the chosen period, the charts the
reports package's Vega-Lite specs; nothing is computed here but labels and the map's GeoJSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from beatwise.compstat.calendar import ReportCalendar, Window
from beatwise.compstat.cube import CITY, CITYWIDE
from beatwise.compstat.drilldown import Drilldown, drilldown
from beatwise.compstat.report import Report
from beatwise.compstat.rows import RowSet, RowSpec
from beatwise.compstat.selection import Selection
from beatwise.compstat.trend import Trend, weekly_trend
from beatwise.reports.charts import heatmap_chart, trend_chart
from beatwise.warehouse.engines.base import Engine
from beatwise.web.compstat.geo import (
    GeoJSON,
    area_outlines,
    bounds,
    incident_points,
    loaded_layers,
    outline_layer,
)
from beatwise.web.compstat.resolve import Chosen, ParameterError
from beatwise.web.deps import Cubes

API = "/api/v1/compstat"
TOTAL = "total"
PERIODS = {"wtd": "Week to date", "d28": "Last 28 days", "ytd": "Year to date"}
"""The drill-down's periods: the sheet's own windows, by their JSON keys."""
DEFAULT_PERIOD = "d28"
MAP_LIMIT = 1000
LISTED = 12
"""Premises and subtypes listed on the page; the rest are summed in one line."""


def row_choices(rows: RowSet) -> tuple[tuple[str, str], ...]:
    """``(value, label)`` of the rows a trend can follow: TOTAL, then the set's rows."""
    return ((TOTAL, f"TOTAL ({rows.title})"), *((r.category, r.label) for r in rows.rows))


def chosen_row(rows: RowSet, row: str | None) -> RowSet | RowSpec:
    """The set (its TOTAL) or the set's row whose category slug is ``row``."""
    if row is None or row.strip().lower() == TOTAL:
        return rows
    for spec in rows.rows:
        if spec.category == row.strip().lower():
            return spec
    known = [value for value, _ in row_choices(rows)]
    raise ParameterError("row", f"no row {row!r} in {rows.title}; rows: {', '.join(known)}", known)


def period_window(as_of: date, period: str | None) -> Window:
    """The sheet's window called ``period`` (default the last 28 days)."""
    calendar = ReportCalendar(as_of)
    windows = {
        "wtd": calendar.week_to_date,
        "d28": calendar.last_28_days,
        "ytd": calendar.year_to_date,
    }
    key = period or DEFAULT_PERIOD
    if key not in windows:
        known = list(PERIODS)
        raise ParameterError("period", f"no period {key!r}; periods: {', '.join(known)}", known)
    return windows[key]


def selection_of(report: Report, geography: str | None, row: str | None) -> Selection:
    """The trend's and drill-down's subject: one geography of the report's level, one row."""
    if geography is None:
        if report.level != CITY:
            known = list(report.geographies)
            raise ParameterError("geography", "give one geography of the level", known)
        geography = CITYWIDE
    return Selection(chosen_row(report.row_set, row), report.level, geography)


def trend_of(cubes: Cubes, engine: Engine, chosen: Chosen, selection: Selection) -> Trend:
    """The weekly trend of ``selection`` up to the as-of week, from the app's cube."""
    with cubes.lock:
        cube = cubes.cache.get(engine, chosen.agency, chosen.version)
        return weekly_trend(cube, chosen.as_of, selection)


def drill_of(engine: Engine, chosen: Chosen, selection: Selection, period: str | None) -> Drilldown:
    """The drill-down of ``selection`` over ``period`` at the chosen data version."""
    window = period_window(chosen.as_of, period)
    return drilldown(
        engine, chosen.agency, window, selection, version=chosen.version, map_limit=MAP_LIMIT
    )


@dataclass(frozen=True)
class Count:
    """A labelled count with its share of the period's incidents (percent, one decimal)."""

    label: str
    count: int
    share: float


def counts(pairs: list[tuple[str, int]], total: int) -> tuple[tuple[Count, ...], Count | None]:
    """The first :data:`LISTED` counts, and the rest summed (None when nothing is left)."""

    def share(n: int) -> float:
        return round(100 * n / total, 1) if total else 0.0

    shown = tuple(Count(label, n, share(n)) for label, n in pairs[:LISTED])
    rest = pairs[LISTED:]
    if not rest:
        return shown, None
    n = sum(c for _, c in rest)
    return shown, Count(f"{len(rest)} more", n, share(n))


@dataclass(frozen=True)
class Around:
    """What the page shows around the table for one geography, row and period."""

    row: str
    rows: tuple[tuple[str, str], ...]
    period: str
    periods: tuple[tuple[str, str], ...]
    window: Window
    trend: dict[str, Any]
    """The trend chart's Vega-Lite spec."""
    heatmap: dict[str, Any]
    total: int
    premises: tuple[Count, ...]
    premises_rest: Count | None
    subtypes: tuple[Count, ...]
    subtypes_rest: Count | None
    map: dict[str, Any]
    """``points``, ``areas`` (or None), ``selected`` area, ``bounds`` for the map script."""
    map_note: str
    api: dict[str, str]
    """The API addresses of the same trend and drill-down (``trend``, ``drilldown``)."""


def api_urls(chosen: Chosen, selection: Selection, row: str, period: str) -> dict[str, str]:
    """``/api/v1/compstat/trend`` and ``/drilldown`` for the same choices."""
    query = urlencode(
        {
            "agency": chosen.agency,
            "as_of": chosen.as_of.isoformat(),
            "level": selection.level,
            "geography": selection.geography,
            "row": row,
            "period": period,
        }
    )
    return {name: f"{API}/{name}?{query}" for name in ("trend", "drilldown")}


def around(
    engine: Engine,
    cubes: Cubes,
    chosen: Chosen,
    report: Report,
    wanted: tuple[str, str | None, str | None],
) -> Around:
    """Trend, drill-down and map of ``wanted`` (geography, row, period) on ``report``'s level."""
    geography, row, period = wanted
    selection = selection_of(report, geography, row)
    drill = drill_of(engine, chosen, selection, period)
    premises = [(_label(p.location_type), p.count) for p in drill.premises]
    subtypes = [(_subtype(s.description, s.nibrs_code), s.count) for s in drill.subtypes]
    shown_premises, premises_rest = counts(premises, drill.total)
    shown_subtypes, subtypes_rest = counts(subtypes, drill.total)
    row_value = TOTAL if isinstance(selection.row, RowSet) else selection.row.category
    period = period or DEFAULT_PERIOD
    return Around(
        row=row_value,
        rows=row_choices(report.row_set),
        period=period,
        periods=tuple(PERIODS.items()),
        window=drill.window,
        trend=trend_chart(trend_of(cubes, engine, chosen, selection)),
        heatmap=heatmap_chart(drill),
        total=drill.total,
        premises=shown_premises,
        premises_rest=premises_rest,
        subtypes=shown_subtypes,
        subtypes_rest=subtypes_rest,
        map=map_data(engine, chosen, selection, drill),
        map_note=map_note(drill),
        api=api_urls(chosen, selection, row_value, period),
    )


def map_data(
    engine: Engine, chosen: Chosen, selection: Selection, drill: Drilldown
) -> dict[str, Any]:
    """The map's GeoJSON: the period's points and the outlined layer's areas."""
    points = incident_points(drill)
    layer = outline_layer(selection.level, loaded_layers(engine))
    areas: GeoJSON | None = area_outlines(engine, layer, chosen.as_of) if layer else None
    selected = selection.geography if layer == selection.level else None
    return {
        "points": points,
        "areas": areas,
        "layer": layer,
        "selected": selected,
        "bounds": bounds(points, *([areas] if areas else [])),
    }


def map_note(drill: Drilldown) -> str:
    """How many incidents the map shows, and which it cannot."""
    parts = [f"{len(drill.points):,} of {drill.total:,} incidents mapped"]
    if drill.not_shown:
        parts.append(f"{drill.not_shown:,} more not drawn (the latest {drill.map_limit:,} are)")
    if drill.without_location:
        parts.append(f"{drill.without_location:,} without a location")
    return "; ".join(parts) + "."


def _label(value: str | None) -> str:
    return value.replace("_", " ").capitalize() if value else "Not recorded"


def _subtype(description: str | None, code: str | None) -> str:
    text = description or "Not recorded"
    return f"{text} (NIBRS {code})" if code else text
