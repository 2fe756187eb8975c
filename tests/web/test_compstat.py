"""The CompStat page and API over a tiny city: the same figures as ``compstat_report``.

The truth is :func:`beatwise.compstat.sheets.compstat_report` run on its own engine (checked
against pandas in tests/compstat/test_sheets.py); the page's cells are compared with it printed
by hand here (thousands separators, ``***.*``, Z to two decimals), not with the page's code.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from beatwise.compstat.change import Change
from beatwise.compstat.cube import CITYWIDE
from beatwise.compstat.report import Report, SheetOptions, SheetRow
from beatwise.compstat.sheets import compstat_report
from beatwise.config import Settings
from beatwise.ingest.pipeline import ingest_files
from beatwise.ingest.sources import get_source
from beatwise.testing.city import write_tiny_city
from beatwise.warehouse import Warehouse
from beatwise.warehouse.engines import open_engine
from beatwise.web.app import create_app
from reports.htmltree import Element, parse

from .test_home import text_of

AS_OF = date(2020, 3, 1)  # a Sunday in the tiny city's second year
AGENCY = "Toronto Police Service"
NEIGHBOURHOODS = ["Cedar Heights", "Elm Park", "Harbourview"]
MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


def load_city(home: Path) -> Path:
    """Load 3,000 tiny-city incidents over 2019 and 2020 into the warehouse under ``home``."""
    csv_path = write_tiny_city(home.parent / "city.csv", 3000, seed=11)
    ingest_files(
        Warehouse(Settings(home=home).warehouse_dir), get_source("toronto-mci"), [csv_path]
    )
    return home


@pytest.fixture(scope="module")
def city_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with the tiny city, shared by the tests that only read it."""
    return load_city(tmp_path_factory.mktemp("compstat-web") / "home")


@pytest.fixture
def city(city_home: Path, tmp_path: Path) -> Settings:
    """The shared tiny-city warehouse with a fresh app database (follow-ups, audit log)."""
    return Settings(home=city_home, db_url=f"sqlite:///{tmp_path / 'app.sqlite'}")


@pytest.fixture
def web(city: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(city)) as client:
        yield client


def truth(settings: Settings, level: str, geography: str | None = None) -> Report:
    """The report as the analysis package computes it, on an engine of its own."""
    with open_engine("duckdb", Warehouse(settings.warehouse_dir)) as engine:
        return compstat_report(engine, SheetOptions(AS_OF, level=level, geography=geography))


def printed(change: Change) -> list[str]:
    """A comparison as the sheet prints it: current, prior, % change, Z (flag before Z)."""
    pct = (
        "***.*"
        if change.prior == 0
        else f"{(change.current - change.prior) / change.prior * 100:.1f}"
    )
    flag = ("▲ " if change.z > 0 else "▼ ") if abs(change.z) >= 2 else ""
    return [f"{change.current:,}", f"{change.prior:,}", pct, f"{flag}{change.z + 0.0:.2f}"]


def sheet_rows(page: Element) -> dict[str, list[str]]:
    """Row label → the first twelve cells (week, 28 days, year to date) of the page's sheet."""
    (section,) = [s for s in page.iter("section") if "compstat-sheet" in s.classes()]
    body = next(next(section.iter("table")).iter("tbody"))
    return {
        next(tr.iter("th")).text(): [td.text() for td in tr.iter("td")][:12]
        for tr in body.iter("tr")
    }


def expected_rows(report: Report, geography: str) -> dict[str, list[str]]:
    rows: list[SheetRow] = report.sheet(geography)
    return {r.label: printed(r.wtd) + printed(r.d28) + printed(r.ytd) for r in rows}


def test_page_shows_compstat_reports_figures(web: TestClient, city: Settings) -> None:
    response = web.get(f"/compstat?as_of={AS_OF}&level=neighbourhood&geography=Elm+Park")
    assert response.status_code == 200
    page = parse(response.text)
    report = truth(city, "neighbourhood", "Elm Park")
    assert sheet_rows(page) == expected_rows(report, "Elm Park")
    assert sum(int(r.ytd.current) for r in report.sheet("Elm Park") if r.kind == "set") > 20
    text = text_of(response.text)
    assert "Report covering the week 2/24/2020 through 3/1/2020" in text
    assert "Data version: incidents v1, area_membership v0, official_counts v0." in text
    assert 'href="/compstat/methods/compstat"' in response.text
    assert f"CompStat — {AGENCY} — Neighbourhood Elm Park" in text


