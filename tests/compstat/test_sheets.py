"""Reports from a real warehouse, checked against independent pandas computations."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from beatwise.cli.main import app
from beatwise.compstat.report import SheetOptions
from beatwise.compstat.rows import row_set
from beatwise.compstat.sheets import NoDataError, compstat_report
from beatwise.config import Settings
from beatwise.ingest.mappings import MappingSource, load_mapping
from beatwise.ingest.pipeline import ingest_files
from beatwise.ingest.sources import get_source
from beatwise.testing.city import write_tiny_city
from beatwise.warehouse import Warehouse
from beatwise.warehouse.engines import open_engine

MCI_LABELS = {
    "Assault": "Assault",
    "Break and Enter": "Break and Enter",
    "Robbery": "Robbery",
    "Auto Theft": "Auto Theft",
    "Theft Over": "Theft Over",
}
AS_OF = date(2020, 3, 1)  # a Sunday; its week and 28 days hold 29 February 2020
REAL_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def local_days(csv_path: Path) -> pd.DataFrame:
    """The tiny city's rows with their local date, by pandas' own time-zone conversion."""
    raw = pd.read_csv(csv_path, dtype=str)
    utc = pd.to_datetime(raw["occurrencedate"], format="%Y/%m/%d %H:%M:%S+00", utc=True)
    raw["day"] = utc.dt.tz_convert("America/Toronto").dt.date
    return raw


def counted(frame: pd.DataFrame, start: date, end: date) -> pd.Series:
    """Rows per (neighbourhood, MCI) with start ≤ day ≤ end, 29 February left out."""
    days = frame["day"]
    keep = (days >= start) & (days <= end) & ~days.map(lambda d: (d.month, d.day) == (2, 29))
    return frame[keep].groupby(["Neighbourhood", "MCI"]).size()


def test_tiny_city_report_equals_pandas(settings: Settings, tmp_path: Path) -> None:
    tiny_city_csv = write_tiny_city(tmp_path / "city.csv", 3000, seed=11)
    warehouse = Warehouse(settings.warehouse_dir)
    ingest_files(warehouse, get_source("toronto-mci"), [tiny_city_csv])
    with open_engine("duckdb", warehouse) as engine:
        report = compstat_report(engine, SheetOptions(AS_OF, level="neighbourhood"))
    frame = local_days(tiny_city_csv)
    monday = AS_OF - timedelta(days=AS_OF.weekday())
    windows = {
        "wtd": (monday, AS_OF, date(2019, 2, 24), date(2019, 3, 1)),  # same dates
        "d28": (AS_OF - timedelta(days=27), AS_OF, date(2019, 2, 3), date(2019, 3, 1)),
        "ytd": (date(2020, 1, 1), AS_OF, date(2019, 1, 1), date(2019, 3, 1)),
    }
    assert report.geographies == ("Cedar Heights", "Elm Park", "Harbourview")
    checked = 0
    for row in report.rows:
        if row.kind != "set":
            continue
        mci = {v: k for k, v in MCI_LABELS.items()}[row.label]
        for name, (start, end, prior_start, prior_end) in windows.items():
            change = getattr(row, name)
            now = counted(frame, start, end).get((row.geography, mci), 0)
            then = counted(frame, prior_start, prior_end).get((row.geography, mci), 0)
            assert (change.current, change.prior) == (now, then), (row.geography, mci, name)
            checked += now + then
    assert checked > 50  # the windows are not empty
    feb29 = frame[frame["day"] == date(2020, 2, 29)]
    assert len(feb29) > 0  # the leap-day rule is exercised


def test_cli_json_and_errors(settings: Settings, tiny_city_csv: Path) -> None:
    runner = CliRunner()
    empty = runner.invoke(app, ["compstat", "--as-of", "2020-03-01"])
    assert empty.exit_code == 2 and "no incidents are loaded" in empty.output
    ingest_files(Warehouse(settings.warehouse_dir), get_source("toronto-mci"), [tiny_city_csv])
    result = runner.invoke(
        app,
        [
            "compstat",
            "--as-of",
            "2020-03-01",
            "--format",
            "json",
            "--rows",
            "toronto-mci",
            "--category",
            "theft",
            "--extra",
            "auto theft",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["week"] == {"start": "2020-02-24", "end": "2020-03-01"}
    assert [r["category"] for r in payload["rows"]] == [
        "Theft Over",
        "TOTAL",
        "Motor vehicle theft",
    ]
    assert payload["data_version"]["incidents"] == 1
    for args, message in [
        (["--as-of", "2020-02-30"], "is not a date"),
        (["--level", "precinct"], "levels: city, neighbourhood"),
        (["--level", "neighbourhood", "--geography", "Nowhere"], "known: Cedar Heights"),
        (["--category", "theft"], "--category needs --rows"),
        (["--rows", "toronto-mci", "--category", "fraud"], "none of fraud is a row"),
        (["--extra", "jaywalking"], "jaywalking"),
        (["--agency", "NYPD"], "no agency 'NYPD'"),
        (["--data-version", "9"], "does not exist"),
        (["--output", "report.docx"], "cannot tell the format"),
        (["--base-year", "219"], "greater than or equal to"),
        (["--format", "pdf"], "pdf is binary; pass --output FILE"),
        (["--output", "/nonexistent/week.pdf"], "no folder /nonexistent to write week.pdf in"),
    ]:
        failed = runner.invoke(app, ["compstat", *args])
        assert failed.exit_code == 2, (args, failed.output)
        assert message in " ".join(failed.output.split()), (args, failed.output)
    unreachable = "postgresql+psycopg://postgres:secret@127.0.0.1:9/none"
    failed = runner.invoke(app, ["--db-url", unreachable, "compstat", "--as-of", "2020-03-01"])
    assert failed.exit_code == 2
    assert "cannot open the app database" in failed.output and "secret" not in failed.output


def test_default_as_of_is_the_last_sunday_with_data(
    settings: Settings, tiny_city_csv: Path
) -> None:
    ingest_files(Warehouse(settings.warehouse_dir), get_source("toronto-mci"), [tiny_city_csv])
    last = local_days(tiny_city_csv)["day"].max()
    result = CliRunner().invoke(app, ["compstat", "--format", "json"])
    assert result.exit_code == 0, result.output
    as_of = date.fromisoformat(json.loads(result.output)["as_of"])
    assert as_of.weekday() == 6 and 0 <= (last - as_of).days < 7


@pytest.mark.realdata
def test_nypd_history_shows_as_published(settings: Settings) -> None:
    path = REAL_DATA / "nyc" / "nypd_precinct_seven_major_felonies_2000_2014.csv"
    if not path.exists():
        pytest.skip(f"no real data at {path}")
    warehouse = Warehouse(settings.warehouse_dir)
    ingest_files(warehouse, MappingSource(load_mapping("nypd-seven-majors-counts")), [path])
    years = tuple(range(2000, 2015))
    options = SheetOptions(
        date(2014, 12, 28), level="precinct", rows=row_set("nypd-seven-majors"), history_years=years
    )
    with open_engine("duckdb", warehouse) as engine:
        report = compstat_report(engine, options)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    published = raw[raw["incident_count"] != ""]
    labels = {
        "MURDER & NON NEGL. MANSLAUGHTER": "Murder",
        "RAPE": "Rape",
        "ROBBERY": "Robbery",
        "FELONY ASSAULT": "Felony Assault",
        "BURGLARY": "Burglary",
        "GRAND LARCENY": "Grand Larceny",
        "GRAND LARCENY OF MOTOR VEHICLE": "Grand Larceny Auto",
    }
    shown = {
        (r.geography, r.label, year): total.count
        for r in report.rows
        for year, total in r.history.items()
        if total is not None
    }
    for _, line in published.iterrows():
        key = (line["precinct"], labels[line["category"]], int(line["year"]))
        assert shown[key] == int(line["incident_count"])
    totals = published.astype({"incident_count": int}).groupby(["precinct", "year"])
    for (precinct, year), group in totals:
        if len(group) == len(labels):
            assert shown[(precinct, "TOTAL", int(year))] == group["incident_count"].sum()
    assert shown[("75", "TOTAL", 2000)] > 0
    with open_engine("duckdb", warehouse) as engine, pytest.raises(NoDataError, match="no agency"):
        compstat_report(engine, options, agency="Chicago Police Department")


def test_the_report_lists_follow_up_items(
    settings: Settings, tiny_city_csv: Path, tmp_path: Path
) -> None:
    ingest_files(Warehouse(settings.warehouse_dir), get_source("toronto-mci"), [tiny_city_csv])
    runner = CliRunner()
    common = ["--agency", "Toronto Police Service", "--level", "neighbourhood"]
    for geography, due in [("Elm Park", "2020-02-20"), ("Harbourview", "2020-03-20")]:
        added = runner.invoke(
            app,
            [
                "followup",
                "add",
                f"Patrol plan for {geography}",
                *common,
                "--geography",
                geography,
                "--owner",
                "Unit commander",
                "--due",
                due,
                "--raised",
                "2020-02-10",
            ],
        )
        assert added.exit_code == 0, added.output
    args = ["compstat", "--as-of", "2020-03-01", "--level", "neighbourhood"]
    payload = json.loads(runner.invoke(app, [*args, "--format", "json"]).output)
    listed = {
        (i["geography"], i["overdue"], i["days_overdue"]) for i in payload["followups"]["open"]
    }
    assert listed == {("Elm Park", True, 10), ("Harbourview", False, 0)}
    week = tmp_path / "week.html"
    page = runner.invoke(app, [*args, "--geography", "Elm Park", "--output", str(week)])
    assert page.exit_code == 0, page.output
    html = week.read_text()
    assert "Patrol plan for Elm Park" in html and "overdue 10 d" in html
    assert "Patrol plan for Harbourview" not in html  # another sheet's item
    terminal = runner.invoke(app, [*args, "--geography", "Elm Park"])
    assert "follow-up #1 (open, due 2020-02-20) overdue 10 d" in terminal.output
