"""What a trend or a drill-down is about: one geography of a level and one sheet row.

The sheet's rows (:mod:`beatwise.compstat.rows`) are reused as they are: a :class:`RowSpec`
counts one category (optionally only inside a comparison set); a :class:`RowSet` stands for
its TOTAL row, the sum of its rows, exactly as the sheet adds them up.
"""

from __future__ import annotations

from dataclasses import dataclass

from beatwise.compstat.cube import CITY, CITYWIDE
from beatwise.compstat.rows import RowSet, RowSpec

TOTAL = "TOTAL"


@dataclass(frozen=True)
class Selection:
    """A geography of a level (``city``/``citywide`` by default) and a row or a set's TOTAL."""

    row: RowSpec | RowSet
    level: str = CITY
    geography: str = CITYWIDE

    def __post_init__(self) -> None:
        if self.level == CITY and self.geography != CITYWIDE:
            raise ValueError(
                f"the city level has one geography, {CITYWIDE!r}, not {self.geography!r}"
            )

    @property
    def specs(self) -> tuple[RowSpec, ...]:
        """The sheet rows whose sum is counted (one, or every row of the set)."""
        return self.row.rows if isinstance(self.row, RowSet) else (self.row,)

    @property
    def label(self) -> str:
        """The row's printed label (``TOTAL`` for a set)."""
        return TOTAL if isinstance(self.row, RowSet) else self.row.label

    def as_json(self) -> dict[str, str | None]:
        """Level, geography and the row: its label, category (None for TOTAL) and set."""
        category: str | None = None
        in_set: str | None = self.row.slug if isinstance(self.row, RowSet) else None
        if isinstance(self.row, RowSpec):
            category, in_set = self.row.category, self.row.in_set
        return {
            "level": self.level,
            "geography": self.geography,
            "row": self.label,
            "category": category,
            "in_set": in_set,
        }
