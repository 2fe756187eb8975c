"""The Delta warehouse: creation, MERGE upserts, one commit per write, time travel, appends."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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


def incident(
    key: str,
    category: str,
    ingest_id: str = "ingest-1",
    *,
    status: str | None = None,
    comparison_sets: tuple[str, ...] | None = ("test",),
    source_line: int | None = None,
) -> dict[str, object]:
    """One incidents row with natural key ``("test", key)`` and the given category."""
    return {
        "record_id": f"test|{key}",
        "source": "test",
        "source_record_id": key,
        "agency": "Test Police",
        "ingest_id": ingest_id,
        "source_file": None if source_line is None else f"{ingest_id}.csv",
        "source_line": source_line,
        "category": category,
        "status": status,
        "comparison_sets": None if comparison_sets is None else list(comparison_sets),
        "occurred_start": datetime(2024, 1, 1, 12, tzinfo=UTC),
        "date_only": False,
        "time_zone": "UTC",
        "is_sensitive": False,
    }


def batch(rows: Mapping[str, str], ingest_id: str = "ingest-1") -> pa.Table:
    """An incidents batch from ``{source_record_id: category}``, written by ``ingest_id``."""
    return pa.Table.from_pylist(
        [incident(key, value, ingest_id) for key, value in rows.items()], schema=INCIDENTS.schema
    )


def ingest_ids(table: pa.Table) -> dict[str, str]:
    """``{source_record_id: ingest_id}`` of an incidents table."""
    keys = [str(key) for key in table.column("source_record_id").to_pylist()]
    return dict(zip(keys, map(str, table.column("ingest_id").to_pylist()), strict=True))


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
    changed = {"b": "larceny", "c": "robbery", "d": "arson"}  # b changed, c the same, d new
    second = warehouse.upsert("incidents", batch(changed, "ingest-2"))
    assert second == WriteResult("incidents", 2, rows_inserted=1, rows_updated=1)
    assert warehouse.status("incidents") == TableStatus("incidents", 2, 4)
    table = warehouse.to_arrow("incidents")
    assert categories(table) == {"a": "assault", "b": "larceny", "c": "robbery", "d": "arson"}
    # A row keeps the import that last changed it: c was matched but not changed.
    assert ingest_ids(table) == {"a": "ingest-1", "b": "ingest-2", "c": "ingest-1", "d": "ingest-2"}


def test_an_identical_reimport_writes_nothing_and_makes_no_version(warehouse: Warehouse) -> None:
    rows = {"a": "assault", "b": "burglary"}
    warehouse.upsert("incidents", batch(rows, "ingest-1"))
    files = set(warehouse.files("incidents"))
    again = warehouse.upsert("incidents", batch(rows, "ingest-2"))
    assert again == WriteResult("incidents", 1, rows_inserted=0, rows_updated=0)
    assert warehouse.version("incidents") == 1
    assert set(warehouse.files("incidents")) == files
    assert ingest_ids(warehouse.to_arrow("incidents")) == {"a": "ingest-1", "b": "ingest-1"}


def test_provenance_alone_is_not_a_change_but_any_content_column_is(
    warehouse: Warehouse,
) -> None:
    def one(ingest_id: str, **fields: Any) -> pa.Table:
        row = incident("a", "assault", ingest_id, **fields)
        return pa.Table.from_pylist([row], schema=INCIDENTS.schema)

    warehouse.upsert("incidents", one("i1", source_line=2))
    moved = warehouse.upsert("incidents", one("i2", source_line=9))
    assert moved == WriteResult("incidents", 1, 0, 0)
    (row,) = warehouse.to_arrow("incidents").to_pylist()
    assert (row["ingest_id"], row["source_file"], row["source_line"]) == ("i1", "i1.csv", 2)
    # NULL to a value, a value to NULL, and a changed list all count as changes.
    for version, fields in enumerate(
        [
            {"status": "closed"},
            {"status": None},
            {"comparison_sets": ("test", "other")},
            {"comparison_sets": None},
            {"comparison_sets": ("test",)},
        ],
        start=2,
    ):
        ingest_id = f"i{version + 1}"
        result = warehouse.upsert("incidents", one(ingest_id, **fields))
        assert result == WriteResult("incidents", version, 0, 1), fields
        (row,) = warehouse.to_arrow("incidents").to_pylist()
        assert row["ingest_id"] == ingest_id


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


Content = tuple[str, str | None, tuple[str, ...] | None]
"""What the model keeps per key: category, status (nullable), comparison_sets (a nullable list)."""

CONTENT = st.tuples(
    st.sampled_from(CATEGORIES),
    st.sampled_from([None, "open", "closed"]),
    st.sampled_from([None, (), ("test",), ("test", "other")]),
)
BATCHES = st.lists(
    st.dictionaries(st.sampled_from(KEYS), CONTENT, min_size=1), min_size=1, max_size=5
)


def content_batch(rows: Mapping[str, Content], ingest_id: str) -> pa.Table:
    """An incidents batch from ``{source_record_id: content}``, with a fresh provenance."""
    full = [
        incident(key, category, ingest_id, status=status, comparison_sets=sets, source_line=line)
        for line, (key, (category, status, sets)) in enumerate(rows.items(), start=2)
    ]
    return pa.Table.from_pylist(full, schema=INCIDENTS.schema)


def contents(table: pa.Table) -> dict[str, Content]:
    """``{source_record_id: content}`` of an incidents table; fails on a duplicate key."""
    rows = table.to_pylist()
    keys = [str(r["source_record_id"]) for r in rows]
    assert len(keys) == len(set(keys)), "duplicate natural keys"
    return {
        str(r["source_record_id"]): (
            r["category"],
            r["status"],
            None if r["comparison_sets"] is None else tuple(r["comparison_sets"]),
        )
        for r in rows
    }


@hyp_settings(max_examples=25, deadline=None)
@given(batches=BATCHES)
def test_upserts_behave_like_a_dict(
    tmp_path_factory: pytest.TempPathFactory, batches: list[dict[str, Content]]
) -> None:
    """Last write wins per key; a matched key counts as updated only when its content changed,
    and keeps the ingest that last changed it; a batch that changes nothing makes no version;
    never a duplicate row."""
    warehouse = Warehouse(tmp_path_factory.mktemp("upserts") / "warehouse")
    model: dict[str, Content] = {}
    changed_by: dict[str, str] = {}
    version = 0
    for number, rows in enumerate(batches, start=1):
        ingest_id = f"ingest-{number}"
        inserted = len(rows.keys() - model.keys())
        updated = sum(1 for key, value in rows.items() if key in model and model[key] != value)
        changed_by |= {key: ingest_id for key, value in rows.items() if model.get(key) != value}
        model.update(rows)
        version += 1 if inserted + updated else 0
        result = warehouse.upsert("incidents", content_batch(rows, ingest_id))
        assert result == WriteResult("incidents", version, inserted, updated)
        assert warehouse.version("incidents") == version
    table = warehouse.to_arrow("incidents")
    assert contents(table) == model
    assert ingest_ids(table) == changed_by
    assert warehouse.status("incidents") == TableStatus("incidents", version, len(model))


def test_a_table_from_an_older_data_model_gains_the_new_columns(tmp_path: Path) -> None:
    """An ``incidents`` table made before ``occurred_date``/``occurred_hour`` existed keeps its
    rows, gains the columns (NULL for old rows), and takes the new model's writes."""
    warehouse = Warehouse(tmp_path / "warehouse")
    new = {"occurred_date", "occurred_hour"}
    older = pa.schema([f for f in INCIDENTS.schema if f.name not in new])
    old_rows = pa.Table.from_pylist([incident("a", "assault")], schema=older)
    DeltaTable.create(warehouse.path("incidents"), older, name="incidents")
    from deltalake import write_deltalake

    write_deltalake(warehouse.path("incidents"), old_rows, mode="append")
    warehouse.ensure_tables()
    table = warehouse.to_arrow("incidents")
    assert new <= set(table.column_names)
    assert table.column("occurred_date").to_pylist() == [None]
    result = warehouse.upsert("incidents", batch({"a": "assault", "b": "robbery"}))
    assert (result.rows_inserted, warehouse.status("incidents").rows) == (1, 2)
    version = warehouse.version("incidents")
    warehouse.ensure_tables()
    assert warehouse.version("incidents") == version  # nothing left to add: no new commit


def test_a_new_required_column_cannot_be_added_to_old_rows(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    older = pa.schema([f for f in INCIDENTS.schema if f.name != "date_only"])
    DeltaTable.create(warehouse.path("incidents"), older, name="incidents")
    with pytest.raises(RuntimeError, match=r"lacks the required column.*date_only.*import"):
        warehouse.ensure_tables()
