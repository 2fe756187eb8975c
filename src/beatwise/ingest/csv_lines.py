"""Mixed line ends and empty lines: what DuckDB's CSV reader refuses or miscounts, made safe.

DuckDB 1.5's strict reader refuses a file that mixes ``\\n`` and ``\\r\\n`` line ends (turning
``strict_mode`` off instead silently cuts lines with too many fields, and counts ``\\r\\n`` as
two lines). It also skips empty lines while still counting them in the line numbers of its
rejects table, so the line of an accepted row cannot be told from its position among the rows.
No ``read_csv`` option (``new_line``, ``null_padding``, ``skip``...) changes either.

So each file is scanned first, streaming and without a copy (C-speed searches over 4 MiB
blocks), and only a file that needs it is copied into the scratch folder, streaming, with

- ``\\r\\n`` turned into ``\\n`` when the file has both (inside quoted values too);
- each empty line replaced by a *marker line*: DuckDB reads it as a one-field record and
  rejects it under its own line number, so every line of the copy is a record DuckDB numbers,
  and the reader leaves the marker lines out of the counts and the rejects (and takes out of a
  quoted value the marker that an empty line inside it became: see
  :func:`beatwise.ingest.staging.read_csv_sql`);
- empty lines before the header dropped, and counted in :attr:`CsvFile.first_line`.

A line of the copy is then line ``n + first_line - 1`` of the file. (The marker is one field:
an export with a single column would read it as a row; exports have several columns.)
"""

from __future__ import annotations

import gzip
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from io import BufferedIOBase
from pathlib import Path

BLOCK = 1 << 22
"""Bytes read at a time by the scan and the copy."""

BOM = b"\xef\xbb\xbf"
_EMPTY_LINE = re.compile(rb"\n\r?\n")
_CONTENT = re.compile(rb"[^\r\n]")
_CRLF = re.compile(rb"\r\n")


QUOTING = "quote = '\"', escape = '\"'"
"""RFC 4180 quoting, stated rather than sniffed: when the rows DuckDB samples hold no quote, it
sniffs "no quote character" and a later ``"Smith, John"`` splits into too many columns
(duckdb/duckdb#11838)."""


@dataclass(frozen=True)
class CsvFile:
    """A file as given (named in rejects, errors and provenance) and what DuckDB reads for it."""

    path: Path
    read_path: Path
    first_line: int = 1
    """The line of ``path`` that is line 1 of ``read_path`` (empty lines before the header)."""
    marker: str | None = None
    """The text of the lines standing for empty lines in ``read_path``, if it has any."""
    stated_quotes: bool = True
    """Read with RFC 4180 quoting stated (:data:`QUOTING`); False for a file whose dialect only
    DuckDB's sniffer can find (an unbalanced quote makes the stated dialect unreadable)."""
    records: int | None = None
    """Records DuckDB numbers in ``read_path`` (the header and the empty lines it does not skip
    included) if no quoted value spans lines: fewer means some does (see
    :mod:`beatwise.ingest.staging`). ``None`` for a file not scanned."""


@dataclass(frozen=True)
class Layout:
    """What a scan found in a file."""

    crlf: bool
    """Some line ends with ``\\r\\n``."""
    bare_lf: bool
    """Some line ends with ``\\n`` alone."""
    empty_lines: bool
    """An empty line comes before a line with content (empty lines at the end shift nothing)."""
    lines: int = 0
    """Lines in the file (a last line without a line end counts)."""
    content_lines: int = 0
    """Lines up to the last one that is not empty (DuckDB skips empty lines at the end)."""

    @property
    def mixed(self) -> bool:
        """Both line ends: DuckDB's strict reader refuses the file."""
        return self.crlf and self.bare_lf


def prepare(path: Path, copy: Path) -> CsvFile:
    """``path`` as DuckDB can read and number it: itself, or its copy written to ``copy``.

    A missing or empty file, or one compressed other than with gzip, is returned as it is (the
    header check refuses the first two; DuckDB reads the last as it can).
    """
    if not path.is_file() or path.stat().st_size == 0 or path.suffix == ".zst":
        return CsvFile(path, path)
    layout = scan(path)
    if not (layout.mixed or layout.empty_lines):
        return CsvFile(path, path, records=layout.content_lines)
    marker = f"\x1ebeatwise-empty-line-{uuid.uuid4().hex}" if layout.empty_lines else None
    with _open(path) as source, copy.open("wb") as out:
        dropped = _Copier(layout, None if marker is None else marker.encode()).run(source, out)
    # In the copy every empty line is a marker line, those at the end included.
    records = max((layout.content_lines if marker is None else layout.lines) - dropped, 0)
    return CsvFile(path, copy, first_line=dropped + 1, marker=marker, records=records)


