"""``/api/v1/compstat``: the CompStat report and its follow-up items as JSON (staff only).

``GET /api/v1/compstat`` answers the JSON contract of docs/compstat.md, or with ``format`` a
download (JSON, CSV, XLSX, HTML or PDF) with its media type and file name. Parameters that name
nothing loaded are 422 naming the parameter and listing what is loaded. Every call is audited.
"""

from __future__ import annotations

import re
from datetime import date
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from beatwise.compstat.cube import CITY
from beatwise.compstat.report import Report
from beatwise.compstat.selection import Selection
from beatwise.reports.compstat import MEDIA_TYPES, Format, render
from beatwise.web.audit import audit_target, record_access
from beatwise.web.auth import staff_only
from beatwise.web.compstat.around import drill_of, selection_of, trend_of
from beatwise.web.compstat.followups import NewItem, StatusMove, item_exists, report_followups
from beatwise.web.compstat.resolve import Asked, Chosen, choose, city_cover, report_for
from beatwise.web.compstat.routing import ApiRoute, Needs, NeedsDep, UnknownItemError
from beatwise.web.deps import CubesDep, EngineDep, SessionDep
from beatwise.web.schemas import ErrorOut

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (403, 404, 422, 500)
}
router = APIRouter(
    prefix="/api/v1/compstat",
    tags=["compstat"],
    dependencies=[Depends(staff_only)],
    responses=ERRORS,
    route_class=ApiRoute,
)
COVERED = frozenset({"html", "pdf", "xlsx"})
"""Formats that open with the citywide sheet as a cover (as the CLI's do)."""


def asked_in_api(
    as_of: Annotated[
        date | None, Query(description="Report date YYYY-MM-DD (default: the last Sunday).")
    ] = None,
    level: Annotated[str, Query(description="city, district, beat, a boundary layer...")] = CITY,
    geography: Annotated[
        str | None, Query(description="One geography of the level (default: every one).")
    ] = None,
    agency: Annotated[
        str | None, Query(description="Agency (required when several are loaded).")
    ] = None,
) -> Asked:
    """The report's parameters, as the page takes them."""
    return Asked(as_of, level, geography, agency)


AskedDep = Annotated[Asked, Depends(asked_in_api)]


def slug(text: str) -> str:
    """``Toronto Police Service`` → ``toronto-police-service`` (safe in a file name)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def file_name(report: Report, fmt: str) -> str:
    """``compstat-<agency>-<as-of>-<level>[-<geography>].<fmt>``."""
    geography = f"-{slug(report.geographies[0])}" if report.options.geography else ""
    as_of = report.calendar.as_of.isoformat()
    return f"compstat-{slug(report.agency)}-{as_of}-{slug(report.level)}{geography}.{fmt}"


@router.get(
    "",
    response_model=None,
    responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()}}},
)
def compstat_report_api(
    request: Request,
    asked: AskedDep,
    use: NeedsDep,
    fmt: Annotated[
        Format | None,
        Query(alias="format", description="Download as json, csv, xlsx, html or pdf."),
    ] = None,
) -> Response:
    """The CompStat report: every row of every sheet of the level (or of one geography).

    Without ``format``, the JSON contract (docs/compstat.md) with the report's follow-up
    items as ``followups``, the document ``beatwise compstat --format json`` writes. With it, a
    download of that format with its media type and a ``Content-Disposition`` file name, as
    the CLI writes it: HTML, PDF and XLSX of a level below the city open with the citywide
    sheet as a cover; HTML and PDF list each sheet's follow-up items under it.
    """
    chosen = choose(use.engine, use.cubes, asked, largest_by_default=False)
    report = report_for(use.engine, use.cubes, chosen, asked.level, asked.geography)
    detail: dict[str, object] = {
        "as_of": chosen.as_of.isoformat(),
        "format": fmt or "json",
        "data_version": report.data_version,
    }
    target = audit_target(chosen.agency, report.level, asked.geography)
    record_access(use.session, request, "compstat.report", target, detail)
    followups = report_followups(use.session, report)
    if fmt is None:
        return JSONResponse({**report.as_json(), "followups": followups.as_json()})
    cover = city_cover(use.engine, use.cubes, chosen, report) if fmt in COVERED else None
    disposition = f'attachment; filename="{file_name(report, fmt)}"'
    return Response(
        render(report, fmt, cover=cover, followups=followups),
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": disposition},
    )


def row_and_period(
    row: Annotated[
        str | None, Query(description="Row: a category slug of the set, or 'total' (default).")
    ] = None,
    period: Annotated[
        str | None, Query(description="Drill-down window: wtd, d28 (default) or ytd.")
    ] = None,
) -> tuple[str | None, str | None]:
    """The trend's row and the drill-down's period."""
    return row, period


RowPeriodDep = Annotated[tuple[str | None, str | None], Depends(row_and_period)]


@router.get("/trend")
def trend_api(
    request: Request, asked: AskedDep, use: NeedsDep, row_period: RowPeriodDep
) -> dict[str, Any]:
    """Weekly counts of one row at one geography over two years, with the expected band.

    The 4-week moving average and the band (a 95% predictive interval from the same weeks of
    up to 3 earlier years) are explained in docs/methods/compstat-trend.md.
    """
    chosen = choose(use.engine, use.cubes, asked, largest_by_default=False)
    report = report_for(use.engine, use.cubes, chosen, asked.level, asked.geography)
    selection = selection_of(report, asked.geography, row_period[0])
    trend = trend_of(use.cubes, use.engine, chosen, selection)
    audit_around(request, use, "compstat.trend", chosen, selection)
    return trend.as_json()


@router.get("/drilldown")
def drilldown_api(
    request: Request, asked: AskedDep, use: NeedsDep, row_period: RowPeriodDep
) -> dict[str, Any]:
    """Day-of-week × hour counts, premises, offence subtypes and the located incidents of one
    row at one geography over one of the sheet's windows (the latest 1,000 points)."""
    chosen = choose(use.engine, use.cubes, asked, largest_by_default=False)
    report = report_for(use.engine, use.cubes, chosen, asked.level, asked.geography)
    selection = selection_of(report, asked.geography, row_period[0])
    drill = drill_of(use.engine, chosen, selection, row_period[1])
    audit_around(request, use, "compstat.drilldown", chosen, selection)
    return drill.as_json()


