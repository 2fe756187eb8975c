"""CompStat follow-up in the web app, who may see staff pages, and the audit log.

Follow-up items are added and moved through the page's forms (with and without htmx) and the
JSON API, and read back both from the page and with ``items_for_report`` on the app database.
Every staff request leaves exactly one audit row, read here with plain SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from beatwise.appdb.models.people import AuditEntry
from beatwise.appdb.session import make_engine
from beatwise.compstat.followup import items_for_report
from beatwise.config import Settings
from beatwise.web.app import create_app

from .test_compstat import AGENCY, AS_OF, load_city
from .test_home import text_of

HTMX = {"HX-Request": "true"}
SHEET = {"agency": AGENCY, "level": "neighbourhood", "geography": "Elm Park", "as_of": "2020-03-01"}
STAFF_ONLY = (
    "staff pages need sign-in, which is not built yet; they are served to this machine only"
)


@pytest.fixture(scope="module")
def small_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return load_city(tmp_path_factory.mktemp("compstat-followup") / "home")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def city(request: pytest.FixtureRequest, small_city: Path, tmp_path: Path) -> Settings:
    """The tiny city with a fresh app database, on SQLite and on PostgreSQL."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    return Settings(home=small_city, db_url=url)


@pytest.fixture
def web(city: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(city)) as client:
        yield client


def audit_rows(settings: Settings) -> list[tuple[str, str, dict[str, Any]]]:
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
            return [(e.action, e.target, dict(e.detail)) for e in entries]
    finally:
        engine.dispose()


def listed(settings: Settings, as_of: date = AS_OF) -> Any:
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            return items_for_report(session, AGENCY, "neighbourhood", ["Elm Park"], as_of)
    finally:
        engine.dispose()


NEW_ITEM = {
    **SHEET,
    "request": "Robbery pattern near the park: a plan by next week",
    "owner": "Unit Commander, Elm Park",
    "category": "robbery",
    "raised_on": "2020-02-24",
    "due_on": "2020-02-28",
}


def test_follow_up_round_trip_through_the_page_forms(web: TestClient, city: Settings) -> None:
    added = web.post("/compstat/followup", data=NEW_ITEM, headers=HTMX)
    assert added.status_code == 200
    assert added.text.startswith('<section id="followup"')
    text = text_of(added.text)
    assert "Added item 1 for Unit Commander, Elm Park, due 2020-02-28." in text
    assert "#1 Robbery pattern near the park: a plan by next week Robbery" in text
    assert "overdue 2 days" in text  # open on 1 March, due 28 February
    refused = web.post(
        "/compstat/followup/1/status", data={**SHEET, "status": "done", "text": ""}, headers=HTMX
    )
    assert refused.status_code == 422
    assert "Not saved: item 1: closing it as done needs an outcome" in text_of(refused.text)
    assert [i.item.status.value for i in listed(city).items] == ["open"]
    closed = web.post(
        "/compstat/followup/1/status",
        data={**SHEET, "status": "done", "text": "Two arrests; patrols added", "on": "2020-02-27"},
        headers=HTMX,
    )
    assert closed.status_code == 200
    text = text_of(closed.text)
    assert "Item 1 is now done." in text
    assert "Closed in the report week (1)" in text
    assert "Two arrests; patrols added" in text
    [entry] = listed(city).items
    assert (entry.item.status.value, entry.item.outcome, entry.item.closed_on) == (
        "done",
        "Two arrests; patrols added",
        date(2020, 2, 27),
    )
    page = web.get("/compstat", params={k: v for k, v in SHEET.items()})
    assert "Two arrests; patrols added" in text_of(page.text)


