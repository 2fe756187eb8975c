"""The CompStat page's view: pickers, the chosen geography's sheet, provenance and downloads.

The sheet is the reports package's own view (:func:`beatwise.reports.compstat.html.sheet_view`)
shown through its own partial (``compstat/sheet.html``), so the page, the HTML download and the
PDF print the same cells. Every link the page makes (downloads, the method) is built here, so
the template only lays things out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from beatwise.compstat.cube import CITY
from beatwise.compstat.report import Report
from beatwise.reports.compstat import FORMATS
from beatwise.reports.compstat.html import SheetView, sheet_view
from beatwise.reports.compstat.layout import notes, place_name, week_line
from beatwise.warehouse.engines.base import Engine
from beatwise.web.compstat.around import Around, around
from beatwise.web.compstat.followups import Feedback, FollowUpBlock, followup_block
from beatwise.web.compstat.resolve import Asked, Chosen, choose, default_geography, report_for
from beatwise.web.deps import Cubes

API = "/api/v1/compstat"
PAGE = "/compstat"
METHODS_DIR = Path(__file__).resolve().parents[4] / "docs" / "methods"
"""``docs/methods`` of a source checkout (``<root>/src/beatwise/web/compstat/page.py``)."""
METHOD_PAGES = {"compstat": "compstat.md", "compstat-trend": "compstat-trend.md"}
"""The method pages the CompStat page links to, by URL name."""


def level_label(level: str) -> str:
    """``neighbourhood`` → ``Neighbourhood``; ``police_district`` → ``Police district``."""
    return level.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Pickers:
    """The form's choices and what is chosen."""

    agency: str
    agencies: tuple[str, ...]
    as_of: date
    level: str
    levels: tuple[tuple[str, str], ...]
    """``(level, label)`` of every level loaded."""
    geography: str
    geographies: tuple[tuple[str, str], ...]
    """``(id, label)`` of the chosen level's geographies."""


@dataclass(frozen=True)
class Download:
    """A link to the report in one format."""

    label: str
    url: str


@dataclass(frozen=True)
class CompStatPage:
    """Everything the CompStat page shows."""

    pickers: Pickers
    notice: str | None
    """Why the sheet shown is not the one asked for (a geography of another level)."""
    title: str
    week_line: str
    sheet: SheetView
    data_version: str
    downloads: tuple[Download, ...]
    level_downloads: tuple[Download, ...]
    """The whole level's sheets (empty at the city level, where it is the same report)."""
    followups: FollowUpBlock
    around: Around
    """The trend, drill-down and map of the chosen row and period."""
    methods: tuple[tuple[str, str], ...]
    """``(label, url)`` of the method pages behind the figures."""
    versions: dict[str, int | None]
    """Table name → Delta version the figures come from (for the audit log)."""


def pick_geography(report: Report, asked: str | None) -> tuple[str, str | None]:
    """The geography to show and, when it is not the one asked for, a notice saying why."""
    fallback = default_geography(report.level, report.geographies)
    if asked is None or asked in report.geographies:
        return (asked or fallback), None
    shown = place_name(report.level, fallback)
    return fallback, f"{asked!r} is not a geography at the {report.level} level; showing {shown}."


def pickers(chosen: Chosen, report: Report, geography: str) -> Pickers:
    """The form's choices for ``report``'s level, with ``geography`` chosen."""
    return Pickers(
        agency=chosen.agency,
        agencies=chosen.agencies,
        as_of=chosen.as_of,
        level=report.level,
        levels=tuple((lv, level_label(lv)) for lv in chosen.levels),
        geography=geography,
        geographies=tuple(
            (g, place_name(CITY, g) if report.level == CITY else g) for g in report.geographies
        ),
    )


def downloads(chosen: Chosen, level: str, geography: str | None) -> tuple[Download, ...]:
    """A link per format to ``/api/v1/compstat`` for these choices (all sheets when None)."""
    base = {"agency": chosen.agency, "as_of": chosen.as_of.isoformat(), "level": level}
    if geography is not None:
        base["geography"] = geography
    return tuple(
        Download(fmt.upper(), f"{API}?{urlencode({**base, 'format': fmt})}") for fmt in FORMATS
    )


def compstat_page(
    engine: Engine,
    cubes: Cubes,
    session: Session,
    asked: Asked,
    feedback: Feedback | None = None,
) -> CompStatPage:
    """The page for ``asked``: the level's report, one geography's sheet and its follow-ups.

    ``feedback`` is what the last follow-up form did (or why it was refused), shown in the
    follow-up block. Raises :class:`ParameterError` or :class:`NothingLoadedError` as
    :func:`choose` and :func:`report_for` do.
    """
    chosen = choose(engine, cubes, asked, largest_by_default=True)
    report = report_for(engine, cubes, chosen, asked.level, None)
    geography, notice = pick_geography(report, asked.geography)
    place = (chosen.agency, report.level, geography)
    footer = notes(report, datetime.now(UTC))
    return CompStatPage(
        pickers=pickers(chosen, report, geography),
        notice=notice,
        title=f"CompStat \u2014 {report.agency} \u2014 {place_name(report.level, geography)}",
        week_line=week_line(report),
        sheet=sheet_view(report, geography, footer),
        data_version=footer.data_version,
        downloads=downloads(chosen, report.level, geography),
        level_downloads=() if report.level == CITY else downloads(chosen, report.level, None),
        followups=followup_block(session, place, chosen.as_of, report.row_set, feedback),
        around=around(engine, cubes, chosen, report, (geography, asked.row, asked.period)),
        methods=(
            ("The sheet: percent change and the Poisson change score Z", method_url("compstat")),
            ("Trend band and drill-down", method_url("compstat-trend")),
        ),
        versions=report.data_version,
    )


def method_url(name: str) -> str:
    """Where the page serves method page ``name`` (see :data:`METHOD_PAGES`)."""
    return f"{PAGE}/methods/{name}"


def page_url(asked: Asked, fragment: str = "") -> str:
    """The address of the page ``asked`` describes (parameters not given are left out)."""
    values = {
        "agency": asked.agency,
        "as_of": asked.as_of.isoformat() if asked.as_of else None,
        "level": asked.level,
        "geography": asked.geography,
        "row": asked.row,
        "period": asked.period,
    }
    query = urlencode({k: v for k, v in values.items() if v is not None})
    return f"{PAGE}?{query}{fragment}"


def method_text(name: str) -> str | None:
    """The text of method page ``name`` from the checkout's ``docs/methods``, or None."""
    file = METHOD_PAGES.get(name)
    path = METHODS_DIR / file if file else None
    if path is None or not path.is_file():
        return None
    return path.read_text(encoding="utf-8")
