"""Mixed line ends and empty lines: the scan and the copy, and the line numbers of an import."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from beatwise.ingest import csv_lines
from beatwise.ingest.csv_lines import BOM, Layout, prepare, scan
from beatwise.ingest.pipeline import ingest_files
from beatwise.ingest.sources import get_source
from beatwise.testing.city import HEADER, tiny_city_rows
from beatwise.warehouse import Warehouse

TOKENS = (b"a", b"b,", b'"', b"\n", b"\r\n", b"\n\n", b"\r\n\r\n")


def expected_layout(text: bytes) -> Layout:
    """The layout by definition, from the file's lines (``bytes.split``, no blocks)."""
    text = text.removeprefix(BOM)
    lines = text.split(b"\n")[:-1]  # the part after the last \n is no line
    empty = [i for i, line in enumerate(lines) if line in (b"", b"\r")]
    rest = text.split(b"\n")
    filled = [i for i, line in enumerate(rest) if line.strip(b"\r")]
    return Layout(
        crlf=b"\r\n" in text,
        bare_lf=re.search(rb"(?<!\r)\n", text) is not None,
        empty_lines=any(re.search(rb"[^\r]", b"".join(rest[i + 1 :])) for i in empty),
        lines=len(lines) + (not text.endswith(b"\n") and text != b""),
        content_lines=filled[-1] + 1 if filled else 0,
    )


def expected_copy(text: bytes, layout: Layout, marker: bytes) -> tuple[bytes, int]:
    """The copy by definition: one line end, empty lines before the header dropped (and
    counted), every other empty line turned into the marker line."""
    text = text.removeprefix(BOM)
    if layout.mixed:
        text = text.replace(b"\r\n", b"\n")
    lines = text.split(b"\n")
    dropped = 0
    while len(lines) > 1 and lines[0] in (b"", b"\r"):
        lines.pop(0)
        dropped += 1
    if layout.empty_lines:
        last = len(lines) - 1
        lines = [
            marker + line if line in (b"", b"\r") and i < last else line
            for i, line in enumerate(lines)
        ]
    return b"\n".join(lines), dropped


@hyp_settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(st.sampled_from(TOKENS), max_size=40),
    bom=st.booleans(),
    block=st.integers(1, 9),
    gz=st.booleans(),
)
def test_scan_and_copy_match_their_definitions(
    tmp_path_factory: pytest.TempPathFactory, parts: list[bytes], bom: bool, block: int, gz: bool
) -> None:
    """Tiny blocks put every line end and empty line across a block boundary somewhere."""
    text = (BOM if bom else b"") + b"".join(parts)
    folder = tmp_path_factory.mktemp("lines")
    path = folder / ("in.csv.gz" if gz else "in.csv")
    path.write_bytes(gzip.compress(text) if gz else text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csv_lines, "BLOCK", block)
        layout = scan(path)
        prepared = prepare(path, folder / "copy.csv")
    assert layout == expected_layout(text)
    if not (layout.mixed or layout.empty_lines):
        assert (prepared.read_path, prepared.first_line, prepared.marker) == (path, 1, None)
        assert prepared.records == (layout.content_lines if text or gz else None)
        return
    assert prepared.read_path == folder / "copy.csv"
    assert (prepared.marker is not None) == layout.empty_lines
    copy, dropped = expected_copy(text, layout, (prepared.marker or "").encode())
    assert prepared.read_path.read_bytes() == copy
    assert prepared.first_line == dropped + 1
    # Every line of a marked copy is a record, up to its last line with content otherwise.
    assert prepared.records == expected_layout(copy).content_lines + (
        expected_layout(copy).lines - expected_layout(copy).content_lines if prepared.marker else 0
    )


def data_line(line: int, *, date: str = "2019/05/01 04:00:00+00") -> str:
    """A valid tiny-city line whose neighbourhood names its line (a wrong date if asked)."""
    values = {**tiny_city_rows(1, seed=line)[0], "Neighbourhood": f"line {line}"}
    return ",".join(values[name] if name != "occurrencedate" else date for name in HEADER)


