"""``beatwise ingest``: import exports through a built-in source adapter."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from beatwise.cli.context import console, errors, fail_bad_input, settings_from
from beatwise.ingest.errors import BadInputError
from beatwise.ingest.pipeline import IngestResult, ingest_files
from beatwise.ingest.sources import SOURCES, get_source
from beatwise.warehouse import Warehouse


def ingest(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Export files (CSV, optionally gzipped).")],
    source: Annotated[str, typer.Option(help=f"Source adapter: one of {', '.join(SOURCES)}.")],
) -> None:
    """Import FILES from SOURCE into the warehouse (a re-import updates, never duplicates)."""
    settings = settings_from(ctx)
    try:
        adapter = get_source(source)
    except KeyError as exc:
        errors.print(f"[bold red]error:[/] {exc.args[0]}")
        raise typer.Exit(code=2) from None
    try:
        with console.status("starting") as spinner:
            result = ingest_files(
                Warehouse(settings.warehouse_dir),
                adapter,
                files,
                scratch_dir=settings.cache_dir / "duckdb",
                on_stage=spinner.update,
            )
    except BadInputError as exc:
        raise fail_bad_input(exc) from None
    print_result(result)


def print_result(result: IngestResult) -> None:
    """One summary line of an import, shared by ``ingest`` and ``demo``."""
    console.print(
        f"[green]imported[/] {result.source} into {result.table} v{result.version}: "
        f"{result.rows_read:,} rows read, {result.rows_inserted:,} inserted, "
        f"{result.rows_updated:,} updated, {result.rows_rejected:,} rejected "
        f"in {result.seconds:.1f} s (ingest {result.ingest_id})"
    )
