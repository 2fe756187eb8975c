"""The rows of a CompStat sheet: an agency's comparison set, then TOTAL, then extra rows.

A row counts incidents of one canonical category; a comparison-set row counts only those the
adapter placed in the set (``incidents.comparison_sets``), because membership can depend on the
source's own codes (New York's "felony" assault and "grand" larceny, Toronto's "theft over").
Official pre-aggregated counts are matched to rows by category alone: the publisher defined them.
"""

from __future__ import annotations

from dataclasses import dataclass

from beatwise.datamodel.taxonomy import resolve_category


@dataclass(frozen=True)
class RowSpec:
    """One sheet row: a label, the canonical category it counts and the set it must be in."""

    label: str
    category: str
    in_set: str | None = None
    """Count only incidents in this comparison set (None: every incident of the category)."""

    def matches(self, category: str, sets: frozenset[str]) -> bool:
        """Whether an incident of ``category`` in ``sets`` is counted in this row."""
        return category == self.category and (self.in_set is None or self.in_set in sets)


@dataclass(frozen=True)
class RowSet:
    """A named comparison set: the rows that add up to TOTAL."""

    slug: str
    title: str
    rows: tuple[RowSpec, ...]


def _rows(in_set: str, pairs: tuple[tuple[str, str], ...]) -> tuple[RowSpec, ...]:
    return tuple(RowSpec(label, category, in_set) for label, category in pairs)


ROW_SETS: dict[str, RowSet] = {
    s.slug: s
    for s in (
        RowSet(
            "nypd_seven_majors",
            "Seven major felonies",
            _rows(
                "nypd_seven_majors",
                (
                    ("Murder", "homicide"),
                    ("Rape", "rape"),
                    ("Robbery", "robbery"),
                    ("Felony Assault", "assault"),
                    ("Burglary", "burglary"),
                    ("Grand Larceny", "larceny"),
                    ("Grand Larceny Auto", "motor_vehicle_theft"),
                ),
            ),
        ),
        RowSet(
            "toronto_mci",
            "Major Crime Indicators",
            _rows(
                "toronto_mci",
                (
                    ("Assault", "assault"),
                    ("Break and Enter", "burglary"),
                    ("Robbery", "robbery"),
                    ("Auto Theft", "motor_vehicle_theft"),
                    ("Theft Over", "larceny"),
                ),
            ),
        ),
        RowSet(
            "ucr_part1",
            "UCR Part I offences",
            _rows(
                "ucr_part1",
                (
                    ("Homicide", "homicide"),
                    ("Rape", "rape"),
                    ("Robbery", "robbery"),
                    ("Aggravated Assault", "assault"),
                    ("Burglary", "burglary"),
                    ("Larceny-Theft", "larceny"),
                    ("Motor Vehicle Theft", "motor_vehicle_theft"),
                    ("Arson", "arson"),
                ),
            ),
        ),
    )
}

PREFERENCE = ("nypd_seven_majors", "toronto_mci", "ucr_part1")
"""Default row set: the first of these that the agency's incidents carry."""


def default_row_set(sets_present: set[str]) -> RowSet:
    """The agency's default comparison set, from the sets its incidents carry.

    The seven major felonies where the data can say them (the adapter marks them), else the
    Toronto MCI, else UCR Part I (the NIBRS-derived fallback every adapter fills).
    """
    for slug in PREFERENCE:
        if slug in sets_present:
            return ROW_SETS[slug]
    return ROW_SETS["ucr_part1"]


def row_set(name: str) -> RowSet:
    """The built-in row set ``name`` (its slug, hyphens allowed); the error lists them."""
    slug = name.strip().lower().replace("-", "_")
    if slug not in ROW_SETS:
        raise KeyError(f"unknown row set {name!r}; known: {', '.join(ROW_SETS)}")
    return ROW_SETS[slug]


def extra_row(name: str) -> RowSpec:
    """An extra row counting every incident of the category called ``name`` (alias allowed)."""
    found = resolve_category(name)
    return RowSpec(found.label, found.slug)


def restrict(rows: RowSet, categories: list[str]) -> RowSet:
    """``rows`` limited to the named categories (canonical names or aliases, any case)."""
    wanted = {resolve_category(name).slug for name in categories}
    kept = tuple(r for r in rows.rows if r.category in wanted)
    if not kept:
        raise KeyError(
            f"none of {', '.join(categories)} is a row of {rows.title}; its rows: "
            + ", ".join(f"{r.label} ({r.category})" for r in rows.rows)
        )
    return RowSet(rows.slug, rows.title, kept)
