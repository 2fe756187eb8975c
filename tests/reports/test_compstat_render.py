"""The CompStat renderers show the report's figures: each format read back and compared.

The oracle for every cell is ``Report.as_json()`` (the documented contract) plus known answers
worked out by hand from the fixture in ``conftest.py``; flags are recomputed here from the
counts (``|2(√current − √prior)| ≥ 2`` after rounding to two decimals).
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from beatwise.compstat.report import Report, build_report
from beatwise.reports.compstat import FORMATS, parse_format, render
from beatwise.reports.compstat.html import sheet_view
from beatwise.reports.compstat.layout import notes
from beatwise.web.templating import make_templates

from .conftest import GENERATED, cube, options
from .htmltree import Element, parse

WEEK_LINE = "Report covering the week 6/24/2019 through 6/30/2019"
GROUPS = [
    ("Week to Date", 4),
    ("28 Day", 4),
    ("Year to Date", 4),
    ("YTD vs 2017", 2),
    ("YTD vs 2016", 2),
    ("Historical Perspective", 4),
]
WINDOW_OF_GROUP = {"Week to Date": "wtd", "28 Day": "d28", "Year to Date": "ytd"}
MEASURE_OF_HEADING = {"2019": "current", "2018": "prior", "% Chg": "pct_change", "Z": "z"}


def source(row: dict[str, Any], group: str, heading: str) -> tuple[str, Any]:
    """Which JSON value a printed column shows: ``(measure, change dict or history entry)``."""
    if group == "Historical Perspective":
        return "history", row["history"][heading]
    if group in WINDOW_OF_GROUP:
        change = row[WINDOW_OF_GROUP[group]]
    elif group == "YTD vs 2017":
        change = row["ytd_vs_2y"]
    else:
        change = row["ytd_vs_base"][group.removeprefix("YTD vs ")]
    return MEASURE_OF_HEADING[heading], change


def flag(current: int, prior: int) -> str:
    """The expected flag symbol, computed from the counts."""
    z = 2 * (math.sqrt(current) - math.sqrt(prior))
    if abs(z) < 1.995:  # below 2.00 once rounded to two decimals
        return ""
    return "▲" if z > 0 else "▼"


def expected_text(measure: str, value: Any) -> str:
    """A cell as the HTML should print it."""
    if measure == "history":
        if value is None:
            return ""
        return f"{value['count']:,}" + ("†" if value["source"] == "official" else "")
    if measure in ("current", "prior"):
        return f"{value[measure]:,}"
    if measure == "pct_change":
        return "***.*" if value["prior"] == 0 else f"{value['pct_change']:.1f}"
    symbol = flag(value["current"], value["prior"])
    return f"{symbol} {value['z']:.2f}" if symbol else f"{value['z']:.2f}"


def rows_of(report: Report, geography: str) -> list[dict[str, Any]]:
    return [r for r in report.as_json()["rows"] if r["geography"] == geography]


def test_json_is_the_documented_shape_in_order(district_report: Report) -> None:
    payload = render(district_report, "json").decode()
    assert json.loads(payload) == district_report.as_json()
    assert list(json.loads(payload)) == list(district_report.as_json())
    assert render(district_report, "json") == render(district_report, "json")


def csv_rows(payload: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(payload.decode("utf-8"), newline="")))


def assert_csv_matches_json(report: Report) -> None:
    """Every CSV line carries the numbers of the matching ``as_json()`` row."""
    lines = csv_rows(render(report, "csv"))
    expected = report.as_json()["rows"]
    assert len(lines) == len(expected)

    def number(text: str) -> float | None:
        return None if text == "" else float(text)

    for line, row in zip(lines, expected, strict=True):
        assert (line["geography"], line["category"], line["kind"]) == (
            row["geography"],
            row["category"],
            row["kind"],
        )
        changes = {k: row[k] for k in ("wtd", "d28", "ytd", "ytd_vs_2y")}
        changes |= {f"ytd_vs_{y}": c for y, c in row["ytd_vs_base"].items()}
        for key, change in changes.items():
            assert int(line[f"{key}_current"]) == change["current"]
            assert int(line[f"{key}_prior"]) == change["prior"]
            assert number(line[f"{key}_pct_change"]) == change["pct_change"]
            assert float(line[f"{key}_z"]) == change["z"]
            assert line[f"{key}_flagged"] == ("true" if change["flagged"] else "false")
        for year, total in row["history"].items():
            assert number(line[f"history_{year}"]) == (total and total["count"])
            assert line[f"history_{year}_source"] == (total["source"] if total else "")


def test_csv_reads_back_to_the_json_numbers(district_report: Report) -> None:
    assert_csv_matches_json(district_report)
    first = csv_rows(render(district_report, "csv"))[0]
    # district 7, Assault: 6 this week, none a year earlier
    assert (first["wtd_current"], first["wtd_prior"], first["wtd_pct_change"]) == ("6", "0", "")
    assert (first["wtd_z"], first["history_2015"], first["history_2015_source"]) == (
        "4.9",
        "5",
        "official",
    )


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["1", "2"]),
            st.sampled_from(["robbery", "assault", "burglary"]),
            st.dates(min_value=date(2016, 1, 1), max_value=date(2019, 6, 30)),
            st.integers(min_value=1, max_value=30),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_csv_round_trip_on_any_counts(counts: list[tuple[str, str, date, int]]) -> None:
    assert_csv_matches_json(build_report(cube(counts), options("district"), {}))


def worksheet_cells(ws: Any) -> Iterator[tuple[str, str, str, Any]]:
    """``(row label, group, heading, cell)`` of every table cell of a geography's worksheet."""
    groups: list[str] = []
    for cell in ws[4][1:]:
        groups.append(cell.value if cell.value is not None else groups[-1])
    headings = [c.value for c in ws[5][1:]]
    for row in ws.iter_rows(min_row=6):
        if row[0].value is None:
            return
        for group, heading, cell in zip(groups, headings, row[1:], strict=False):
            yield row[0].value, group, heading, cell


