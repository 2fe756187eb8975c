"""``beatwise compstat``: the weekly CompStat report for an as-of date, level and geography.

Without ``--format`` and ``--output`` the sheets print as tables in the terminal; ``--format``
(or the ``--output`` file's suffix) chooses JSON, CSV, XLSX, HTML or PDF. The command only parses
options and calls :func:`beatwise.compstat.sheets.compstat_report`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from beatwise.cli.context import app_session, console, errors, settings_from
from beatwise.compstat.change import Change, format_pct
from beatwise.compstat.cube import CITY, CubeCache, DataVersion, agencies
from beatwise.compstat.followup import ReportFollowUps, ReportItem, items_for_report
from beatwise.compstat.report import Report, SheetOptions
from beatwise.compstat.rows import RowSet, extra_row, restrict, row_set
from beatwise.compstat.sheets import NoDataError, choose_agency, compstat_report, last_week_end
from beatwise.warehouse import Warehouse
from beatwise.warehouse.engines import Engine, open_engine


class Format(StrEnum):
    """Output formats of the report."""

    json = "json"
    csv = "csv"
    xlsx = "xlsx"
    html = "html"
    pdf = "pdf"


YEARS = (1900, 2100)
"""The years a base or history year may be (a typo like 219 is refused, not a blank column)."""

COVERED = {Format.html, Format.pdf, Format.xlsx}
"""Formats that open with the citywide sheet as a cover."""
BINARY = {Format.xlsx, Format.pdf}


def compstat(
    ctx: typer.Context,
    *,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Report date YYYY-MM-DD (default: the last Sunday with data)."
        ),
    ] = None,
    level: Annotated[
        str, typer.Option(help="Geography level: city, district, beat, neighbourhood, a layer.")
    ] = CITY,
    geography: Annotated[
        str | None, typer.Option(help="One geography of the level (default: every one).")
    ] = None,
    fmt: Annotated[
        Format | None,
        typer.Option("--format", help="json, csv, xlsx, html or pdf (default: from --output)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write the report to this file (default: stdout).")
    ] = None,
    agency: Annotated[str | None, typer.Option(help="Agency, when several are loaded.")] = None,
    rows: Annotated[
        str | None,
        typer.Option(help="Row set: nypd-seven-majors, toronto-mci, ucr-part1 (default: data's)."),
    ] = None,
    category: Annotated[
        list[str] | None,
        typer.Option(help="Only these rows (canonical name or alias, any case; repeatable)."),
    ] = None,
    extra: Annotated[
        list[str] | None,
        typer.Option(help="Extra row after TOTAL: every incident of a category (repeatable)."),
    ] = None,
    base_year: Annotated[
        list[int] | None,
        typer.Option(
            min=YEARS[0], max=YEARS[1], help="Also compare YTD with this year (repeatable)."
        ),
    ] = None,
    history_year: Annotated[
        list[int] | None,
        typer.Option(
            min=YEARS[0],
            max=YEARS[1],
            help="Historical Perspective year (repeatable; default: the 5 before).",
        ),
    ] = None,
    data_version: Annotated[
        int | None, typer.Option(help="Re-run on this version of the incidents table.")
    ] = None,
) -> None:
    """Print or write the CompStat report: week to date, 28 days, year to date and history."""
    chosen_format = _format(fmt, output)
    warehouse = Warehouse(settings_from(ctx).warehouse_dir)
    try:
        with open_engine(settings_from(ctx).engine, warehouse) as engine:
            version = _version(engine, data_version)
            options = SheetOptions(
                as_of=_as_of(engine, version, agency, as_of),
                level=level,
                geography=geography,
                rows=_rows(rows, category),
                extras=tuple(extra_row(name) for name in extra or ()),
                base_years=tuple(base_year or ()),
                history_years=tuple(history_year or ()),
            )
            cache = CubeCache(size=1)
            report = compstat_report(engine, options, agency, version, cache)
            cover = None
            if chosen_format in COVERED and options.level != CITY:
                city = replace(options, level=CITY, geography=None)
                cover = compstat_report(engine, city, agency, version, cache)
    except (KeyError, NoDataError, ValueError) as exc:
        message = exc.args[0] if exc.args else str(exc)
        errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    with app_session(ctx) as session:
        followups = items_for_report(
            session, report.agency, report.level, report.geographies, report.calendar.as_of
        )
    _emit(report, cover, followups, chosen_format, output)


def _format(fmt: Format | None, output: Path | None) -> Format | None:
    if output is not None and not output.parent.is_dir():
        errors.print(f"[bold red]error:[/] no folder {output.parent} to write {output.name} in")
        raise typer.Exit(code=2)
    if fmt is not None or output is None:
        return fmt
    try:
        return Format(output.suffix.lstrip(".").lower())
    except ValueError:
        errors.print(
            f"[bold red]error:[/] cannot tell the format of {output} from its suffix; "
            "pass --format json|csv|xlsx|html|pdf"
        )
        raise typer.Exit(code=2) from None


def _version(engine: Engine, incidents: int | None) -> DataVersion:
    latest = DataVersion.latest(engine)
    if incidents is None:
        return latest
    if latest.incidents is None or not 0 <= incidents <= latest.incidents:
        raise ValueError(
            f"--data-version {incidents} does not exist; the incidents table is at version "
            f"{latest.incidents}"
        )
    return DataVersion(incidents, latest.area_membership, latest.official_counts)


def _as_of(engine: Engine, version: DataVersion, agency: str | None, raw: str | None) -> date:
    if raw is not None:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"--as-of {raw!r} is not a date; write it as YYYY-MM-DD") from None
    found = last_week_end(engine, version, choose_agency(agencies(engine, version), agency))
    if found is None:
        raise NoDataError("no dated incidents are loaded; pass --as-of YYYY-MM-DD")
    return found


def _rows(name: str | None, categories: list[str] | None) -> RowSet | None:
    chosen = row_set(name) if name else None
    if not categories:
        return chosen
    if chosen is None:
        raise ValueError("--category needs --rows, to say which row set to restrict")
    return restrict(chosen, categories)


def _emit(
    report: Report,
    cover: Report | None,
    followups: ReportFollowUps,
    fmt: Format | None,
    output: Path | None,
) -> None:
    if fmt is None:
        for geography in report.geographies:
            console.print(_sheet_table(report, geography))
            for entry in followups.for_geography(geography).items:
                console.print(_followup_line(entry))
        return
    from beatwise.reports.compstat import parse_format, render

    payload = render(report, parse_format(fmt.value), cover=cover, followups=followups)
    if output is None:
        if fmt in BINARY:
            errors.print(f"[bold red]error:[/] {fmt.value} is binary; pass --output FILE")
            raise typer.Exit(code=2)
        typer.echo(payload.decode(), nl=False)
        return
    partial = output.with_name(output.name + ".partial")
    partial.write_bytes(payload)
    partial.replace(output)  # a reader never sees half a report
    console.print(f"wrote {output} ({len(payload):,} bytes)")


def _followup_line(entry: ReportItem) -> str:
    item = entry.item
    late = f" [bold red]overdue {entry.days_overdue} d[/]" if entry.overdue else ""
    outcome = f" → {item.outcome}" if item.outcome else ""
    return (
        f"  follow-up #{item.id} ({item.status.value}, due {item.due_on}){late}: "
        f"{item.request} — {item.owner}{outcome}"
    )


def _sheet_table(report: Report, geography: str) -> Table:
    cal = report.calendar
    week = cal.week
    table = Table(
        title=f"CompStat — {report.agency} — {report.level} {geography}",
        caption=(
            f"Week {week.start:%-m/%-d/%Y} through {week.end:%-m/%-d/%Y}, as of {cal.as_of}. "
            f"Data: {report.data_version}. Z = 2(√cur − √prior), ! when |Z| ≥ 2."
        ),
    )
    table.add_column("Category")
    for name in ("WTD", "28 Day", "YTD"):
        table.add_column(f"{name}", justify="right")
        table.add_column("prior", justify="right")
        table.add_column("% chg (Z)", justify="right")
    for row in report.sheet(geography):
        cells = [row.label]
        for change in (row.wtd, row.d28, row.ytd):
            cells += [str(change.current), str(change.prior), _pct(change)]
        table.add_row(*cells, style="bold" if row.kind == "total" else None)
    return table


def _pct(change: Change) -> str:
    return f"{format_pct(change.pct_change)} ({change.z:+.2f}{'!' if change.flagged else ''})"
