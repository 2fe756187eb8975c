"""The CompStat report as CSV: one line per sheet row, flat columns, blank for null.

Column names follow the JSON contract (docs/compstat.md) flattened with underscores:
``wtd_current``, ``wtd_prior``, ``wtd_pct_change``, ``wtd_z``, ``wtd_flagged``, the same for
``d28``, ``ytd``, ``ytd_vs_2y`` and each ``ytd_vs_<base year>``, then ``history_<year>`` and
``history_<year>_source``. Numbers are written as JSON writes them, so the CSV reads back to the
figures of ``Report.as_json()``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from beatwise.compstat.report import Report, SheetRow
from beatwise.reports.compstat.layout import Comparison, comparisons

Value = str | int | float | bool | None
Field = tuple[str, Callable[[SheetRow], Value]]


def fields(report: Report) -> list[Field]:
    """Every CSV column of ``report``: its name and how a row fills it."""
    found: list[Field] = [
        ("geography", lambda r: r.geography),
        ("category", lambda r: r.label),
        ("category_slug", lambda r: r.category),
        ("kind", lambda r: r.kind),
    ]
    for comparison in comparisons(report):
        found += _change_fields(comparison)
    for year in report.options.years_needing_history():
        found += _history_fields(year)
    return found


def _change_fields(c: Comparison) -> list[Field]:
    return [
        (f"{c.key}_current", lambda r: c.pick(r).current),
        (f"{c.key}_prior", lambda r: c.pick(r).prior),
        (f"{c.key}_pct_change", lambda r: c.pick(r).pct_change),
        (f"{c.key}_z", lambda r: c.pick(r).z),
        (f"{c.key}_flagged", lambda r: c.pick(r).flagged),
    ]


def _history_fields(year: int) -> list[Field]:
    def total(r: SheetRow) -> int | None:
        found = r.history.get(year)
        return None if found is None else found.count

    def source(r: SheetRow) -> str | None:
        found = r.history.get(year)
        return None if found is None else found.source

    return [(f"history_{year}", total), (f"history_{year}_source", source)]


def text(value: Value) -> str:
    """A cell as written: blank for null, ``true``/``false`` for flags, numbers as JSON has them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render_csv(report: Report) -> bytes:
    """UTF-8 CSV (RFC 4180 line ends) of every row of every sheet, in printed order."""
    columns = fields(report)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([name for name, _ in columns])
    for row in report.rows:
        writer.writerow([text(read(row)) for _, read in columns])
    return out.getvalue().encode("utf-8")