def test_xlsx_has_a_sheet_per_geography_with_numbers_and_formats(
    district_report: Report, city_report: Report
) -> None:
    book = openpyxl.load_workbook(io.BytesIO(render(district_report, "xlsx", cover=city_report)))
    assert book.sheetnames == ["Cover", "7", "11"]
    for geography in district_report.geographies:
        ws = book[geography]
        assert ws["A1"].value == f"CompStat — Test PS — District {geography}"
        assert ws["A2"].value == WEEK_LINE
        assert ws.freeze_panes == "B6"
        expected = iter(rows_of(district_report, geography))
        row: dict[str, Any] = {}
        for label, group, heading, cell in worksheet_cells(ws):
            if group == "Week to Date" and heading == "2019":
                row = next(expected)
                assert label == row["category"]
            measure, value = source(row, group, heading)
            check_xlsx_cell(cell, measure, value)
        assert next(expected, None) is None
    seven = book["7"]
    assert (seven["B6"].value, seven["D6"].value) == (6, "***.*")  # Assault, WTD
    assert seven["E6"].number_format == '0.00" ▲"'
    assert (seven["H8"].value, seven["H8"].number_format) == (-1, "0.0%")  # Robbery
    assert seven["I8"].number_format == '0.00" ▼"'
    assert book["11"]["R6"].value is None  # 2015 unknown for district 11
    cover = book["Cover"]
    assert cover["A1"].value == "CompStat — Test PS"
    links = {c.value: c.hyperlink.location for c in cover["A"] if c.hyperlink}
    assert links == {"District 7": "'7'!A1", "District 11": "'11'!A1"}