def test_forms_work_without_javascript(web: TestClient, city: Settings) -> None:
    response = web.post("/compstat/followup", data=NEW_ITEM, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == (
        "/compstat?agency=Toronto+Police+Service&as_of=2020-03-01&level=neighbourhood"
        "&geography=Elm+Park#followup"
    )
    bad = web.post("/compstat/followup", data={**NEW_ITEM, "due_on": "2020-02-01"})
    assert bad.status_code == 422
    text = text_of(bad.text)
    assert "Not saved: due date 2020-02-01 is before the meeting date 2020-02-24" in text
    assert "<h1>CompStat</h1>" in bad.text and 'class="compstat-sheet"' in bad.text
    assert 'value="Unit Commander, Elm Park"' in bad.text  # the refused form is filled again
    assert len(listed(city).items) == 1


def test_follow_up_json_api(web: TestClient) -> None:
    body = {k: v for k, v in NEW_ITEM.items() if k not in {"as_of", "agency"}}
    added = web.post("/api/v1/compstat/followup", json=body)
    assert added.status_code == 201
    item = added.json()
    assert (item["id"], item["agency"], item["status"], item["category"]) == (
        1,
        AGENCY,
        "open",
        "robbery",
    )
    moved = web.post("/api/v1/compstat/followup/1/status", json={"status": "in progress"})
    assert moved.status_code == 200
    assert moved.json()["status"] == "in_progress"
    listing = web.get("/api/v1/compstat/followup", params={**SHEET}).json()
    assert listing["geographies"] == ["Elm Park"]
    [open_item] = listing["open"]
    assert (open_item["id"], open_item["overdue"], open_item["days_overdue"]) == (1, True, 2)
    missing = web.post("/api/v1/compstat/followup/9/status", json={"status": "done"})
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "no follow-up item 9"
    nowhere = web.post("/api/v1/compstat/followup", json={**body, "geography": "Atlantis"})
    assert nowhere.status_code == 422
    assert nowhere.json()["error"]["details"][0]["loc"] == ["query", "geography"]
    late = web.post("/api/v1/compstat/followup", json={**body, "due_on": "2020-01-01"})
    assert late.status_code == 422
    assert "before the meeting date" in late.json()["error"]["message"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/compstat"),
        ("GET", "/api/v1/compstat"),
        ("GET", "/api/v1/compstat/followup"),
        ("POST", "/compstat/followup"),
        ("POST", "/api/v1/compstat/followup"),
    ],
)
def test_staff_routes_refuse_other_machines(city: Settings, method: str, path: str) -> None:
    app = create_app(city)
    with TestClient(app, client=("203.0.113.7", 50123)) as remote:
        response = remote.request(method, path)
        assert remote.get("/").status_code == 200  # public pages stay public
    assert response.status_code == 403
    assert response.json() == {"error": {"code": "forbidden", "message": STAFF_ONLY}}
    assert audit_rows(city) == []


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "127.0.0.53"])
def test_loopback_addresses_are_served(city: Settings, host: str) -> None:
    with TestClient(create_app(city), client=(host, 50123)) as local:
        assert local.get("/api/v1/compstat?level=city").status_code == 200


def test_foreign_host_names_and_origins_are_refused(web: TestClient) -> None:
    rebound = web.get("/compstat", headers={"Host": "attacker.example"})
    assert rebound.status_code == 403
    assert web.get("/compstat", headers={"Host": "localhost:8000"}).status_code == 200
    forged = web.post(
        "/compstat/followup", data=NEW_ITEM, headers={"Origin": "https://attacker.example"}
    )
    assert forged.status_code == 403
    cross = web.post("/compstat/followup", data=NEW_ITEM, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    same = web.post(
        "/compstat/followup",
        data=NEW_ITEM,
        headers={"Origin": "http://testserver", **HTMX},
    )
    assert same.status_code == 200


def test_every_staff_request_writes_one_audit_row(web: TestClient, city: Settings) -> None:
    web.get("/compstat", params={**SHEET})
    web.get("/api/v1/compstat", params={"as_of": "2020-03-01", "format": "csv"})
    web.post("/compstat/followup", data=NEW_ITEM, headers=HTMX)
    web.get("/api/v1/compstat/followup", params={**SHEET})
    web.get("/")  # not a staff page: not audited
    web.get("/api/v1/compstat?level=nowhere")  # refused: no data was read
    rows = audit_rows(city)
    version = {"incidents": 1, "area_membership": 0, "official_counts": 0}
    assert [(action, target) for action, target, _ in rows] == [
        ("compstat.view", f"{AGENCY}/neighbourhood/Elm Park"),
        ("compstat.report", f"{AGENCY}/city/*"),
        ("compstat.followup.add", f"{AGENCY}/neighbourhood/Elm Park"),
        ("compstat.followup.list", f"{AGENCY}/neighbourhood/Elm Park"),
    ]
    view, report, add, _ = (detail for _, _, detail in rows)
    assert view["as_of"] == "2020-03-01" and view["format"] == "html"
    assert view["data_version"] == version and view["client"] == "testclient"
    assert (report["format"], report["data_version"], report["method"]) == ("csv", version, "GET")
    assert (add["item"], add["refused"], add["path"]) == (1, None, "/compstat/followup")
