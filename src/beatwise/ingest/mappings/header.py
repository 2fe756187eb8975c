"""Find a mapping's raw columns in one file's header, and what the compiler emits per check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from beatwise.ingest.errors import BadInputError
from beatwise.ingest.mappings.expressions import fold, quote


@dataclass(frozen=True)
class Check:
    """A reason to reject a row: a SQL condition over raw columns, and the raw column shown.

    ``same_as`` identifies checks that two specs share (the yes/no test of a column read by
    two ``flags`` specs) from the mapping alone, so each is made once whatever the header.
    """

    condition: str
    column: str
    reason: str
    same_as: tuple[object, ...] | None = None


@dataclass(frozen=True)
class Ref:
    """A raw column as SQL, and the column rejects show for it.

    For a column the file lacks, the SQL is NULL and the shown column is the file's first one:
    a check on NULL never fails, so nothing is ever shown for it.
    """

    sql: str
    column: str


@dataclass
class Header:
    """The columns of one file, and the raw columns a mapping asked for but it lacks.

    A name matches exactly, else ignoring case and runs of spaces (Austin writes ``Date
    Occurred`` in some years and ``Date  Occurred`` in others). Alternatives are tried in
    order and the first the file has wins. Missing columns are collected, so one error names
    all of them.
    """

    columns: tuple[str, ...]
    path: Path | str
    missing: list[str] = field(default_factory=list)

    def find(self, names: Sequence[str]) -> str | None:
        """The file's column for the first of ``names`` it has, or None."""
        folded = {fold(c): c for c in reversed(self.columns)}
        for name in names:
            if name in self.columns:
                return name
            if fold(name) in folded:
                return folded[fold(name)]
        return None

    def need(self, names: Sequence[str], *, optional: bool = False) -> str | None:
        """Like :meth:`find`, noting ``names`` as missing unless ``optional``."""
        found = self.find(names)
        if found is None and not optional:
            self.missing.append(" or ".join(repr(n) for n in names))
        return found

    def ref(self, names: Sequence[str], *, optional: bool = False) -> Ref:
        """SQL for the first of ``names`` the file has; NULL text when it has none.

        A missing column is noted (unless ``optional``). The SQL's shape never depends on the
        header, only the names in it do: files with different headers give the same columns
        and the same checks, in the same order, so the pipeline can stack them.
        """
        found = self.need(names, optional=optional)
        if found is None:
            return Ref("CAST(NULL AS VARCHAR)", self.columns[0] if self.columns else "")
        return Ref(quote(found), found)

    def refuse_missing(self, source: str) -> None:
        """Raise the ``BadInputError`` naming every missing column, if any is missing."""
        if self.missing:
            raise BadInputError(
                self.path,
                f"missing column(s) {', '.join(self.missing)} for mapping {source!r}",
                "export these columns, or correct the mapping's column names "
                "(or mark the spec optional: true)",
                line=1,
            )
