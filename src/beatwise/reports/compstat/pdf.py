"""The CompStat report as PDF: the standalone HTML page printed by WeasyPrint.

The page is the same document as ``--format html`` (one source for both); the print stylesheet in
``compstat/sheet.css`` makes it landscape US Letter with the cover first, a page break before
every sheet, the week line and the sheet's title at the top of every page and "Page n of N" at
the foot.
"""

from __future__ import annotations

from datetime import datetime

import weasyprint  # type: ignore[import-untyped]

from beatwise.compstat.followup import ReportFollowUps
from beatwise.compstat.report import Report
from beatwise.reports.compstat.html import document


def render_pdf(
    report: Report,
    cover: Report | None,
    generated: datetime,
    followups: ReportFollowUps | None = None,
) -> bytes:
    """The PDF bytes of ``report`` (cover with the citywide sheet, then one page per geography,
    each with its follow-up items when ``followups`` is given)."""
    page = document(report, cover, generated, paged=True, followups=followups)
    pdf: bytes = weasyprint.HTML(string=page).write_pdf()
    return pdf