def check_xlsx_cell(cell: Any, measure: str, value: Any) -> None:
    if measure == "history":
        if value is None:
            assert cell.value is None
            return
        assert cell.value == value["count"]
        official = value["source"] == "official"
        assert cell.number_format == ('#,##0"†"' if official else "#,##0")
    elif measure in ("current", "prior"):
        assert (cell.value, cell.number_format) == (value[measure], "#,##0")
    elif measure == "pct_change":
        if value["prior"] == 0:
            assert (cell.value, cell.data_type) == ("***.*", "s")
        else:
            assert cell.value == pytest.approx(value["pct_change"] / 100)
            assert cell.number_format == "0.0%"
    else:
        symbol = flag(value["current"], value["prior"])
        assert cell.value == pytest.approx(value["z"])
        assert cell.number_format == (f'0.00" {symbol}"' if symbol else "0.00")


def sheet_sections(page: Element) -> dict[str, Element]:
    return {s.attrs["id"]: s for s in page.iter("section") if "compstat-sheet" in s.classes()}


def table_rows(section: Element) -> Iterator[tuple[str, str, str, Element]]:
    """``(row label, group, heading, td)`` of every body cell, checking the header markup."""
    (table,) = section.iter("table")
    assert next(table.iter("caption")).text()
    top, leaves = list(next(table.iter("thead")).iter("tr"))
    groups_th = list(top.iter("th"))[1:]
    assert [(th.text(), int(th.attrs["colspan"])) for th in groups_th] == GROUPS
    assert {th.attrs["scope"] for th in groups_th} == {"colgroup"}
    groups = [th.text() for th in groups_th for _ in range(int(th.attrs["colspan"]))]
    headings = [th.text() for th in leaves.iter("th")]
    assert {th.attrs["scope"] for th in leaves.iter("th")} == {"col"}
    for tr in next(table.iter("tbody")).iter("tr"):
        (label,) = tr.iter("th")
        assert label.attrs["scope"] == "row"
        for group, heading, td in zip(groups, headings, tr.iter("td"), strict=True):
            yield label.text(), group, heading, td


def check_html_sheet(section: Element, rows: list[dict[str, Any]]) -> None:
    expected = iter(rows)
    row: dict[str, Any] = {}
    for label, group, heading, td in table_rows(section):
        if group == "Week to Date" and heading == "2019":
            row = next(expected)
            assert label == row["category"]
        measure, value = source(row, group, heading)
        assert td.text() == expected_text(measure, value), (label, group, heading)
        for span in td.iter("span"):
            assert span.attrs["aria-label"] in {"notable rise", "notable fall"}
    assert next(expected, None) is None


def test_html_sheets_show_every_figure(district_report: Report, city_report: Report) -> None:
    html = render(district_report, "html", cover=city_report, generated=GENERATED).decode()
    page = parse(html)
    assert next(page.iter("h1")).text() == "CompStat — Test PS"
    sections = sheet_sections(page)
    assert list(sections) == ["cover-citywide", "sheet-7", "sheet-11"]
    check_html_sheet(sections["cover-citywide"], rows_of(city_report, "citywide"))
    for geography in district_report.geographies:
        section = sections[f"sheet-{geography}"]
        assert next(section.iter("h2")).text() == f"CompStat — Test PS — District {geography}"
        assert next(section.iter("p")).text() == WEEK_LINE
        check_html_sheet(section, rows_of(district_report, geography))
        footer = next(section.iter("footer")).text()
        for fact in (
            "incidents v12",
            "area_membership v3",
            "official_counts (none)",
            "docs/methods/compstat.md",
            "29 February is left out",
            "Generated 2019-07-01 09:30 UTC",
            "▲ ▼",
            "***.*",
        ):
            assert fact in footer
    commands = {a.text(): a.attrs["href"] for a in next(page.iter("section")).iter("a")}
    assert commands == {"District 7": "#sheet-7", "District 11": "#sheet-11"}


