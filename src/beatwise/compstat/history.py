"""The Historical Perspective block: full-year totals for chosen years.

A year's figures come from the official pre-aggregated counts (``official_counts``) when the
publisher has any for the level and year: they are the numbers commanders have seen printed.
Otherwise they come from the incidents, but only for a year the incident data covers whole
(its first and last dates bracket the year); a partly covered year shows no figure rather than
a short one. Official counts match a sheet row by category; the city level sums the areas of
the level when the publisher used one layer only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import ibis

from beatwise.compstat.cube import CITY, CITYWIDE, DataVersion
from beatwise.warehouse.engines.base import Engine

if TYPE_CHECKING:
    import ibis.expr.types as ir


@dataclass(frozen=True)
class YearTotal:
    """A full-year count and where it came from (``official`` or ``incidents``)."""

    count: int
    source: str

    def as_json(self) -> dict[str, int | str]:
        """``{"count": n, "source": "official" | "incidents"}``."""
        return {"count": self.count, "source": self.source}


OfficialCounts = dict[tuple[str, int, str], int]
"""(geography, year, category) → published count."""


def official_counts(
    engine: Engine, agency: str, version: DataVersion, level: str, years: tuple[int, ...]
) -> OfficialCounts:
    """The published yearly counts of ``agency`` at ``level`` for ``years``."""
    if not version.official_counts or not years:  # version 0 is the empty table as created
        return {}
    t = engine.table("official_counts", version.official_counts)
    t = t.filter(t.agency == agency, t.year.isin(list(years)))
    layers = engine.to_arrow_table(t.select("layer").distinct())["layer"].to_pylist()
    if level == CITY:
        if len(layers) != 1:
            return {}
        geography: ir.Value = ibis.literal(CITYWIDE)
    elif level in layers:
        t = t.filter(t.layer == level)
        geography = t.area_id
    else:
        return {}
    keyed = t.select(geography=geography, year=t.year, category=t.category, count=t["count"])
    summed = keyed.group_by(["geography", "year", "category"]).aggregate(n=keyed["count"].sum())
    rows = engine.to_arrow_table(summed).to_pylist()
    return {(r["geography"], int(r["year"]), r["category"]): int(r["n"]) for r in rows}


def whole_years(first: date | None, last: date | None) -> set[int]:
    """The calendar years lying wholly between ``first`` and ``last``."""
    if first is None or last is None:
        return set()
    start = first.year if (first.month, first.day) == (1, 1) else first.year + 1
    end = last.year if (last.month, last.day) == (12, 31) else last.year - 1
    return set(range(start, end + 1))