def audit_around(
    request: Request, use: Needs, action: str, chosen: Chosen, selection: Selection
) -> None:
    """The audit entry of a trend or drill-down read."""
    target = audit_target(chosen.agency, selection.level, selection.geography)
    detail: dict[str, object] = {
        "as_of": chosen.as_of.isoformat(),
        "format": "json",
        "row": selection.label,
        "data_version": chosen.version.as_json(),
    }
    record_access(use.session, request, action, target, detail)


@router.get("/followup")
def list_followups(
    request: Request,
    asked: AskedDep,
    engine: EngineDep,
    cubes: CubesDep,
    session: SessionDep,
) -> dict[str, Any]:
    """The follow-up block of the report for these parameters.

    Items open at ``as_of`` (overdue ones flagged) and items closed in the report week with
    their outcome, for the geography given or every geography of the level.
    """
    chosen = choose(engine, cubes, asked, largest_by_default=False)
    report = report_for(engine, cubes, chosen, asked.level, asked.geography)
    block = report_followups(session, report)
    target = audit_target(chosen.agency, report.level, asked.geography)
    detail = {"as_of": chosen.as_of.isoformat(), "format": "json"}
    record_access(session, request, "compstat.followup.list", target, detail)
    return {
        "agency": chosen.agency,
        "level": report.level,
        "geographies": list(report.geographies),
        **block.as_json(),
    }


@router.post("/followup", status_code=HTTPStatus.CREATED)
def add_followup_api(
    request: Request, item: NewItem, engine: EngineDep, cubes: CubesDep, session: SessionDep
) -> dict[str, Any]:
    """Record an action item for a geography of a level loaded; it starts ``open``."""
    asked = Asked(item.raised_on, item.level, item.geography, item.agency)
    chosen = choose(engine, cubes, asked, largest_by_default=False)
    report_for(engine, cubes, chosen, item.level, item.geography)  # refuses unknown places
    added = item.add(session, chosen.agency)
    target = audit_target(chosen.agency, item.level, item.geography)
    record_access(session, request, "compstat.followup.add", target, {"item": added.id})
    return added.as_json()


@router.post("/followup/{item_id}/status")
def move_followup_api(
    request: Request, item_id: int, move: StatusMove, session: SessionDep
) -> dict[str, Any]:
    """Move an item to another status (``done`` and ``dropped`` need an ``outcome``)."""
    if not item_exists(session, item_id):
        raise UnknownItemError(f"no follow-up item {item_id}")
    moved = move.apply(session, item_id)
    target = audit_target(moved.agency, moved.level, moved.geography)
    detail = {"item": item_id, "status": moved.status.value}
    record_access(session, request, "compstat.followup.update", target, detail)
    return moved.as_json()