def test_known_cells_in_html(district_report: Report) -> None:
    section = sheet_sections(parse(render(district_report, "html").decode()))["sheet-7"]
    cells = {
        (label, group, heading): td.text() for label, group, heading, td in table_rows(section)
    }
    assert cells[("Assault", "Week to Date", "% Chg")] == "***.*"
    assert cells[("Assault", "Week to Date", "Z")] == "▲ 4.90"
    assert cells[("Robbery", "28 Day", "% Chg")] == "-100.0"
    assert cells[("Robbery", "28 Day", "Z")] == "▼ -4.00"
    assert cells[("TOTAL", "Historical Perspective", "2015")] == "33†"


def test_the_web_app_includes_the_same_partial(district_report: Report) -> None:
    view = sheet_view(district_report, "11", notes(district_report, GENERATED))
    web = make_templates().env.get_template("compstat/sheet.html").render(sheet=view)
    standalone = render(district_report, "html", generated=GENERATED).decode()
    alone = sheet_sections(parse(web))["sheet-11"]
    assert alone == sheet_sections(parse(standalone))["sheet-11"]


def test_a_district_report_without_cover_says_so(district_report: Report) -> None:
    page = parse(render(district_report, "html").decode())
    assert "No citywide sheet in this report" in page.text()
    with pytest.raises(ValueError, match="must be a city-level report"):
        render(district_report, "html", cover=district_report)


def test_formats_are_checked() -> None:
    assert FORMATS == ("json", "csv", "xlsx", "html", "pdf")
    assert parse_format(" PDF ") == "pdf"
    with pytest.raises(ValueError, match="choose one of: json, csv, xlsx, html, pdf"):
        parse_format("docx")


@pytest.fixture(scope="module")
def pdf_file(district_report: Report, city_report: Report, tmp_path_factory: Any) -> Path:
    if shutil.which("pdftotext") is None:
        pytest.fail("poppler-utils is missing: run 'make test' (it installs it)")
    path = Path(tmp_path_factory.mktemp("pdf")) / "compstat.pdf"
    path.write_bytes(render(district_report, "pdf", cover=city_report, generated=GENERATED))
    return path


def pdf_page_text(path: Path, page: int) -> str:
    found = subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return found.stdout


@pytest.mark.slow
def test_pdf_has_a_cover_then_a_page_per_geography(pdf_file: Path) -> None:
    info = subprocess.run(["pdfinfo", str(pdf_file)], capture_output=True, text=True, check=True)
    assert "Pages:           3" in info.stdout
    assert "792 x 612 pts (letter)" in info.stdout  # landscape
    cover = pdf_page_text(pdf_file, 1)
    assert "CompStat — Test PS — Citywide" in cover and "Commands" in cover
    for page, geography in enumerate(("7", "11"), start=2):
        text = pdf_page_text(pdf_file, page)
        assert WEEK_LINE in text
        assert f"CompStat — Test PS — District {geography}" in text
        assert f"Page {page} of 3" in text
    robbery_11 = next(
        line.split() for line in pdf_page_text(pdf_file, 3).splitlines() if "Robbery" in line
    )
    # district 11, Robbery: WTD and 28 days 3 vs 2 (50.0, Z 0.64), YTD 43 vs 32 (34.4, Z 1.80)
    assert robbery_11[:13] == [
        "Robbery",
        "3",
        "2",
        "50.0",
        "0.64",
        "3",
        "2",
        "50.0",
        "0.64",
        "43",
        "32",
        "34.4",
        "1.80",
    ]


@pytest.mark.slow
def test_pdf_first_page_is_not_blank(pdf_file: Path, tmp_path: Path) -> None:
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf_file), str(tmp_path / "p")],
        check=True,
    )
    (png,) = tmp_path.glob("p*.png")
    with Image.open(png) as image:
        grey = image.convert("L")
        width, height = grey.size
        assert width > height  # landscape
        dark = sum(grey.histogram()[:128])  # pixels darker than mid-grey
    assert dark > 0.01 * width * height