def scan(path: Path) -> Layout:
    """Find the line ends and any empty line before content, in one streaming pass.

    Only a block holding a ``\\r`` (found with ``memchr``) has its line ends counted. Empty lines
    are found with a regular expression, about 3x faster than ``bytes.find`` for a two-byte needle
    that starts with a byte as frequent as ``\\n``.
    """
    crlf = bare_lf = empty = pending = False
    newlines = content_lines = 0
    tail = b"\n"  # the start of the file is a line start: a leading empty line is found too
    with _open(path) as source:
        for block in _blocks(source):
            if not (crlf and bare_lf):
                has_crlf, has_bare_lf = _line_ends(tail, block)
                crlf, bare_lf = crlf or has_crlf, bare_lf or has_bare_lf
            if not empty:
                empty, pending = _empty_line_before_content(tail, block, pending)
            count, last = _count_lines(block)
            content_lines = content_lines if last is None else newlines + last
            newlines += count
            tail = (tail + block[-2:])[-2:]
    lines = newlines + (not tail.endswith(b"\n"))
    return Layout(crlf, bare_lf, empty, lines=lines, content_lines=content_lines)


def _count_lines(block: bytes) -> tuple[int, int | None]:
    """The ``\\n`` in ``block``, and the line (1-based, within ``block``) of its last byte that
    is neither ``\\r`` nor ``\\n``, if it has one."""
    count = block.count(b"\n")
    content = len(block.rstrip(b"\r\n"))
    return count, (count - block.count(b"\n", content) + 1) if content else None


def _line_ends(tail: bytes, block: bytes) -> tuple[bool, bool]:
    """Whether ``block`` ends a line with ``\\r\\n``, and one with ``\\n`` alone.

    ``tail`` is the end of the previous block: a ``\\r\\n`` may start there.
    """
    if b"\r" not in block and not tail.endswith(b"\r"):
        return False, b"\n" in block
    pairs = block.count(b"\r\n") + (tail.endswith(b"\r") and block.startswith(b"\n"))
    return pairs > 0, block.count(b"\n") > pairs


def _empty_line_before_content(tail: bytes, block: bytes, pending: bool) -> tuple[bool, bool]:
    """(an empty line followed by content is seen, an empty line is seen and nothing after it).

    ``tail`` is the end of the previous block: an empty line may start there.
    """
    if pending and _CONTENT.search(block):
        return True, False
    if _EMPTY_LINE.search(tail + block[:2]):
        start = 0
    elif found := _EMPTY_LINE.search(block):
        start = found.start()
    else:
        return False, pending
    return _CONTENT.search(block, start) is not None, True


class _Copier:
    """Writes the copy: one kind of line end, and a marker line for each empty line.

    ``re.sub`` does the rewriting: about twice as fast as ``bytes.replace`` here, and its
    look-ahead marks a run of empty lines in one pass. (The marker has no backslash, so it is
    used as the replacement as it is.)
    """

    def __init__(self, layout: Layout, marker: bytes | None) -> None:
        self.mixed = layout.mixed
        end = b"\r\n" if layout.crlf and not layout.mixed else b"\n"
        self.empty = re.compile(rb"\n(?=" + re.escape(end) + rb")")
        self.marked = None if marker is None else b"\n" + marker
        self.line_start = True

    def run(self, source: BufferedIOBase, out: BufferedIOBase) -> int:
        """Copy ``source`` to ``out``; the number of empty lines dropped before the header."""
        dropped, carry, started = 0, b"", False
        for block in _blocks(source):
            data = carry + block
            if not started:
                content = data.lstrip(b"\r\n")
                dropped += data.count(b"\n", 0, len(data) - len(content))
                data, started = content, bool(content)
            # Cut after the last \n (or, in a block without one, before the last byte), so that
            # no \r\n pair and no empty line is split between two writes.
            cut = data.rfind(b"\n") + 1 or max(len(data) - 1, 0)
            out.write(self._fix(data[:cut]))
            carry = data[cut:]
        out.write(self._fix(carry))
        return dropped

    def _fix(self, body: bytes) -> bytes:
        """``body`` with one kind of line end and its empty lines marked."""
        if not body:
            return body
        if self.mixed:
            body = _CRLF.sub(b"\n", body)
        if self.marked is None:
            return body
        start = b"\n" if self.line_start else b""  # an empty line may open the body
        self.line_start = body.endswith(b"\n")
        return self.empty.sub(self.marked, start + body)[len(start) :]


def _open(path: Path) -> BufferedIOBase:
    """``path`` opened for reading its text bytes (a ``.gz`` file decompressed)."""
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")


def _blocks(source: BufferedIOBase) -> Iterator[bytes]:
    """The bytes of ``source`` in blocks, less a leading UTF-8 BOM (the copy does without it)."""
    if (head := source.read(len(BOM))) != BOM:
        yield head
    while block := source.read(BLOCK):
        yield block
