"""The Delta warehouse: creation, MERGE upserts, one commit per write, time travel, appends."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from beatwise.datamodel import TABLES, table_spec
from beatwise.warehouse import TableStatus, Warehouse, WriteResult

INCIDENTS = table_spec("incidents")
CATEGORIES = ("assault", "burglary", "robbery", "larceny")
KEYS = tuple("abcdef")


def incident(key: str, category: str) -> dict[str, object]:
    """One incidents row with natural key ``("test", key)`` and the given category."""
    return {
        "record_id": f"test|{key}",
        "source": "test",
        "source_record_id": key,
        "agency": "Test Police",
        "ingest_id": "ingest-1",
        "category": category,
        "comparison_sets": ["test"],
        "occurred_start": datetime(2024, 1, 1, 12, tzinfo=UTC),
        "date_only": False,
        "time_zone": "UTC",
        "is_sensitive": False,
    }


def batch(rows: Mapping[str, str]) -> pa.Table:
    """An incidents batch from ``{source_record_id: category}``."""
    return pa.Table.from_pylist(
        [incident(key, value) for key, value in rows.items()], schema=INCIDENTS.schema
    )


def categories(table: pa.Table) -> dict[str, str]:
    """``{source_record_id: category}`` of an incidents table; fails on a duplicate key."""
    keys = [str(key) for key in table.column("source_record_id").to_pylist()]
    assert len(keys) == len(set(keys)), "duplicate natural keys"
    values = [str(value) for value in table.column("category").to_pylist()]
    return dict(zip(keys, values, strict=True))


def provenance(ingest_id: str) -> pa.Table:
    """One ``ingests`` row."""
    now = datetime(2024, 1, 1, tzinfo=UTC)
    row = {
        "ingest_id": ingest_id,
        "source": "test",
        "agency": "Test Police",
        "target_table": "incidents",
        "files": ["a.csv"],
        "file_sha256": ["0" * 64],
        "rows_read": 1,
        "rows_written": 1,
        "rows_rejected": 0,
        "started_at": now,
        "finished_at": now,
        "beatwise_version": "test",
    }
    return pa.Table.from_pylist([row], schema=table_spec("ingests").schema)


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    """An empty warehouse (no table created yet)."""
    return Warehouse(tmp_path / "warehouse")


def test_status_of_a_missing_warehouse_creates_nothing(tmp_path: Path) -> None:
    root = tmp_path / "nowhere"
    warehouse = Warehouse(root)
    assert warehouse.statuses() == [TableStatus(name, None, 0) for name in TABLES]
    assert warehouse.version("incidents") is None
    assert not root.exists()


def test_ensure_tables_creates_every_table_empty_at_version_0(warehouse: Warehouse) -> None:
    warehouse.ensure_tables()
    expected = [TableStatus(name, 0, 0) for name in TABLES]
    assert warehouse.statuses() == expected
    warehouse.ensure_tables()
    assert warehouse.statuses() == expected, "ensure_tables is not idempotent"
    for name, spec in TABLES.items():
        assert warehouse.to_arrow(name).schema == spec.schema


def test_unknown_table_is_refused(warehouse: Warehouse) -> None:
    with pytest.raises(KeyError, match="known tables: incidents"):
        warehouse.upsert("incidentz", batch({"a": "assault"}))


def test_upsert_inserts_then_updates_without_duplicates(warehouse: Warehouse) -> None:
    first = warehouse.upsert("incidents", batch({"a": "assault", "b": "burglary", "c": "robbery"}))
    assert first == WriteResult("incidents", 1, rows_inserted=3, rows_updated=0)
    second = warehouse.upsert("incidents", batch({"b": "larceny", "c": "robbery", "d": "arson"}))
    assert second == WriteResult("incidents", 2, rows_inserted=1, rows_updated=2)
    assert warehouse.status("incidents") == TableStatus("incidents", 2, 4)
    assert categories(warehouse.to_arrow("incidents")) == {
        "a": "assault",
        "b": "larceny",
        "c": "robbery",
        "d": "arson",
    }


def test_upsert_takes_a_record_batch_reader_in_any_column_order(warehouse: Warehouse) -> None:
    rows = batch({"a": "assault", "b": "burglary"})
    shuffled = rows.select(list(reversed(rows.schema.names)))
    batches = shuffled.to_batches(max_chunksize=1)
    reader = pa.RecordBatchReader.from_batches(shuffled.schema, batches)
    result = warehouse.upsert("incidents", reader)
    assert (result.version, result.rows_inserted) == (1, 2)
    assert categories(warehouse.to_arrow("incidents")) == {"a": "assault", "b": "burglary"}


def test_an_empty_upsert_commits_nothing(warehouse: Warehouse) -> None:
    warehouse.upsert("incidents", batch({"a": "assault"}))
    result = warehouse.upsert("incidents", INCIDENTS.schema.empty_table())
    assert result == WriteResult("incidents", 1, 0, 0)
    assert warehouse.version("incidents") == 1


def test_old_versions_stay_readable_with_their_old_values(warehouse: Warehouse) -> None:
    warehouse.upsert("incidents", batch({"a": "assault", "b": "burglary"}))
    warehouse.upsert("incidents", batch({"b": "larceny", "c": "robbery"}))
    path = warehouse.path("incidents")
    assert categories(DeltaTable(path, version=0).to_pyarrow_table()) == {}
    assert categories(DeltaTable(path, version=1).to_pyarrow_table()) == {
        "a": "assault",
        "b": "burglary",
    }
    assert categories(DeltaTable(path, version=2).to_pyarrow_table()) == {
        "a": "assault",
        "b": "larceny",
        "c": "robbery",
    }
    assert warehouse.files("incidents", 0) == []
    assert set(warehouse.files("incidents", 1)) != set(warehouse.files("incidents"))


def test_append_adds_rows_as_one_commit_each(warehouse: Warehouse) -> None:
    assert warehouse.append("ingests", provenance("i1")) == WriteResult("ingests", 1, 1, 0)
    two = pa.concat_tables([provenance("i2"), provenance("i3")])
    assert warehouse.append("ingests", two) == WriteResult("ingests", 2, 2, 0)
    assert warehouse.status("ingests") == TableStatus("ingests", 2, 3)
    ids = sorted(str(i) for i in warehouse.to_arrow("ingests").column("ingest_id").to_pylist())
    assert ids == ["i1", "i2", "i3"]


def test_files_of_a_missing_table_name_the_fix(warehouse: Warehouse) -> None:
    with pytest.raises(FileNotFoundError, match="beatwise db upgrade"):
        warehouse.files("incidents")


BATCHES = st.lists(
    st.dictionaries(st.sampled_from(KEYS), st.sampled_from(CATEGORIES), min_size=1),
    min_size=1,
    max_size=4,
)


@hyp_settings(max_examples=25, deadline=None)
@given(batches=BATCHES)
def test_upserts_behave_like_a_dict(
    tmp_path_factory: pytest.TempPathFactory, batches: list[dict[str, str]]
) -> None:
    """Last write wins per key; one commit per batch; never a duplicate row."""
    warehouse = Warehouse(tmp_path_factory.mktemp("upserts") / "warehouse")
    model: dict[str, str] = {}
    for number, rows in enumerate(batches, start=1):
        inserted = len(rows.keys() - model.keys())
        result = warehouse.upsert("incidents", batch(rows))
        model.update(rows)
        assert result == WriteResult("incidents", number, inserted, len(rows) - inserted)
    assert categories(warehouse.to_arrow("incidents")) == model
    assert warehouse.status("incidents") == TableStatus("incidents", len(batches), len(model))
