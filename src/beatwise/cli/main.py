"""The ``beatwise`` root command; each command group lives in its own module."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from beatwise import __version__
from beatwise.cli import (
    boundaries,
    categories,
    compstat,
    db,
    demo,
    followup,
    ingest,
    rejects,
    serve,
    status,
)
from beatwise.cli.context import build_settings
from beatwise.config import EngineName

app = typer.Typer(
    name="beatwise",
    help="Beatwise: community policing and engagement: data, CompStat, evidence, the Academy.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"beatwise {__version__}")
        raise typer.Exit


@app.callback()
def root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(help="Data directory (default: $BEATWISE_HOME or the user data dir)."),
    ] = None,
    db_url: Annotated[
        str | None,
        typer.Option(help="App database URL (default: $BEATWISE_DB_URL or SQLite in the home)."),
    ] = None,
    engine: Annotated[
        EngineName | None,
        typer.Option(help="Warehouse query engine (default: $BEATWISE_ENGINE or duckdb)."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Beatwise: load police data, analyse it and share it with the community."""
    ctx.obj = build_settings(home, db_url, engine)


app.command(name="status")(status.status)
app.command(name="ingest")(ingest.ingest)
app.command(name="demo")(demo.demo)
app.command(name="serve")(serve.serve)
app.command(name="categories")(categories.categories)
app.command(name="rejects")(rejects.rejects)
app.command(name="compstat")(compstat.compstat)
app.add_typer(db.app, name="db")
app.add_typer(boundaries.app, name="boundaries")
app.add_typer(followup.app, name="followup")
