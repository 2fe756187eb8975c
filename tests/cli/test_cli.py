"""The ``beatwise`` command line: help, status (text and JSON), ingest, db upgrade, errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from beatwise.appdb.migrate import head_revision
from beatwise.cli.main import app
from beatwise.config import Settings
from beatwise.datamodel import TABLES
from beatwise.warehouse import Warehouse

runner = CliRunner()


def test_help_lists_the_command_groups() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("status", "ingest", "demo", "serve", "db"):
        assert command in result.output


def test_status_json_reports_every_table_after_an_ingest(
    settings: Settings, tiny_city_csv: Path
) -> None:
    ingested = runner.invoke(app, ["ingest", "--source", "toronto-mci", str(tiny_city_csv)])
    assert ingested.exit_code == 0, ingested.output
    result = runner.invoke(app, ["status", "--json"])
    assert result.exit_code == 0
    payload = json.loads(result.output)
    rows = len(tiny_city_csv.read_text().splitlines()) - 1
    assert Warehouse(settings.warehouse_dir).status("incidents").rows == rows
    assert payload["home"] == str(settings.home)
    assert payload["db_url"] == settings.database_url
    assert set(payload["tables"]) == set(TABLES)
    assert payload["tables"]["incidents"] == {"rows": rows, "version": 1}
    assert payload["tables"]["ingests"] == {"rows": 1, "version": 1}


def test_flags_override_the_environment(settings: Settings, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    result = runner.invoke(
        app, ["--home", str(other), "--db-url", "sqlite:///x.db", "status", "--json"]
    )
    payload = json.loads(result.output)
    assert payload["home"] == str(other)
    assert payload["db_url"] == "sqlite:///x.db"
    assert payload["tables"]["incidents"] == {"rows": 0, "version": None}
    assert not other.exists(), "status must not create anything"


def test_status_text_shows_home_and_tables(settings: Settings) -> None:
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0
    assert str(settings.home) in result.output.replace("\n", "")
    assert "incidents" in result.output and "crisis_contacts" in result.output


def test_bad_file_exits_2_naming_the_file_and_writes_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    bad = tmp_path / "export.csv"
    bad.write_text("a,b\n1,2\n")
    result = runner.invoke(app, ["ingest", "--source", "toronto-mci", str(bad)])
    assert result.exit_code == 2
    assert "export.csv" in result.output and "missing column" in result.output
    assert Warehouse(settings.warehouse_dir).status("incidents").rows == 0


def test_unknown_source_exits_2_listing_known_sources(
    settings: Settings, tiny_city_csv: Path
) -> None:
    result = runner.invoke(app, ["ingest", "--source", "atlantis", str(tiny_city_csv)])
    assert result.exit_code == 2
    assert "toronto-mci" in result.output


def test_db_upgrade_creates_the_sqlite_database(settings: Settings) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (settings.home / "beatwise.sqlite").exists()
    assert f"revision {head_revision()} (head {head_revision()})" in result.output


def test_ingest_json_summary_counts_a_reimport_as_unchanged(
    settings: Settings, tiny_city_csv: Path
) -> None:
    args = ["ingest", "--source", "toronto-mci", str(tiny_city_csv), "--json"]
    first = json.loads(runner.invoke(app, args).output)
    second = json.loads(runner.invoke(app, args).output)
    rows = len(tiny_city_csv.read_text().splitlines()) - 1
    assert (first["inserted"], first["unchanged"], first["accepted"]) == (rows, 0, rows)
    assert (second["inserted"], second["updated"], second["unchanged"]) == (0, 0, rows)
    assert second["version"] == first["version"] == 1
    assert second["rejects_by_reason"] == {} and second["files"] == [str(tiny_city_csv)]


def test_mapping_source_needs_a_mapping_and_a_mapping_needs_a_mapping_source(
    settings: Settings, tiny_city_csv: Path
) -> None:
    alone = runner.invoke(app, ["ingest", "--source", "mapping", str(tiny_city_csv)])
    assert alone.exit_code == 2 and "--mapping" in alone.output
    stray = ["ingest", "--source", "toronto-mci", "--mapping", "x.yaml", str(tiny_city_csv)]
    assert runner.invoke(app, stray).exit_code == 2


def test_counts_refuses_a_mapping_that_writes_another_table(
    settings: Settings, tiny_city_csv: Path
) -> None:
    args = ["ingest", "--source", "counts", "--mapping", "seattle-use-of-force"]
    result = runner.invoke(app, [*args, str(tiny_city_csv)])
    assert result.exit_code == 2 and "official_counts" in result.output
