"""The Toronto MCI adapter: times in the agency's zone, derived ids, duplicates, rejects."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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


CORRUPTIONS = ("none", "drop", "add", "quote", "huge", "date", "hour")
"""What may happen to one data line: nothing, a field dropped or added (a ragged line), a stray
double quote, a field of 100,000 characters, a wrong value in ``occurrencedate`` or in
``occurrencehour``. Around the lines, the file may have empty lines (before the header, between
lines, at the end) and ``\\n``, ``\\r\\n`` or both as line ends."""

BAD_DATES = ("not a date", "", "2019-05-01", "2019/13/45 04:00:00+00", "12345", "2019/05/01")
BAD_HOURS = ("", "24", "-1", "noon", "7pm", "99999999999999999999")


@dataclass(frozen=True)
class Export:
    """A generated export: its bytes and, per data record, its fields, fault and line number
    in the file (line 1 is the header; empty lines are counted, as an editor counts them)."""

    data: bytes = field(repr=False)
    records: tuple[tuple[str, ...], ...] = field(repr=False)
    faults: tuple[str, ...]
    lines: tuple[int, ...]
    has_header: bool

    @property
    def first_open_quote(self) -> int | None:
        """Index of the first record with a field that starts with a stray quote, if any: such
        a quote may open a quoted field that runs on to the next quote, lines later (RFC 4180),
        and then those lines are read as one record."""
        opens = (i for i, v in enumerate(self.records) if any(f.startswith('"') for f in v))
        return next(opens, None)

    def __repr__(self) -> str:
        data = self.data if len(self.data) < 2_000 else self.data[:300] + b"..." + self.data[-300:]
        return (
            f"Export(faults={self.faults}, lines={self.lines}, has_header={self.has_header}, "
            f"data={data!r})"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """How Hypothesis shows a failing example: the bytes, a huge field cut short."""
        printer.text(repr(self))


def corrupt(draw: st.DrawFn, values: list[str], fault: str) -> None:
    """Apply ``fault`` (one of :data:`CORRUPTIONS`) to a data line's ``values``, in place."""
    at = draw(st.integers(0, len(values) - 1))
    if fault == "drop":
        del values[at]
    elif fault == "add":
        values.insert(draw(st.integers(0, len(values))), draw(st.sampled_from(["", "x", "0"])))
    elif fault == "quote":
        cut = draw(st.integers(0, len(values[at])))
        values[at] = values[at][:cut] + '"' + values[at][cut:]
    elif fault == "huge":
        values[at] = "x" * 100_000
    elif fault == "date":
        values[0] = draw(st.sampled_from(BAD_DATES))
    elif fault == "hour":
        values[1] = draw(st.sampled_from(BAD_HOURS))


def lay_out(draw: st.DrawFn, texts: list[str]) -> tuple[bytes, list[int]]:
    """``texts`` as a file's bytes, maybe with empty lines before any of them and at the end,
    with ``\\n``, ``\\r\\n`` or either line by line; and the line number of each text."""
    lines: list[str] = []
    numbers = []
    for text in texts:
        lines += [""] * draw(st.sampled_from([0, 0, 0, 1, 2]))
        lines.append(text)
        numbers.append(len(lines))
    trailing = draw(st.sampled_from([0, 0, 1, 2]))
    lines += [""] * trailing
    style = draw(st.sampled_from(["\n", "\r\n", "mixed"]))
    ends = [draw(st.sampled_from(["\n", "\r\n"])) if style == "mixed" else style for _ in lines]
    if not trailing and draw(st.booleans()):
        ends[-1] = ""
    data = "".join(line + end for line, end in zip(lines, ends, strict=True)).encode()
    return data, numbers


