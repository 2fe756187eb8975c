"""Settings shared by every command: the environment, overridden by the root's flags."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from beatwise.config import EngineName, Settings
from beatwise.ingest.errors import BadInputError

console = Console()
errors = Console(stderr=True)


def settings_from(ctx: typer.Context) -> Settings:
    """The settings the root command built for this invocation."""
    settings = ctx.find_root().obj
    if not isinstance(settings, Settings):
        raise RuntimeError("the beatwise root command did not run")
    return settings


def build_settings(home: Path | None, db_url: str | None, engine: EngineName | None) -> Settings:
    """Settings from ``BEATWISE_*`` variables, with any flag given on the command line winning."""
    overrides = {
        key: value
        for key, value in {"home": home, "db_url": db_url, "engine": engine}.items()
        if value is not None
    }
    return Settings(**overrides)  # type: ignore[arg-type]


def fail_bad_input(exc: BadInputError) -> typer.Exit:
    """Print a refused input's message and return the exit (code 2) to raise."""
    errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


@contextmanager
def app_session(ctx: typer.Context) -> Iterator[Session]:
    """One transaction on the migrated app database, committed when the block succeeds.

    Migrations are applied first, as ``beatwise serve`` does, so a command never meets an old
    schema.
    """
    from beatwise.appdb.migrate import upgrade
    from beatwise.appdb.session import make_engine, session_factory

    url = settings_from(ctx).database_url
    try:
        upgrade(url)
    except OperationalError as exc:
        shown = make_url(url).render_as_string(hide_password=True)
        errors.print(
            f"[bold red]error:[/] cannot open the app database {shown}: {exc.orig}; "
            "check --db-url / BEATWISE_DB_URL and that the server is running",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=2) from None
    engine = make_engine(url)
    try:
        with session_factory(engine).begin() as session:
            yield session
    finally:
        engine.dispose()
