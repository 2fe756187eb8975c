"""``beatwise boundaries``: load boundary layers and list what is loaded."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from beatwise.cli.context import console, fail_bad_input, settings_from
from beatwise.ingest.areas import LayerAssignment, membership_counts
from beatwise.ingest.boundaries import LayerAdded, add_layer
from beatwise.ingest.errors import BadInputError
from beatwise.warehouse import Warehouse

app = typer.Typer(
    help="Boundary layers: districts, beats, neighbourhoods ...", no_args_is_help=True
)


@app.command(name="add")
def add(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="GeoJSON, Shapefile (.shp) or GeoPackage file.")],
    *,
    layer: Annotated[str, typer.Option(help="Layer name, e.g. district, beat, neighbourhood.")],
    id_field: Annotated[str, typer.Option(help="The file's field holding each area's id.")],
    name_field: Annotated[
        str | None, typer.Option(help="The file's field holding each area's display name.")
    ] = None,
    population_field: Annotated[
        str | None, typer.Option(help="The file's field holding each area's population.")
    ] = None,
    valid_from: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="First day this layout applies (YYYY-MM-DD)."),
    ] = None,
) -> None:
    """Load FILE's polygons (any CRS) as LAYER and assign every located incident to it."""
    settings = settings_from(ctx)
    try:
        with console.status("starting") as spinner:
            added = add_layer(
                Warehouse(settings.warehouse_dir),
                file,
                layer=layer,
                id_field=id_field,
                name_field=name_field,
                population_field=population_field,
                valid_from=valid_from.date() if valid_from else None,
                on_stage=spinner.update,
            )
    except BadInputError as exc:
        raise fail_bad_input(exc) from None
    print_added(added)


def print_added(added: LayerAdded) -> None:
    """The summary of ``boundaries add``: rows loaded, CRS, incidents assigned, match rate."""
    load = added.load
    closed = f"; {load.closed:,} areas of the earlier layout closed" if load.closed else ""
    console.print(
        f"[green]loaded[/] {load.areas:,} areas ({load.features:,} features) of layer "
        f"{load.layer!r} into boundaries v{load.version} from CRS {load.crs}{closed} "
        f"(ingest {load.ingest_id})",
        highlight=False,
    )
    for layer in added.assignment.layers:
        console.print(assignment_line(layer), highlight=False)
    if not added.assignment.layers or not added.assignment.records:
        console.print("no located incidents to assign yet")


def assignment_line(layer: LayerAssignment) -> str:
    """One summary line per layer (shared with the import summary): assigned and match rate."""
    line = f"assigned {layer.assigned:,} of {layer.located:,} located incidents to a {layer.layer}"
    if layer.match_rate is not None:
        line += (
            f"; {layer.match_rate:.1%} match their own {layer.source_field} "
            f"({layer.matched:,} of {layer.compared:,})"
        )
    return line


@app.command(name="list")
def list_layers(ctx: typer.Context) -> None:
    """List the loaded layers: areas, layouts, total area and incidents assigned."""
    warehouse = Warehouse(settings_from(ctx).warehouse_dir)
    rows = warehouse.to_arrow("boundaries").to_pylist()
    if not rows:
        console.print("no boundary layers loaded; add one with 'beatwise boundaries add'")
        return
    assigned = membership_counts(warehouse)
    table = Table("layer", "areas in force", "layouts", "km²", "incidents assigned")
    for name in sorted({r["layer"] for r in rows}):
        areas = [r for r in rows if r["layer"] == name]
        current = [r for r in areas if r["valid_to"] is None]
        starts = sorted({str(r["valid_from"] or "always") for r in areas})
        km2 = sum(r["area_m2"] for r in current) / 1e6
        table.add_row(
            name,
            f"{len(current):,}",
            ", ".join(starts),
            f"{km2:,.1f}",
            f"{assigned.get(name, 0):,}",
        )
    console.print(table)
