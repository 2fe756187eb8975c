"""``beatwise ingest``: import exports through a built-in adapter or a mapping file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from beatwise.cli.context import console, errors, fail_bad_input, settings_from
from beatwise.config import Settings
from beatwise.ingest.errors import BadInputError
from beatwise.ingest.pipeline import FileSource, IngestResult, ingest_files
from beatwise.ingest.sources import SOURCES, chicago_sentiment, get_source
from beatwise.warehouse import Warehouse

MAPPED = ("mapping", "counts")
"""Sources described by a mapping file (``--mapping``); ``counts`` writes official counts."""

LOADERS = {chicago_sentiment.NAME: chicago_sentiment.ingest_sentiment}
"""Sources that reshape their rows (one line, many records) with a loader of their own."""

SOURCE_HELP = (
    f"Source: one of {', '.join([*SOURCES, *LOADERS])}, code:<NIBRS code> for a CODE "
    "single-offence extract, or mapping / counts with --mapping."
)


def ingest(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Export files (CSV, optionally gzipped).")],
    source: Annotated[str, typer.Option(help=SOURCE_HELP)],
    mapping: Annotated[
        str | None,
        typer.Option(help="Mapping file: a shipped mapping's name or a path to a .yaml file."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Import FILES from SOURCE into the warehouse (a re-import updates, never duplicates)."""
    settings = settings_from(ctx)
    try:
        result = _run(settings, source, mapping, files, quiet=as_json)
    except BadInputError as exc:
        raise fail_bad_input(exc) from None
    if as_json:
        typer.echo(json.dumps(result.summary(), indent=2, default=str))
    else:
        print_result(result)


def _run(
    settings: Settings, source: str, mapping: str | None, files: list[Path], *, quiet: bool
) -> IngestResult:
    warehouse = Warehouse(settings.warehouse_dir)
    scratch = settings.cache_dir / "duckdb"
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    with Progress(*columns, TimeElapsedColumn(), console=console, disable=quiet) as progress:
        task = progress.add_task("starting", total=None)

        def stage(text: str) -> None:
            progress.update(task, description=text)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        if source in LOADERS:
            return LOADERS[source](warehouse, files, scratch_dir=scratch, on_stage=stage)
        adapter = _adapter(settings, source, mapping)
        return ingest_files(
            warehouse, adapter, files, scratch_dir=scratch, on_stage=stage, on_progress=advance
        )


def _adapter(settings: Settings, source: str, mapping: str | None) -> FileSource:
    """The built-in adapter called ``source``, or the mapping file for mapping / counts."""
    if source not in MAPPED:
        if mapping is not None:
            raise _usage(f"--mapping goes with --source mapping or counts, not {source!r}")
        try:
            return get_source(source)
        except KeyError as exc:
            raise _usage(str(exc.args[0])) from None
    if mapping is None:
        raise _usage(f"--source {source} needs --mapping NAME|PATH (see docs/ingest.md)")
    from beatwise.ingest.mappings import MappingSource, load_mapping

    loaded = load_mapping(mapping)
    if source == "counts" and loaded.table != "official_counts":
        raise _usage(f"mapping {loaded.name!r} writes {loaded.table}, not official_counts")
    return MappingSource(loaded, pseudonym_key=settings.pseudonym_key)


def _usage(message: str) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code=2)


def print_result(result: IngestResult, echo: Callable[[str], None] | None = None) -> None:
    """The import's summary: counts, top reject reasons, area assignment (ingest and demo)."""
    say = echo or (lambda text: console.print(text, highlight=False))
    say(
        f"[green]imported[/] {result.source} into {result.table} v{result.version}: "
        f"{result.rows_read:,} rows read, {result.rows_accepted:,} accepted "
        f"({result.rows_inserted:,} inserted, {result.rows_updated:,} updated, "
        f"{result.rows_unchanged:,} unchanged), {result.rows_rejected:,} rejected "
        f"in {result.seconds:.1f} s (ingest {result.ingest_id})"
    )
    for reason, count in result.rejects_by_reason[:5]:
        say(f"  {count:,} rejected: {reason}")
    if result.rows_rejected:
        say(f"  list them: beatwise rejects --ingest {result.ingest_id}")
    from beatwise.cli.boundaries import assignment_line

    for layer in result.areas.layers if result.areas else ():
        say("  " + assignment_line(layer))
