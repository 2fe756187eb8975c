"""``beatwise followup``: CompStat meeting action items, their owners, due dates and outcomes.

The commands only parse options and call :mod:`beatwise.compstat.followup`, which holds the
rules (legal transitions, outcome on closing, the kept history). The app database is migrated
first, as ``beatwise serve`` does, so the commands work on a fresh home.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from beatwise.appdb.models import FollowUpStatus
from beatwise.cli.context import app_session, console, errors
from beatwise.compstat.followup import FollowUp, FollowUpError, add_item, list_items, update_status

app = typer.Typer(
    help="CompStat follow-up: meeting action items, owners, due dates and outcomes.",
    no_args_is_help=True,
)

Agency = Annotated[str, typer.Option(help="Agency, as in the warehouse (any case).")]


@app.command(name="add")
def add_command(
    ctx: typer.Context,
    request: Annotated[str, typer.Argument(help="What the meeting asked of the command.")],
    *,
    agency: Agency,
    level: Annotated[str, typer.Option(help="Geography level: city, district, a layer...")],
    geography: Annotated[str, typer.Option(help="Geography id at that level (city: citywide).")],
    owner: Annotated[str, typer.Option(help="The post that answers for it, not a person.")],
    due: Annotated[str, typer.Option(help="Due date YYYY-MM-DD.")],
    raised: Annotated[
        str | None, typer.Option(help="Meeting date YYYY-MM-DD (default: today).")
    ] = None,
    category: Annotated[
        str | None, typer.Option(help="Offence category: canonical name or alias.")
    ] = None,
) -> None:
    """Record an action item from a CompStat meeting; it starts open."""
    with _refusing_bad_input():
        raised_on = _date(raised, "--raised") if raised else date.today()
        due_on = _date(due, "--due")
        with app_session(ctx) as session:
            item = add_item(
                session,
                agency=agency,
                level=level,
                geography=geography,
                request=request,
                owner=owner,
                raised_on=raised_on,
                due_on=due_on,
                category=category,
            )
    console.print(f"added follow-up item {item.id} for {item.owner}, due {item.due_on}")


@app.command(name="list")
def list_command(
    ctx: typer.Context,
    *,
    agency: Agency,
    level: Annotated[str | None, typer.Option(help="Only this geography level.")] = None,
    geography: Annotated[str | None, typer.Option(help="Only this geography id.")] = None,
    status: Annotated[FollowUpStatus | None, typer.Option(help="Only this status.")] = None,
    due_before: Annotated[
        str | None, typer.Option(help="Only items due before this date (YYYY-MM-DD).")
    ] = None,
    category: Annotated[
        str | None, typer.Option(help="Only this category (canonical name or alias).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List an agency's action items, earliest due first."""
    with _refusing_bad_input():
        before = _date(due_before, "--due-before") if due_before else None
        with app_session(ctx) as session:
            items = list_items(
                session,
                agency,
                level=level,
                geography=geography,
                status=status,
                due_before=before,
                category=category,
            )
    if as_json:
        typer.echo(json.dumps([item.as_json() for item in items], indent=2))
        return
    console.print(_table(items, agency))


@app.command(name="update")
def update_command(
    ctx: typer.Context,
    item_id: Annotated[int, typer.Argument(metavar="ID", help="The item's id (see list).")],
    *,
    status: Annotated[FollowUpStatus, typer.Option(help="open, in_progress, done or dropped.")],
    outcome: Annotated[
        str | None, typer.Option(help="What came of it; needed to close (done, dropped).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="A note kept in the status history.")] = None,
    on: Annotated[
        str | None, typer.Option(help="Date the change takes effect (default: today).")
    ] = None,
) -> None:
    """Move an item to a new status; the change is kept in its history."""
    with _refusing_bad_input():
        day = _date(on, "--on") if on else None
        with app_session(ctx) as session:
            item = update_status(session, item_id, status, outcome=outcome, note=note, on=day)
    console.print(f"follow-up item {item.id} is now {item.status.value}")


@contextmanager
def _refusing_bad_input() -> Iterator[None]:
    """Turn a refused input into its message on stderr and exit code 2."""
    try:
        yield
    except FollowUpError as exc:
        errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None


def _date(raw: str, option: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FollowUpError(f"{option} {raw!r} is not a date; write it as YYYY-MM-DD") from None


def _table(items: tuple[FollowUp, ...], agency: str) -> Table:
    table = Table(
        "id", "geography", "category", "request", "owner", "raised", "due", "status", "outcome"
    )
    table.title = f"follow-up items — {agency} ({len(items)})"
    for column in (0, 5, 6, 7):
        table.columns[column].no_wrap = True
    for item in items:
        table.add_row(
            str(item.id),
            f"{item.level} {item.geography}",
            item.category or "",
            item.request,
            item.owner,
            item.raised_on.isoformat(),
            item.due_on.isoformat(),
            item.status.value,
            item.outcome or "",
        )
    return table
