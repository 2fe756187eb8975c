"""A malformed export, mangled line by line, is imported line by line: each data line is
loaded or rejected under its own line number, and only a file-level problem refuses the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from beatwise.ingest.errors import BadInputError
from beatwise.ingest.pipeline import ingest_files
from beatwise.ingest.sources import get_source
from beatwise.testing.city import HEADER, tiny_city_rows
from beatwise.warehouse import Warehouse

SOURCE = get_source("toronto-mci")

CORRUPTIONS = ("none", "drop", "add", "quote", "huge", "date", "hour", "spanning")
"""What may happen to one data line: nothing, a field dropped or added (a ragged line), a stray
double quote, a field of 100,000 characters, a wrong value in ``occurrencedate`` or in
``occurrencehour``, or a field quoted with a line end (or an empty line) inside, so that the
record spans lines (valid CSV, not a corruption, but hard on line numbers). Around the lines,
the file may have empty lines (before the header, between lines, at the end) and ``\\n``,
``\\r\\n`` or both as line ends."""

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
        opens = (
            i
            for i, v in enumerate(self.records)
            if self.faults[i] == "quote" and any(f.startswith('"') for f in v)
        )
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
    elif fault == "spanning":
        cut = draw(st.integers(0, len(values[at])))
        inside = draw(st.sampled_from(["\n", "\n\n", "\r\n"]))
        values[at] = f'"{values[at][:cut]}{inside}{values[at][cut:]}"'


def unquoted(field: str) -> str:
    """A field's value: a field in double quotes without them; ``\\r\\n`` read as ``\\n``
    (a file mixing line ends is read with one, inside quoted values too)."""
    if len(field) > 1 and field.startswith('"') and field.endswith('"'):
        field = field[1:-1]
    return field.replace("\r\n", "\n")


def lay_out(draw: st.DrawFn, texts: list[str]) -> tuple[bytes, list[int]]:
    """``texts`` as a file's bytes, maybe with empty lines before any of them and at the end,
    with ``\\n``, ``\\r\\n`` or either line by line; and the line number of each text."""
    lines: list[str] = []
    numbers = []
    number = 1  # of the next line; a text with a quoted line end inside takes several
    for text in texts:
        empty = draw(st.sampled_from([0, 0, 0, 1, 2]))
        lines += [""] * empty
        lines.append(text)
        numbers.append(number + empty)
        number += empty + 1 + text.count("\n")
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
        # A quote left open may close inside a field spanning lines, whose other lines are
        # then read as records of their own: at most one per non-empty line.
        pieces = (p for v in export.records for p in ",".join(v).split("\n"))
        assert exact < result.rows_read <= sum(1 for p in pieces if p.strip("\r"))
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
        values = {name: unquoted(field) for name, field in zip(HEADER, fields, strict=True)}
        incident = loaded[line]
        loaded_values = tuple(
            str(incident[name]).replace("\r\n", "\n")
            for name in ("offense_desc_src", "neighbourhood")
        )
        assert loaded_values == (values["MCI"], values["Neighbourhood"]), f"line {line}"


def test_a_quoted_comma_after_the_sniffed_sample_is_one_value(tmp_path: Any) -> None:
    """DuckDB sniffs the quote character from a sample; a file whose first 30,000 rows hold no
    quote must still read a later ``"Church, Yonge"`` as one value (duckdb/duckdb#11838)."""
    rows = tiny_city_rows(30_000, seed=3)
    rows[-1] = {**rows[-1], "Neighbourhood": "Church, Yonge"}
    path = tmp_path / "late_quote.csv"
    lines = [",".join(HEADER)]
    for row in rows:
        lines.append(",".join(f'"{v}"' if "," in v else v for v in (row[h] for h in HEADER)))
    path.write_text("\n".join(lines) + "\n")
    warehouse = Warehouse(tmp_path / "warehouse")
    result = ingest_files(warehouse, get_source("toronto-mci"), [path])
    assert (result.rows_read, result.rows_rejected) == (30_000, 0)
    places = warehouse.to_arrow("incidents").column("neighbourhood").to_pylist()
    assert "Church, Yonge" in places
