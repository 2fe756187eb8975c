"""``beatwise status``: where the data lives and what it holds."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from beatwise.cli.context import console, settings_from
from beatwise.warehouse import Warehouse


def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Show the data directory, the warehouse tables (rows, version) and the app database URL."""
    settings = settings_from(ctx)
    statuses = Warehouse(settings.warehouse_dir).statuses()
    if as_json:
        payload = {
            "home": str(settings.home),
            "tables": {s.name: {"rows": s.rows, "version": s.version} for s in statuses},
            "db_url": settings.database_url,
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    console.print(f"[bold]home[/]     {settings.home}")
    console.print(f"[bold]database[/] {settings.database_url}")
    console.print(f"[bold]engine[/]   {settings.engine.value}")
    table = Table("table", "rows", "version", title="warehouse")
    for s in statuses:
        version = "-" if s.version is None else str(s.version)
        table.add_row(s.name, f"{s.rows:,}", version)
    console.print(table)
