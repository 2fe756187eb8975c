"""``beatwise categories``: the canonical offence categories, their aliases and comparison sets.

Analysts type categories by the names they know (``theft``, ``auto theft``, ``B&E``); this lists
what each canonical category is, which NIBRS codes it covers (FBI, *NIBRS User Manual*, 2021.0)
and every alias that ``--category`` accepts, so no one has to read the taxonomy module.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from beatwise.cli.context import console, errors
from beatwise.datamodel.taxonomy import (
    CATEGORIES,
    COMPARISON_SETS,
    Category,
    ComparisonSet,
    resolve_category,
)


def categories(
    name: Annotated[
        str | None,
        typer.Argument(help="Show only the category this name or alias resolves to."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List the canonical offence categories (NIBRS codes, aliases) and the comparison sets."""
    if name is None:
        shown = list(CATEGORIES.values())
    else:
        try:
            shown = [resolve_category(name)]
        except KeyError as exc:
            errors.print(f"[bold red]error:[/] {exc.args[0]}", highlight=False)
            raise typer.Exit(code=2) from None
    sets = list(COMPARISON_SETS.values()) if name is None else []
    if as_json:
        payload = {
            "categories": [_category_json(c) for c in shown],
            "comparison_sets": [{"slug": s.slug, "label": s.label, "rule": s.rule} for s in sets],
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    console.print(_category_table(shown))
    if sets:
        console.print(_sets_table(sets))


def _category_json(category: Category) -> dict[str, object]:
    return {
        "slug": category.slug,
        "label": category.label,
        "nibrs_codes": list(category.nibrs_codes),
        "crime_against": category.crime_against.value,
        "sensitive": category.sensitive,
        "aliases": list(category.aliases),
    }


def _category_table(shown: list[Category]) -> Table:
    table = Table(
        "category",
        "label",
        "NIBRS codes",
        "crime against",
        "sensitive",
        "aliases",
        title="offence categories (NIBRS offence groups)",
    )
    table.columns[0].no_wrap = True
    for c in shown:
        table.add_row(
            c.slug,
            c.label,
            ", ".join(c.nibrs_codes),
            c.crime_against.value,
            "yes" if c.sensitive else "",
            ", ".join(c.aliases),
        )
    return table


def _sets_table(sets: list[ComparisonSet]) -> Table:
    table = Table("set", "label", "membership", title="comparison sets")
    for s in sets:
        table.add_row(s.slug, s.label, s.rule)
    return table