@st.composite
def malformed_exports(draw: st.DrawFn) -> Export:
    """Valid tiny-city rows, each maybe corrupted, laid out with empty lines and mixed line
    ends (:func:`lay_out`), a UTF-8 BOM and no final line end as further options; rarely
    without a header (a file-level problem)."""
    n = draw(st.integers(1, 12))
    rows = tiny_city_rows(n, seed=draw(st.integers(0, 10_000)), days=30)
    has_header = draw(st.integers(0, 19)) > 0
    texts = [",".join(HEADER)] if has_header else []
    records, faults = [], []
    for row in rows:
        values = [row[name] for name in HEADER]
        fault = draw(st.sampled_from(CORRUPTIONS))
        corrupt(draw, values, fault)
        texts.append(",".join(values))
        records.append(tuple(values))
        faults.append(fault)
    data, numbers = lay_out(draw, texts)
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    lines = numbers[1:] if has_header else numbers
    return Export(data, tuple(records), tuple(faults), tuple(lines), has_header)


@hyp_settings(max_examples=60, deadline=None)
@given(export=malformed_exports())
def test_every_line_of_a_malformed_export_is_accepted_or_rejected(
    tmp_path_factory: pytest.TempPathFactory, export: Export
) -> None:
    """However an export is mangled line by line, the import does not fail, and each data line
    is either loaded (an incident with that ``source_line``, holding that line's values) or in
    ``rejects`` with that line, never both and never neither; a ragged line or one with a bad
    date or hour is never loaded; an empty line is neither. Only a file-level problem (here: no
    header row) may refuse the file, and then nothing is written.

    One allowance: a stray quote at the start of a field may open a quoted field running to the
    next quote, lines later; DuckDB then reads those lines as one record (as RFC 4180 says), so
    from that line on only the counts and disjointness are checked, not line by line.
    """
    folder = tmp_path_factory.mktemp("malformed")
    path = folder / "export.csv"
    path.write_bytes(export.data)
    warehouse = Warehouse(folder / "warehouse")
    if not export.has_header:
        with pytest.raises(BadInputError):
            ingest_files(warehouse, SOURCE, [path])
        assert all(status.rows == 0 for status in warehouse.statuses())
        return
    result = ingest_files(warehouse, SOURCE, [path])
    loaded = {int(r["source_line"]): r for r in warehouse.to_arrow("incidents").to_pylist()}
    refused = {int(r["source_line"]) for r in warehouse.to_arrow("rejects").to_pylist()}
    assert len(loaded) == warehouse.status("incidents").rows, "two incidents share a line"
    assert not loaded.keys() & refused, "lines both loaded and rejected"
    assert result.rows_read == result.rows_accepted + result.rows_rejected
    assert (result.rows_accepted, result.rows_rejected) == (len(loaded), len(refused))
    assert result.rows_inserted == len(loaded)
    assert sum(dict(result.rejects_by_reason).values()) == warehouse.status("rejects").rows
    exact = export.first_open_quote
    if exact is None:
        exact = len(export.records)
        assert result.rows_read == len(export.records)
        assert loaded.keys() | refused == set(export.lines), "lines neither loaded nor rejected"
    else:
        assert exact < result.rows_read <= len(export.records)
        assert loaded.keys() | refused >= set(export.lines[:exact]), (
            "lines neither loaded nor rejected"
        )
    for index, line in enumerate(export.lines[:exact]):
        if line not in loaded:
            continue
        fields = list(export.records[index])
        while len(fields) > len(HEADER) and fields[-1] == "":
            fields.pop()  # DuckDB reads "a,b,c," as a, b, c: an empty field added last is no loss
        assert len(fields) == len(HEADER), f"ragged line {line} loaded"
        assert export.faults[index] not in {"date", "hour"}, f"bad line {line} loaded"
        values = dict(zip(HEADER, fields, strict=True))
        incident = loaded[line]
        loaded_values = (incident["offense_desc_src"], incident["neighbourhood"])
        assert loaded_values == (values["MCI"], values["Neighbourhood"]), f"line {line}"


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
