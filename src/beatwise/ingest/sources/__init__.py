"""Built-in source adapters, one module per real export format, looked up by name.

``code:<NIBRS code>`` (e.g. ``code:240``) names the Crime Open Database adapter for a
single-offence extract whose offence columns were removed (see ``beatwise.ingest.sources.code``).
"""

from __future__ import annotations

from beatwise.ingest.sources.base import CsvSource
from beatwise.ingest.sources.chicago import CHICAGO
from beatwise.ingest.sources.code import CODE, code_extract
from beatwise.ingest.sources.nypd import NYPD
from beatwise.ingest.sources.police_uk import POLICE_UK
from beatwise.ingest.sources.toronto_mci import TORONTO_MCI

SOURCES: dict[str, CsvSource] = {
    source.name: source for source in (TORONTO_MCI, CHICAGO, NYPD, CODE, POLICE_UK)
}


def get_source(name: str) -> CsvSource:
    """The adapter called ``name``; a KeyError lists the known adapters.

    ``code:<offence>`` builds the CODE adapter for a single-offence extract (``code:240`` for
    the NYC motor-vehicle-theft file), the offence being a NIBRS code of the CODE table.
    """
    if name.startswith(f"{CODE.name}:"):
        return code_extract(name.partition(":")[2])
    try:
        return SOURCES[name]
    except KeyError:
        known = ", ".join([*SOURCES, "code:<NIBRS code>"])
        raise KeyError(f"unknown source {name!r}; known sources: {known}") from None
