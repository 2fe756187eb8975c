"""A CompStat report from the warehouse: pick the agency, build (or reuse) the cube, add the
published counts, compute the sheets.

This is the one entry point the CLI, the web app and the benchmarks call; everything it does is
reading through the engine, so it runs the same on DuckDB and PySpark.
"""

from __future__ import annotations

from datetime import date, timedelta

from beatwise.compstat.cube import CubeCache, DataVersion
from beatwise.compstat.history import official_counts
from beatwise.compstat.report import Report, SheetOptions, build_report
from beatwise.warehouse.engines.base import Engine


class NoDataError(LookupError):
    """Nothing to report on: no incidents or counts loaded, or not for the agency asked."""


def compstat_report(
    engine: Engine,
    options: SheetOptions,
    agency: str | None = None,
    version: DataVersion | None = None,
    cache: CubeCache | None = None,
) -> Report:
    """The report of ``options`` for ``agency`` (default: the only one loaded) at ``version``.

    A ``cache`` kept between calls (the web app keeps one) makes later reports on the same data
    version cost only the window sums.
    """
    pinned = version or DataVersion.latest(engine)
    cache = cache or CubeCache(size=1)
    chosen = choose_agency(cache.agencies(engine, pinned), agency)
    cube = cache.get(engine, chosen, pinned)
    years = tuple(sorted({*options.years_needing_history()}))
    key = ("official", options.level, years)
    if key not in cube.memo:
        cube.memo[key] = official_counts(engine, chosen, pinned, options.level, years)
    return build_report(cube, options, cube.memo[key])


def choose_agency(loaded: list[str], wanted: str | None) -> str:
    """``wanted`` as loaded (any case), or the only agency loaded; errors list the agencies."""
    if not loaded:
        raise NoDataError("no incidents are loaded; run 'beatwise demo' or 'beatwise ingest'")
    if wanted is None:
        if len(loaded) > 1:
            raise NoDataError(f"several agencies are loaded; choose one of: {'; '.join(loaded)}")
        return loaded[0]
    for name in loaded:
        if name.casefold() == wanted.strip().casefold():
            return name
    raise NoDataError(f"no agency {wanted!r} is loaded; loaded: {'; '.join(loaded)}")


def last_week_end(engine: Engine, version: DataVersion, agency: str) -> date | None:
    """The last Sunday on or before ``agency``'s latest incident day (the last whole week)."""
    if version.incidents is None:
        return None
    t = engine.table("incidents", version.incidents)
    latest = engine.to_pyarrow(t.filter(t.agency == agency).occurred_date.max())
    last = latest.as_py() if hasattr(latest, "as_py") else latest
    if not isinstance(last, date):
        return None
    return last - timedelta(days=(last.weekday() + 1) % 7)
