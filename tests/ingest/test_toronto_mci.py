"""The Toronto MCI adapter: times in the agency's zone, derived ids, duplicates, rejects."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from beatwise.config import Settings
from beatwise.ingest.errors import BadInputError
from beatwise.ingest.pipeline import ingest_files
from beatwise.ingest.sources import get_source
from beatwise.testing.city import HEADER, tiny_city_rows
from beatwise.warehouse import Warehouse

SOURCE = get_source("toronto-mci")


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def row(
    date: str, hour: str, mci: str = "Robbery", lat: str = "43.65", lon: str = "-79.38"
) -> dict[str, str]:
    return {
        **dict.fromkeys(HEADER, "0"),
        "occurrencedate": date,
        "occurrencehour": hour,
        "premises_type": "Outside",
        "MCI": mci,
        "Neighbourhood": "Elm Park",
        "Lat": lat,
        "Long": lon,
    }


def incidents(warehouse: Warehouse) -> list[dict[str, object]]:
    return sorted(warehouse.to_arrow("incidents").to_pylist(), key=lambda r: str(r["source_line"]))


def test_every_row_is_kept_including_exact_duplicates(
    settings: Settings, tiny_city_csv: Path
) -> None:
    warehouse = Warehouse(settings.warehouse_dir)
    with tiny_city_csv.open() as handle:
        expected = Counter(r["MCI"] for r in csv.DictReader(handle))
    result = ingest_files(warehouse, SOURCE, [tiny_city_csv])
    table = warehouse.to_arrow("incidents")
    assert result.rows_read == table.num_rows == sum(expected.values())
    assert result.rows_inserted == table.num_rows and result.rows_rejected == 0
    by_mci = Counter(table.column("offense_desc_src").to_pylist())
    assert by_mci == expected
    assert len(set(table.column("record_id").to_pylist())) == table.num_rows


def test_local_midnight_plus_hour_becomes_utc_across_daylight_saving(
    settings: Settings, tmp_path: Path
) -> None:
    rows = [
        row("2014/03/02 05:00:00+00", "8"),  # EST, UTC-5
        row("2016/08/20 04:00:00+00", "10"),  # EDT, UTC-4
        row("1999/01/01 05:00:00+00", "0"),  # reported late: kept
    ]
    warehouse = Warehouse(settings.warehouse_dir)
    ingest_files(warehouse, SOURCE, [write_rows(tmp_path / "t.csv", rows)])
    got = [r["occurred_start"] for r in incidents(warehouse)]
    assert got == [
        datetime(2014, 3, 2, 13, tzinfo=UTC),
        datetime(2016, 8, 20, 14, tzinfo=UTC),
        datetime(1999, 1, 1, 5, tzinfo=UTC),
    ]
    first = incidents(warehouse)[0]
    assert first["time_zone"] == "America/Toronto" and first["date_only"] is False
    assert first["category"] == "robbery" and first["nibrs_code"] == "120"
    assert first["geo_precision"] == "intersection" and first["location_type"] == "outdoors"


def test_reimport_updates_in_place_with_the_same_ids(
    settings: Settings, tiny_city_csv: Path, tmp_path: Path
) -> None:
    warehouse = Warehouse(settings.warehouse_dir)
    first = ingest_files(warehouse, SOURCE, [tiny_city_csv])
    ids = set(warehouse.to_arrow("incidents").column("record_id").to_pylist())
    # The same export again: the same ids, nothing written, no new version, rows keep their id.
    second = ingest_files(warehouse, SOURCE, [tiny_city_csv])
    table = warehouse.to_arrow("incidents")
    assert second.version == first.version == warehouse.version("incidents")
    assert (second.rows_inserted, second.rows_updated) == (0, 0)
    assert second.rows_unchanged == first.rows_inserted == second.rows_accepted == 500
    assert set(table.column("record_id").to_pylist()) == ids
    assert pc.all(pc.equal(table.column("ingest_id"), first.ingest_id)).as_py()
    summary = second.summary()
    assert list(summary) == [
        "ingest_id",
        "source",
        "source_version",
        "table",
        "files",
        "rows_read",
        "accepted",
        "inserted",
        "updated",
        "unchanged",
        "rejected",
        "rejects_by_reason",
        "version",
        "seconds",
        "areas",
    ]
    assert {k: summary[k] for k in ("rows_read", "accepted", "inserted", "updated")} == {
        "rows_read": 500,
        "accepted": 500,
        "inserted": 0,
        "updated": 0,
    }
    assert (summary["unchanged"], summary["rejected"], summary["rejects_by_reason"]) == (500, 0, {})
    assert (summary["version"], summary["files"]) == (first.version, [str(tiny_city_csv)])
    # A longer re-export: the 500 rows as before plus 7 new ones, inserted as one new version.
    with tiny_city_csv.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    extra = [row(f"2020/02/0{d} 05:00:00+00", str(d)) for d in range(1, 8)]
    longer = write_rows(tmp_path / "longer.csv", rows + extra)
    third = ingest_files(warehouse, SOURCE, [longer])
    table = warehouse.to_arrow("incidents")
    assert third.version == first.version + 1
    assert (third.rows_inserted, third.rows_updated, third.rows_unchanged) == (7, 0, 500)
    assert set(table.column("record_id").to_pylist()) > ids and table.num_rows == 507
    by_import = Counter(table.column("ingest_id").to_pylist())
    assert by_import == {first.ingest_id: 500, third.ingest_id: 7}
    new_lines = sorted(
        r["source_line"] for r in incidents(warehouse) if r["ingest_id"] == third.ingest_id
    )
    assert new_lines == list(range(502, 509))
    provenance = warehouse.to_arrow("ingests").to_pylist()
    assert {p["ingest_id"]: p["rows_written"] for p in provenance} == {
        first.ingest_id: 500,
        second.ingest_id: 0,
        third.ingest_id: 7,
    }


def test_bad_rows_go_to_rejects_with_line_and_reason(settings: Settings, tmp_path: Path) -> None:
    rows = [
        row("2019/05/01 04:00:00+00", "3"),
        row("not a date", "3"),
        row("2019/05/01 04:00:00+00", "3", mci="Jaywalking"),
        row("2019/05/01 04:00:00+00", "31"),
    ]
    warehouse = Warehouse(settings.warehouse_dir)
    result = ingest_files(warehouse, SOURCE, [write_rows(tmp_path / "bad.csv", rows)])
    assert (result.rows_read, result.rows_inserted, result.rows_rejected) == (4, 1, 3)
    rejects = warehouse.to_arrow("rejects").to_pylist()
    assert [(r["source_line"], r["column"], r["value"]) for r in rejects] == [
        (3, "occurrencedate", "not a date"),
        (4, "MCI", "Jaywalking"),
        (5, "occurrencedate", "2019/05/01 04:00:00+00"),
    ]
    assert all(r["source_file"] == str(tmp_path / "bad.csv") for r in rejects)
    assert "five categories" in rejects[1]["reason"]
    by_reason = result.summary()["rejects_by_reason"]
    assert (
        by_reason
        == dict(result.rejects_by_reason)
        == {
            rejects[0]["reason"]: 2,
            rejects[1]["reason"]: 1,
        }
    )
    assert [count for _, count in result.rejects_by_reason] == [2, 1]


def test_file_without_required_columns_is_refused_before_any_write(
    settings: Settings, tmp_path: Path, tiny_city_csv: Path
) -> None:
    warehouse = Warehouse(settings.warehouse_dir)
    ingest_files(warehouse, SOURCE, [tiny_city_csv])
    before = warehouse.statuses()
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("id,date,offense\n1,2020-01-01,theft\n")
    with pytest.raises(BadInputError) as caught:
        ingest_files(warehouse, SOURCE, [tiny_city_csv, wrong])
    message = str(caught.value)
    assert str(wrong) in message and "line 1" in message and "occurrencedate" in message
    assert warehouse.statuses() == before


@hyp_settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 60), data=st.data())
def test_ids_do_not_depend_on_row_order(
    tmp_path_factory: pytest.TempPathFactory, seed: int, n: int, data: st.DataObject
) -> None:
    """Identical rows are interchangeable, so any shuffle of a file yields the same id set."""
    rows = tiny_city_rows(n, seed=seed, days=3)
    shuffled = data.draw(st.permutations(rows))
    folder = tmp_path_factory.mktemp("order")
    id_sets = []
    for name, ordered in (("a", rows), ("b", shuffled)):
        warehouse = Warehouse(folder / name)
        ingest_files(warehouse, SOURCE, [write_rows(folder / f"{name}.csv", list(ordered))])
        id_sets.append(sorted(warehouse.to_arrow("incidents").column("record_id").to_pylist()))
    assert id_sets[0] == id_sets[1]
    assert len(id_sets[0]) == len(rows)


def test_mixed_line_endings_are_read(tmp_path: Path) -> None:
    good = row("2019/05/01 04:00:00+00", "3")
    path = tmp_path / "mixed.csv"
    text = ",".join(HEADER) + "\n" + ",".join(good[h] for h in HEADER) + "\r\n"
    path.write_text(text, newline="")
    result = ingest_files(Warehouse(tmp_path / "w"), SOURCE, [path])
    assert result.rows_inserted == 1


def test_empty_lines_do_not_shift_line_numbers(tmp_path: Path) -> None:
    good = ",".join(row("2019/05/01 04:00:00+00", "3")[h] for h in HEADER)
    path = tmp_path / "gaps.csv"
    path.write_text(",".join(HEADER) + "\n\n" + good + "\n")
    warehouse = Warehouse(tmp_path / "w")
    ingest_files(warehouse, SOURCE, [path])
    assert [r["source_line"] for r in warehouse.to_arrow("incidents").to_pylist()] == [3]
