"""The CompStat report in every format: JSON, CSV, XLSX, HTML and PDF.

``render(report, fmt)`` is the one entry point the CLI and the web app call. The formats show the
same figures from the same :class:`~beatwise.compstat.report.Report`; the HTML page is the one
the web app shows (``web/templates/compstat/sheet.html``) and the PDF is that page printed.

Example
-------
>>> from beatwise.reports.compstat import FORMATS
>>> FORMATS
('json', 'csv', 'xlsx', 'html', 'pdf')
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Literal, assert_never, get_args

from beatwise.compstat.followup import ReportFollowUps
from beatwise.compstat.report import Report

Format = Literal["json", "csv", "xlsx", "html", "pdf"]
FORMATS: tuple[Format, ...] = get_args(Format)

MEDIA_TYPES: dict[Format, str] = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
"""The media type of each format (for the web app's downloads)."""


def parse_format(name: str) -> Format:
    """``name`` (any case) as a :data:`Format`; the error lists the formats."""
    for fmt in FORMATS:
        if fmt == name.strip().lower():
            return fmt
    raise ValueError(f"unknown report format {name!r}; choose one of: {', '.join(FORMATS)}")


def render(
    report: Report,
    fmt: Format,
    *,
    cover: Report | None = None,
    generated: datetime | None = None,
    followups: ReportFollowUps | None = None,
) -> bytes:
    """``report`` as the bytes of a ``fmt`` file.

    Parameters
    ----------
    report
        The sheets to render (one per geography of its level).
    fmt
        ``json``, ``csv``, ``xlsx``, ``html`` or ``pdf``.
    cover
        The city-level report for the same agency and date, shown on the cover of the HTML, PDF
        and XLSX; a city-level ``report`` is its own cover. Without one, a report for another
        level has a cover with the list of commands only.
    generated
        The generation time printed in every sheet's footer (default: now).
    followups
        The follow-up items the report lists (``items_for_report``): under each sheet in HTML
        and PDF, and as ``"followups"`` in JSON. CSV and XLSX carry the sheets only.
    """
    fmt = parse_format(fmt)  # a caller without type checks may pass any string
    when = generated or datetime.now(UTC)
    if fmt == "json":
        payload = report.as_json()
        if followups is not None:
            payload["followups"] = followups.as_json()
        return (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode()
    if fmt == "csv":
        from beatwise.reports.compstat.table import render_csv

        return render_csv(report)
    if fmt == "xlsx":
        from beatwise.reports.compstat.xlsx import render_xlsx

        return render_xlsx(report, cover, when)
    if fmt == "html":
        from beatwise.reports.compstat.html import document

        return document(report, cover, when, paged=False, followups=followups).encode()
    if fmt == "pdf":
        from beatwise.reports.compstat.pdf import render_pdf

        return render_pdf(report, cover, when, followups)
    assert_never(fmt)
