"""``beatwise db``: the app database's migrations."""

from __future__ import annotations

import typer

from beatwise.appdb.migrate import head_revision, upgrade
from beatwise.cli.context import console, settings_from

app = typer.Typer(help="App database: migrations.", no_args_is_help=True)


@app.command(name="upgrade")
def upgrade_command(ctx: typer.Context) -> None:
    """Apply every pending migration to the app database (creating it if needed)."""
    settings = settings_from(ctx)
    revision = upgrade(settings.database_url)
    console.print(f"app database at revision {revision} (head {head_revision()})")
