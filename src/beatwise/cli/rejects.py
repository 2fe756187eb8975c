"""``beatwise rejects``: the rows one import refused, with file, line, column, value and reason.

The ``rejects`` table can hold millions of rows over many imports, so everything here is an Ibis
expression run by the DuckDB engine: a count by reason and the first ``--limit`` rows of one
import, never the whole table in Python.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from beatwise.cli.context import console, errors, settings_from
from beatwise.warehouse import Warehouse
from beatwise.warehouse.engines import Engine, open_engine

if TYPE_CHECKING:
    import ibis.expr.types as ir

LATEST_SHOWN = 5
"""How many recent ingest ids an unknown ``--ingest`` lists."""

REJECT_COLUMNS = ("source_file", "source_line", "column", "value", "reason")


@dataclass(frozen=True)
class RejectReport:
    """One import's rejects: counts by reason and the first rows, in file and line order."""

    ingest: dict[str, object]
    by_reason: dict[str, int]
    rows: list[dict[str, object]]

    @property
    def total(self) -> int:
        """Rejects of the import (one per failed check, so a line can count more than once)."""
        return sum(self.by_reason.values())

    def to_json(self) -> dict[str, object]:
        """The report as the ``--json`` payload."""
        return {
            "ingest_id": self.ingest["ingest_id"],
            "source": self.ingest["source"],
            "target_table": self.ingest["target_table"],
            "rows_rejected": self.ingest["rows_rejected"],
            "rejects": self.total,
            "rejects_by_reason": self.by_reason,
            "shown": len(self.rows),
            "rows": self.rows,
        }


def rejects(
    ctx: typer.Context,
    ingest_id: Annotated[
        str | None,
        typer.Option("--ingest", help="Ingest id (as printed by an import; default: the latest)."),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="Show at most N rejected rows.")
    ] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List the rows an import rejected: counts by reason, then file, line, column and value."""
    warehouse = Warehouse(settings_from(ctx).warehouse_dir)
    if warehouse.version("ingests") is None:
        errors.print("[bold red]error:[/] no imports yet; run 'beatwise ingest' first")
        raise typer.Exit(code=2)
    with open_engine("duckdb", warehouse) as engine:
        ingests = engine.table("ingests")
        chosen = _ingest_row(engine, ingests, ingest_id)
        if chosen is None:
            latest = _rows(engine, ingests.order_by(ingests.started_at.desc()).limit(LATEST_SHOWN))
            known = ", ".join(str(r["ingest_id"]) for r in latest) or "none"
            errors.print(
                f"[bold red]error:[/] no import with id {ingest_id!r}; the latest are: {known}",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(code=2)
        report = _report(engine, chosen, limit)
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2, default=str))
        return
    _print_report(report)


def _rows(engine: Engine, expr: ir.Table) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = engine.to_arrow_table(expr).to_pylist()
    return rows


def _ingest_row(
    engine: Engine, ingests: ir.Table, ingest_id: str | None
) -> dict[str, object] | None:
    """The ``ingests`` row of ``ingest_id`` (default: the latest import); None if unknown."""
    chosen = (
        ingests.order_by(ingests.started_at.desc())
        if ingest_id is None
        else ingests.filter(ingests.ingest_id == ingest_id)
    )
    found = _rows(engine, chosen.limit(1))
    return found[0] if found else None


def _report(engine: Engine, ingest: dict[str, object], limit: int) -> RejectReport:
    table = engine.table("rejects")
    rows = table.filter(table.ingest_id == str(ingest["ingest_id"]))
    counts = rows.group_by("reason").agg(rejects=rows.count())
    by_reason = engine.to_arrow_table(counts.order_by([counts.rejects.desc(), "reason"]))
    listing = rows.select(*REJECT_COLUMNS).order_by(["source_file", "source_line", "column"])
    return RejectReport(
        ingest=ingest,
        by_reason={row["reason"]: row["rejects"] for row in by_reason.to_pylist()},
        rows=_rows(engine, listing.limit(limit)),
    )


def _print_report(report: RejectReport) -> None:
    ingest = report.ingest
    console.print(
        f"[bold]ingest[/] {ingest['ingest_id']} ({ingest['source']} into "
        f"{ingest['target_table']}, {ingest['started_at']:%Y-%m-%d %H:%M} UTC): "
        f"{ingest['rows_rejected']:,} rows rejected, {report.total:,} rejects",
        highlight=False,
    )
    if not report.total:
        return
    summary = Table("reason", "rejects", title="rejects by reason")
    for reason, count in report.by_reason.items():
        summary.add_row(reason, f"{count:,}")
    console.print(summary)
    listing = Table("file", "line", "column", "value", "reason", title="rejected rows")
    for row in report.rows:
        value = "" if row["value"] is None else str(row["value"])
        name = Path(str(row["source_file"])).name
        listing.add_row(
            name, str(row["source_line"]), str(row["column"]), value, str(row["reason"])
        )
    console.print(listing)
    if len(report.rows) < report.total:
        console.print(f"showing {len(report.rows):,} of {report.total:,}; use --limit N for more")
