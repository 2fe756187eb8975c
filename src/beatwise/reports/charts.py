"""Vega-Lite specs (plain dicts) for the CompStat trend and drill-down heat map.

The web page embeds them with vega-embed and a report can render them anywhere Vega runs. The
specs only draw what the result objects hold: every figure comes from the analysis, and every
title says which data version and which method made it, so a chart cut out of its page still
says where it came from.

The ``$schema`` is Vega-Lite 6, the version the web app ships (``package-lock.json``); the specs
use nothing that Vega-Lite 5 lacks.
"""

from __future__ import annotations

from typing import Any

from beatwise.compstat.drilldown import WEEKDAYS, Drilldown
from beatwise.compstat.trend import Trend

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
WIDTH = 720
Spec = dict[str, Any]


def _subject(agency: str, selection: dict[str, str | None]) -> str:
    """``Robbery — Elm Park (neighbourhood), Toronto Police Service``."""
    where = selection["geography"]
    if selection["level"] != "city":
        where = f"{where} ({selection['level']})"
    return f"{selection['row']} — {where}, {agency}"


def _provenance(data_version: dict[str, int | None], method: str) -> str:
    """``Data: incidents v3, area_membership v1 · method: docs/methods/...``."""
    versions = ", ".join(f"{t} v{v}" for t, v in data_version.items() if v is not None)
    return f"Data: {versions or 'none loaded'} · method: {method}"


def _utc_week(title: str) -> Spec:
    """The x encoding of a week: its Monday on a UTC time scale (dates carry no time zone)."""
    return {
        "field": "start",
        "type": "temporal",
        "scale": {"type": "utc"},
        "axis": {"title": title, "format": "%b %Y"},
    }


def trend_chart(trend: Trend) -> Spec:
    """Weekly counts as bars, the moving average as a line and the expected band as an area.

    Weeks outside the band are marked: above in red, below in blue. Weeks the data do not
    cover have no bar (not a zero bar), weeks without enough history no band.
    """
    payload = trend.as_json()
    options = trend.options
    weeks = payload["weeks"]
    first, last = weeks[0]["start"], weeks[-1]["end"]
    band = (
        f"Band: {options.coverage:.0%} predictive interval from the same weeks "
        f"(± {options.half_width}) of up to {options.years_back} earlier years "
        f"(at most {trend.most_baseline_years} available)"
    )
    week = _utc_week("Week (Monday)")
    tooltip = [
        {"field": "start", "type": "temporal", "title": "Week of", "format": "%d %b %Y"},
        {"field": "count", "type": "quantitative", "title": "Incidents"},
        {"field": "average", "type": "quantitative", "title": f"{options.average_weeks}-week avg"},
        {"field": "expected", "type": "quantitative", "title": "Expected"},
        {"field": "lower", "type": "quantitative", "title": "Band low"},
        {"field": "upper", "type": "quantitative", "title": "Band high"},
        {"field": "baseline_years", "type": "quantitative", "title": "Years in baseline"},
    ]
    return {
        "$schema": SCHEMA,
        "description": f"Weekly incidents, {_subject(trend.agency, payload)}, {first} to {last}",
        "title": {
            "text": f"{_subject(trend.agency, payload)}: weekly incidents, {first} to {last}",
            "subtitle": [
                f"Bars: incidents per week (Monday–Sunday, local dates); line: "
                f"{options.average_weeks}-week moving average",
                band,
                _provenance(trend.data_version, payload["method"]),
            ],
            "anchor": "start",
        },
        "width": WIDTH,
        "height": 260,
        "data": {"values": weeks},
        "layer": [
            {
                "mark": {"type": "area", "opacity": 0.25, "color": "#7f7f7f"},
                "encoding": {
                    "x": week,
                    "y": {"field": "lower", "type": "quantitative"},
                    "y2": {"field": "upper"},
                },
            },
            {
                "mark": {"type": "bar", "color": "#4c78a8", "opacity": 0.7},
                "encoding": {
                    "x": week,
                    "x2": {"field": "end"},
                    "y": {"field": "count", "type": "quantitative", "title": "Incidents"},
                    "y2": {"datum": 0},
                    "tooltip": tooltip,
                },
            },
            {
                "mark": {"type": "line", "color": "#000000", "strokeWidth": 2},
                "encoding": {"x": week, "y": {"field": "average", "type": "quantitative"}},
            },
            {
                "transform": [{"filter": "datum.flag != null"}],
                "mark": {"type": "point", "filled": True, "size": 40},
                "encoding": {
                    "x": week,
                    "y": {"field": "count", "type": "quantitative"},
                    "color": {
                        "field": "flag",
                        "type": "nominal",
                        "title": "Outside the band",
                        "scale": {"domain": ["above", "below"], "range": ["#d62728", "#1f77b4"]},
                    },
                    "tooltip": tooltip,
                },
            },
        ],
    }


def heatmap_chart(drill: Drilldown) -> Spec:
    """Incidents by local day of week (rows, Monday first) and hour (columns).

    Incidents with a date but no time are not in the grid; the subtitle gives their number.
    """
    payload = drill.as_json()
    cells = [
        {"weekday": day, "hour": hour, "count": count}
        for day, counts in zip(WEEKDAYS, drill.heat, strict=True)
        for hour, count in enumerate(counts)
    ]
    span = f"{payload['window']['start']} to {payload['window']['end']}"
    subject = _subject(drill.agency, payload)
    return {
        "$schema": SCHEMA,
        "description": f"Incidents by day of week and hour, {subject}, {span}",
        "title": {
            "text": f"{subject}: incidents by day of week and hour, {span}",
            "subtitle": [
                f"Local time of occurrence; {drill.total} incidents, of which "
                f"{drill.time_unknown} have a date but no time and are not in the grid",
                _provenance(drill.data_version, payload["method"]),
            ],
            "anchor": "start",
        },
        "width": WIDTH,
        "height": 220,
        "data": {"values": cells},
        "mark": {"type": "rect"},
        "encoding": {
            "x": {"field": "hour", "type": "ordinal", "title": "Hour (local)"},
            "y": {"field": "weekday", "type": "ordinal", "sort": list(WEEKDAYS), "title": None},
            "color": {
                "field": "count",
                "type": "quantitative",
                "title": "Incidents",
                "scale": {"scheme": "blues", "zero": True},
            },
            "tooltip": [
                {"field": "weekday", "type": "nominal", "title": "Day"},
                {"field": "hour", "type": "ordinal", "title": "Hour"},
                {"field": "count", "type": "quantitative", "title": "Incidents"},
            ],
        },
    }