def write_export(path: Path, lines: list[str], ends: str) -> Path:
    """``lines`` ended by ``\\n``, ``\\r\\n`` or (``mixed``) both in turn; gzipped for ``.gz``."""
    cycle = {"lf": ["\n"], "crlf": ["\r\n"], "mixed": ["\n", "\r\n"]}[ends]
    data = "".join(line + cycle[i % len(cycle)] for i, line in enumerate(lines)).encode()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


@pytest.mark.parametrize("name", ["export.csv", "export.csv.gz"])
@pytest.mark.parametrize("ends", ["lf", "crlf", "mixed"])
def test_rows_and_rejects_keep_their_lines_among_empty_lines(
    tmp_path: Path, name: str, ends: str
) -> None:
    """Empty lines before the header, between rows, before the last row and at the end count
    in every line number, as an editor counts them; nothing of the copy is left behind."""
    lines = ["", ",".join(HEADER), "", data_line(4), "", ""]
    lines += [data_line(7, date="not a date"), data_line(8), "x,y", "", data_line(11), "", ""]
    path = write_export(tmp_path / name, lines, ends)
    warehouse = Warehouse(tmp_path / "w")
    scratch = tmp_path / "scratch"
    result = ingest_files(warehouse, get_source("toronto-mci"), [path], scratch_dir=scratch)
    incidents = warehouse.to_arrow("incidents").to_pylist()
    assert {r["source_line"]: r["neighbourhood"] for r in incidents} == {
        4: "line 4",
        8: "line 8",
        11: "line 11",
    }
    rejects = warehouse.to_arrow("rejects").to_pylist()
    assert [(r["source_line"], r["column"]) for r in rejects] == [
        (7, "occurrencedate"),
        (9, "premises_type"),  # the first column the line lacks
    ]
    assert rejects[1]["value"] == "x,y" and "malformed line" in rejects[1]["reason"]
    assert {r["source_file"] for r in incidents + rejects} == {str(path)}
    assert (result.rows_read, result.rows_inserted, result.rows_rejected) == (5, 3, 2)
    assert result.files == (str(path),)
    assert not list(scratch.rglob("*.csv")), "the copy must not outlive the import"


def quoted_export(tmp_path: Path) -> Path:
    """Line 3 opens a quoted value with an empty line in it, closed on line 5."""
    quoted = data_line(3).replace("line 3", '"Elm\n\nPark"')
    lines = [",".join(HEADER), "", quoted, data_line(6), "", "x"]
    return write_export(tmp_path / "quoted.csv", lines, "mixed")


def test_an_empty_line_inside_a_quoted_value_stays_in_it(tmp_path: Path) -> None:
    """The marker standing for an empty line is taken out of the value that holds it."""
    warehouse = Warehouse(tmp_path / "w")
    result = ingest_files(warehouse, get_source("toronto-mci"), [quoted_export(tmp_path)])
    names = sorted(r["neighbourhood"] for r in warehouse.to_arrow("incidents").to_pylist())
    assert names == ["Elm\n\nPark", "line 6"]
    assert [r["value"] for r in warehouse.to_arrow("rejects").to_pylist()] == ["x"]
    assert (result.rows_read, result.rows_rejected) == (3, 1)


def test_lines_after_a_value_spanning_lines_count_all_its_lines(tmp_path: Path) -> None:
    """DuckDB numbers records; the import counts the lines of a value spanning several."""
    warehouse = Warehouse(tmp_path / "w")
    ingest_files(warehouse, get_source("toronto-mci"), [quoted_export(tmp_path)])
    incidents = warehouse.to_arrow("incidents").to_pylist()
    assert sorted(r["source_line"] for r in incidents) == [3, 6]
    assert [r["source_line"] for r in warehouse.to_arrow("rejects").to_pylist()] == [8]
