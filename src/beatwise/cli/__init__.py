"""The ``beatwise`` command line: a Typer root and one module per command group."""
