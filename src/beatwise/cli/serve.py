"""``beatwise serve``: the web app under uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn

from beatwise.cli.context import settings_from


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    db: Annotated[
        str | None, typer.Option(help="App database URL (overrides --db-url and $BEATWISE_DB_URL).")
    ] = None,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes.")] = 1,
) -> None:
    """Serve the web app (http://HOST:PORT); migrations are applied first."""
    settings = settings_from(ctx)
    os.environ["BEATWISE_HOME"] = str(settings.home)
    os.environ["BEATWISE_ENGINE"] = settings.engine.value
    if db or settings.db_url:
        os.environ["BEATWISE_DB_URL"] = db or settings.database_url
    uvicorn.run("beatwise.web.app:create_app", factory=True, host=host, port=port, workers=workers)
