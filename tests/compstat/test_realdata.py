"""CompStat on real exports against an independent pandas computation of every window."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from beatwise.compstat.calendar import ReportCalendar, Window
from beatwise.compstat.report import Report, SheetOptions
from beatwise.compstat.sheets import compstat_report
from beatwise.config import Settings
from beatwise.ingest.pipeline import ingest_files
from beatwise.ingest.sources import get_source
from beatwise.warehouse import Warehouse
from beatwise.warehouse.engines import open_engine

REAL_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
IUCR = Path(__file__).resolve().parents[2] / "src/beatwise/ingest/sources/data/chicago_iucr.csv"
SEVEN = {
    "homicide": "Murder",
    "rape": "Rape",
    "robbery": "Robbery",
    "assault": "Felony Assault",
    "burglary": "Burglary",
    "larceny": "Grand Larceny",
    "motor_vehicle_theft": "Grand Larceny Auto",
}


def window_counts(frame: pd.DataFrame, window: Window, by: list[str]) -> pd.Series:
    """Rows per ``by`` whose local day lies in ``window``, 29 February left out."""
    days = frame["day"]
    leap = days.map(lambda d: (d.month, d.day) == (2, 29))
    keep = (days >= window.start) & (days <= window.end) & ~leap
    return frame[keep].groupby(by).size()


def assert_windows_equal(report: Report, frame: pd.DataFrame, by: list[str]) -> int:
    """Every set row's WTD, 28-day and YTD (current and prior) equals pandas; returns the sum."""
    cal = ReportCalendar(report.calendar.as_of)
    spans = {"wtd": cal.week_to_date, "d28": cal.last_28_days, "ytd": cal.year_to_date}
    seen = 0
    for name, window in spans.items():
        now = window_counts(frame, window, by)
        then = window_counts(frame, window.shifted(1), by)
        for row in report.rows:
            if row.kind == "set":
                key = (row.geography, row.label) if len(by) == 2 else row.label
                change = getattr(row, name)
                assert (change.current, change.prior) == (now.get(key, 0), then.get(key, 0)), (
                    name,
                    key,
                )
                seen += change.current
    return seen


@pytest.mark.realdata
def test_chicago_districts_equal_pandas(settings: Settings) -> None:
    path = REAL_DATA / "chicago" / "chicago_crimes_sample_2017_2019.csv"
    if not path.exists():
        pytest.skip(f"no real data at {path}")
    warehouse = Warehouse(settings.warehouse_dir)
    result = ingest_files(warehouse, get_source("chicago"), [path])
    rejected = {r["source_line"] for r in warehouse.to_arrow("rejects").to_pylist()}
    assert len(rejected) == result.rows_rejected
    with open_engine("duckdb", warehouse) as engine:
        report = compstat_report(engine, SheetOptions(date(2019, 6, 30), level="district"))
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw = raw[~(raw.index + 2).isin(rejected)]  # line 1 is the header
    codes = pd.read_csv(IUCR, dtype=str, keep_default_na=False).set_index("code")
    iucr = raw["iucr"].str.zfill(4)
    seven = codes["comparison_sets"].str.contains("nypd_seven_majors")
    raw = raw[iucr.map(seven).fillna(False).astype(bool)].copy()
    raw["label"] = iucr[raw.index].map(codes["category"]).map(SEVEN)
    raw["day"] = pd.to_datetime(raw["date"], format="%m/%d/%Y %H:%M").dt.date
    raw["district"] = raw["district"].str.replace(".0", "", regex=False)
    assert report.row_set.slug == "nypd_seven_majors"
    assert len(report.geographies) >= 22
    assert assert_windows_equal(report, raw, ["district", "label"]) > 500
    # the day the sample's 2018 and 2019 windows meet is counted on the right side
    assert raw["day"].max() >= date(2019, 6, 30)


@pytest.mark.demo
@pytest.mark.slow
def test_demo_city_equals_pandas(demo_settings: Settings, request: pytest.FixtureRequest) -> None:
    from beatwise.ingest.demo_city import demo_files

    cache = Path(request.config.cache.mkdir("beatwise-demo-city"))
    with open_engine("duckdb", Warehouse(demo_settings.warehouse_dir)) as engine:
        report = compstat_report(engine, SheetOptions(date(2021, 3, 7)))
    files = demo_files(cache)
    raw = pd.concat(pd.read_csv(p, dtype=str, keep_default_na=False) for p in files)
    utc = pd.to_datetime(raw["occurrencedate"], format="%Y/%m/%d %H:%M:%S+00", utc=True)
    raw["day"] = utc.dt.tz_convert("America/Toronto").dt.date
    raw["label"] = raw["MCI"]
    assert assert_windows_equal(report, raw, ["label"]) > 5_000
    total = next(r for r in report.rows if r.kind == "total")
    assert total.ytd.current == sum(r.ytd.current for r in report.rows if r.kind == "set")
    assert report.calendar.week.start == date(2021, 3, 1) and timedelta(days=6) == (
        report.calendar.week.end - report.calendar.week.start
    )
