"""The standalone CompStat page in Debian's Chromium: axe-clean (WCAG 2.1 A/AA), flags visible."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from beatwise.compstat.report import Report
from beatwise.reports.compstat import render

from .conftest import GENERATED

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def test_standalone_page_is_accessible(
    browser: Any, district_report: Report, city_report: Report, tmp_path: Path
) -> None:
    page_file = tmp_path / "compstat.html"
    page_file.write_bytes(render(district_report, "html", cover=city_report, generated=GENERATED))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(page_file.as_uri())
        table = page.get_by_role("table", name="Major Crime Indicators").first
        assert table.is_visible()
        rise = page.locator("#sheet-7").get_by_role("img", name="notable rise").first
        assert rise.is_visible() and rise.inner_text() == "▲"
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
        )
        violations = [f"{v['id']}: {v['nodes'][0]['target']}" for v in result["violations"]]
        assert violations == []
    finally:
        context.close()
