"""``incidents`` columns a mapping never lists: SQL that derives them from other columns.

``crime_against``, ``is_sensitive`` and ``comparison_sets`` follow from the category (and NIBRS
code) through the taxonomy, unless mapped. ``occurred_date`` and ``occurred_hour`` are read off
the local wall-clock value ``occurred_start`` was parsed from, before it became UTC: analysis
engines have no portable time-zone conversion, and CompStat counts by the local day.
"""

from __future__ import annotations

from typing import Any

from beatwise.datamodel.taxonomy import CATEGORIES, index_sets
from beatwise.ingest.mappings.expressions import literal
from beatwise.ingest.sources.base import sql_string


def from_category(name: str, category: str, code: str) -> str:
    """SQL for ``name`` (``crime_against``, ``is_sensitive`` or ``comparison_sets``) from the
    canonical ``category`` and ``code`` (the NIBRS code; only read for ``comparison_sets``)."""
    if name == "crime_against":
        against = {c.slug: c.crime_against.value for c in CATEGORIES.values()}
        return f"CASE {category} {_whens(against)} END"
    if name == "is_sensitive":
        sensitive = {c.slug: c.sensitive for c in CATEGORIES.values()}
        return f"CASE {category} {_whens(sensitive)} ELSE false END"
    sets = {
        f"{c.slug}|{code_ or ''}": index_sets(c.slug, code_)
        for c in CATEGORIES.values()
        for code_ in (None, *c.nibrs_codes)
    }
    whens = " ".join(
        f"WHEN {sql_string(k)} THEN [{', '.join(sql_string(s) for s in v)}]::VARCHAR[]"
        for k, v in sets.items()
    )
    return f"CASE {category} || '|' || coalesce({code}, '') {whens} ELSE []::VARCHAR[] END"


def local_occurrence(local: str, date_only: str) -> dict[str, str]:
    """SQL for ``occurred_date`` and ``occurred_hour`` from the local TIMESTAMP ``local``.

    No hour when ``date_only`` (SQL) holds: the start is then a date alone, at local midnight.
    """
    return {
        "occurred_date": f"CAST({local} AS DATE)",
        "occurred_hour": f"CASE WHEN NOT {date_only} THEN hour({local}) END",
    }


def _whens(table: dict[str, Any]) -> str:
    return " ".join(f"WHEN {sql_string(k)} THEN {literal(v)}" for k, v in table.items())