def test_page_defaults_to_the_last_whole_week_citywide(web: TestClient, city: Settings) -> None:
    page = parse(web.get("/compstat").text)
    as_of = next(i for i in page.iter("input") if i.attrs.get("name") == "as_of")
    assert as_of.attrs["value"] == "2020-12-27"  # the last Sunday of the tiny city's data
    level = next(s for s in page.iter("select") if s.attrs["name"] == "level")
    options = {o.attrs["value"]: "selected" in o.attrs for o in level.iter("option")}
    assert options == {"city": True, "neighbourhood": False}
    geography = next(s for s in page.iter("select") if s.attrs["name"] == "geography")
    assert [(o.attrs["value"], o.text()) for o in geography.iter("option")] == [
        (CITYWIDE, "Citywide")
    ]
    with open_engine("duckdb", Warehouse(city.warehouse_dir)) as engine:
        report = compstat_report(engine, SheetOptions(date(2020, 12, 27)))
    assert sheet_rows(page) == expected_rows(report, CITYWIDE)


def test_pickers_work_as_a_plain_get_form_and_as_htmx(web: TestClient) -> None:
    page = parse(web.get(f"/compstat?as_of={AS_OF}&level=neighbourhood").text)
    (form,) = [f for f in page.iter("form") if "pickers" in f.classes()]
    assert (form.attrs["method"], form.attrs["action"]) == ("get", "/compstat")
    assert (form.attrs["hx-get"], form.attrs["hx-target"]) == ("/compstat", "#compstat-view")
    names = {e.attrs["name"] for tag in ("input", "select") for e in form.iter(tag)}
    assert names == {"agency", "as_of", "level", "geography", "row", "period"}
    geography = next(s for s in form.iter("select") if s.attrs["name"] == "geography")
    assert [o.attrs["value"] for o in geography.iter("option")] == NEIGHBOURHOODS
    fragment = web.get(f"/compstat?as_of={AS_OF}&level=city", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.startswith(f"<title>CompStat — {AGENCY} — Citywide · Beatwise</title>")
    assert "<html" not in fragment.text and 'id="compstat-view"' in fragment.text
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert web.get("/compstat", headers=restore).text.startswith("<!doctype html>")


def test_a_geography_of_another_level_falls_back_with_a_notice(web: TestClient) -> None:
    response = web.get(f"/compstat?as_of={AS_OF}&level=neighbourhood&geography={CITYWIDE}")
    assert response.status_code == 200
    text = text_of(response.text)
    assert (
        "'citywide' is not a geography at the neighbourhood level; showing Neighbourhood "
        "Cedar Heights." in text
    )
    assert "CompStat — Toronto Police Service — Neighbourhood Cedar Heights" in text


def test_page_explains_an_unknown_level_and_an_empty_warehouse(
    web: TestClient, settings: Settings, tmp_path: Path
) -> None:
    response = web.get("/compstat?level=precinct")
    assert response.status_code == 422
    text = text_of(response.text)
    assert f"no level 'precinct' is loaded for {AGENCY}; levels: city, neighbourhood" in text
    assert "Loaded level values: city neighbourhood" in text
    empty = Settings(home=tmp_path / "empty")
    with TestClient(create_app(empty)) as client:
        response = client.get("/compstat")
    assert response.status_code == 404
    assert "no incidents are loaded; run 'beatwise demo' or 'beatwise ingest'" in text_of(
        response.text
    )


def test_api_json_is_the_reports_contract(web: TestClient, city: Settings) -> None:
    response = web.get(f"/api/v1/compstat?as_of={AS_OF}&level=neighbourhood")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert "content-disposition" not in response.headers
    body = response.json()
    followups = body.pop("followups")
    report = truth(city, "neighbourhood")
    assert body == report.as_json()
    assert body["geographies"] == NEIGHBOURHOODS
    assert followups == {
        "as_of": "2020-03-01",
        "closed_after": "2020-02-23",
        "open": [],
        "closed": [],
    }
    one = web.get(f"/api/v1/compstat?as_of={AS_OF}&level=neighbourhood&geography=Harbourview")
    one_body = one.json()
    one_body.pop("followups")
    assert one_body == truth(city, "neighbourhood", "Harbourview").as_json()


@pytest.mark.parametrize("fmt", list(MEDIA))
def test_downloads_have_their_media_type_and_file_name(
    web: TestClient, city: Settings, fmt: str
) -> None:
    query = f"as_of={AS_OF}&level=neighbourhood&geography={quote('Elm Park')}&format={fmt}"
    response = web.get(f"/api/v1/compstat?{query}")
    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA[fmt]
    name = f"compstat-toronto-police-service-2020-03-01-neighbourhood-elm-park.{fmt}"
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    content = response.content
    report = truth(city, "neighbourhood", "Elm Park")
    if fmt == "json":
        loaded = json.loads(content)
        loaded.pop("followups")
        assert loaded == report.as_json()
    elif fmt == "csv":
        lines = content.decode().splitlines()
        assert lines[0].startswith("geography,category,category_slug,kind,wtd_current")
        assert len(lines) == 1 + len(report.rows)
    elif fmt == "xlsx":
        names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        assert "xl/workbook.xml" in names
    elif fmt == "pdf":
        assert content.startswith(b"%PDF-")
    else:
        assert content.decode().startswith("<!doctype html>")
        assert "Report covering the week 2/24/2020 through 3/1/2020" in content.decode()


def error_of(response: Any) -> dict[str, Any]:
    assert response.headers["content-type"] == "application/json"
    error: dict[str, Any] = response.json()["error"]
    return error


@pytest.mark.parametrize(
    ("query", "parameter", "message", "loaded"),
    [
        (
            "level=precinct",
            "level",
            f"no level 'precinct' is loaded for {AGENCY}; levels: city, neighbourhood",
            ["city", "neighbourhood"],
        ),
        (
            "level=neighbourhood&geography=Downtown",
            "geography",
            "no geography 'Downtown' at this level; known: Cedar Heights, Elm Park, Harbourview",
            NEIGHBOURHOODS,
        ),
        (
            "level=precinct&geography=Downtown",
            "level",
            f"no level 'precinct' is loaded for {AGENCY}; levels: city, neighbourhood",
            ["city", "neighbourhood"],
        ),
        (
            "agency=Springfield",
            "agency",
            f"no agency 'Springfield' is loaded; loaded: {AGENCY}",
            [AGENCY],
        ),
    ],
)
def test_api_names_the_bad_parameter_and_what_is_loaded(
    web: TestClient, query: str, parameter: str, message: str, loaded: list[str]
) -> None:
    response = web.get(f"/api/v1/compstat?as_of={AS_OF}&{query}")
    assert response.status_code == 422
    assert error_of(response) == {
        "code": "unprocessable_entity",
        "message": message,
        "details": [{"loc": ["query", parameter], "msg": message, "loaded": loaded}],
    }


@pytest.mark.parametrize(
    ("query", "parameter"), [("format=docx", "format"), ("as_of=1/3/2020", "as_of")]
)
def test_api_refuses_malformed_parameters(web: TestClient, query: str, parameter: str) -> None:
    response = web.get(f"/api/v1/compstat?{query}")
    assert response.status_code == 422
    [detail] = error_of(response)["details"]
    assert detail["loc"] == ["query", parameter]


def test_api_on_an_empty_warehouse_says_how_to_load(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        response = client.get("/api/v1/compstat")
    assert response.status_code == 404
    assert error_of(response) == {
        "code": "not_found",
        "message": "no incidents are loaded; run 'beatwise demo' or 'beatwise ingest'",
    }


def test_cube_is_built_once_per_data_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import beatwise.compstat.cube as cube_module

    city = Settings(home=load_city(tmp_path / "home"))

    built: list[int | None] = []
    real = cube_module.build_cube

    def counting(engine: Any, agency: str, version: Any) -> Any:
        built.append(version.incidents)
        return real(engine, agency, version)

    monkeypatch.setattr(cube_module, "build_cube", counting)
    with TestClient(create_app(city)) as web:
        requests_on_two_versions(web, city, tmp_path)
    assert built == [1, 2]  # a new data version is read at once, and only once


def requests_on_two_versions(web: TestClient, city: Settings, tmp_path: Path) -> None:
    for query in (
        "",
        "?level=neighbourhood",
        f"?as_of={AS_OF}&level=neighbourhood&geography=Elm+Park",
    ):
        assert web.get(f"/compstat{query}").status_code == 200
    assert web.get("/api/v1/compstat?level=neighbourhood&format=csv").status_code == 200
    more = write_tiny_city(tmp_path / "more.csv", 50, seed=99)
    ingest_files(Warehouse(city.warehouse_dir), get_source("toronto-mci"), [more])
    assert web.get("/compstat").status_code == 200
    assert web.get("/compstat?level=neighbourhood").status_code == 200


def test_several_agencies_get_an_agency_picker(tmp_path: Path) -> None:
    home = load_city(tmp_path / "home")
    chicago = Path(__file__).resolve().parents[1] / "fixtures" / "ingest" / "chicago_crimes.csv"
    ingest_files(Warehouse(Settings(home=home).warehouse_dir), get_source("chicago"), [chicago])
    with TestClient(create_app(Settings(home=home))) as client:
        page = parse(client.get("/compstat").text)
        refused = client.get("/api/v1/compstat")
        chosen = client.get("/api/v1/compstat", params={"agency": "chicago police department"})
    agency = next(s for s in page.iter("select") if s.attrs["name"] == "agency")
    options = [(o.attrs["value"], "selected" in o.attrs) for o in agency.iter("option")]
    assert options == [(AGENCY, True), ("Chicago Police Department", False)]  # most incidents first
    assert refused.status_code == 422
    [detail] = error_of(refused)["details"]
    assert detail["loc"] == ["query", "agency"]
    assert detail["loaded"] == [AGENCY, "Chicago Police Department"]
    assert chosen.status_code == 200
    assert chosen.json()["agency"] == "Chicago Police Department"
