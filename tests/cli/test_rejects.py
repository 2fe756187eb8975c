"""``beatwise rejects``: one import's refused rows, counted by reason, read through DuckDB."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

from beatwise.cli.main import app
from beatwise.config import Settings
from beatwise.ingest.sources.chicago_sentiment import ingest_sentiment
from beatwise.warehouse import Warehouse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sentiment"
BAD = FIXTURES / "elucd_bad.csv"
GOOD = FIXTURES / "elucd_small.csv"

runner = CliRunner()


def test_json_counts_by_reason_and_lists_rows_in_line_order(settings: Settings) -> None:
    warehouse = Warehouse(settings.warehouse_dir)
    bad = ingest_sentiment(warehouse, [BAD])
    ingest_sentiment(warehouse, [GOOD])
    stored = [
        r for r in warehouse.to_arrow("rejects").to_pylist() if r["ingest_id"] == bad.ingest_id
    ]
    result = runner.invoke(app, ["rejects", "--ingest", bad.ingest_id, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["ingest_id"] == bad.ingest_id and payload["source"] == "chicago-sentiment"
    assert payload["rows_rejected"] == bad.rows_rejected == 4
    assert payload["rejects"] == len(stored) == 6
    assert payload["rejects_by_reason"] == dict(Counter(r["reason"] for r in stored))
    counts = list(payload["rejects_by_reason"].values())
    assert counts == sorted(counts, reverse=True)
    assert [(r["source_line"], r["column"], r["value"]) for r in payload["rows"]] == [
        (3, "END_DATE", "2019-03-09"),
        (3, "START_DATE", "2019-03-03"),
        (4, "SAFETY", "n/a"),
        (4, "S_RACE_WHITE", "101.5"),
        (6, "CITY", None),
        (7, "END_DATE", "03/03/2019"),
    ]
    assert payload["rows"][0]["source_file"] == str(BAD)


def test_limit_caps_the_rows_but_not_the_summary(settings: Settings) -> None:
    bad = ingest_sentiment(Warehouse(settings.warehouse_dir), [BAD])
    result = runner.invoke(app, ["rejects", "--ingest", bad.ingest_id, "--limit", "2", "--json"])
    payload = json.loads(result.output)
    assert payload["shown"] == 2 and payload["rejects"] == 6
    assert [r["source_line"] for r in payload["rows"]] == [3, 3]
    text = runner.invoke(app, ["rejects", "--ingest", bad.ingest_id, "--limit", "2"])
    assert text.exit_code == 0, text.output
    assert "showing 2 of 6" in text.output and "elucd_bad.csv" in text.output
    assert "rejects by reason" in text.output and "START_DATE" in text.output


def test_without_ingest_the_latest_import_is_shown(settings: Settings) -> None:
    warehouse = Warehouse(settings.warehouse_dir)
    ingest_sentiment(warehouse, [BAD])
    latest = ingest_sentiment(warehouse, [GOOD])
    result = runner.invoke(app, ["rejects", "--json"])
    payload = json.loads(result.output)
    assert payload["ingest_id"] == latest.ingest_id
    assert (payload["rejects"], payload["rows"], payload["rejects_by_reason"]) == (0, [], {})
    text = runner.invoke(app, ["rejects"])
    assert f"{latest.ingest_id}" in text.output and "0 rejects" in text.output


def test_an_unknown_ingest_exits_2_listing_the_latest_five(settings: Settings) -> None:
    warehouse = Warehouse(settings.warehouse_dir)
    ids = [ingest_sentiment(warehouse, [GOOD]).ingest_id for _ in range(6)]
    result = runner.invoke(app, ["rejects", "--ingest", "20990101T000000Z-nothere"])
    assert result.exit_code == 2
    assert "20990101T000000Z-nothere" in result.output
    assert all(i in result.output for i in ids[1:]) and ids[0] not in result.output


def test_a_home_without_imports_exits_2_and_creates_nothing(settings: Settings) -> None:
    result = runner.invoke(app, ["rejects"])
    assert result.exit_code == 2 and "no imports yet" in result.output
    assert not settings.warehouse_dir.exists()
