"""From request parameters to a CompStat report, checked against what is loaded.

The page and the API take the same parameters (``as_of``, ``level``, ``geography``,
``agency``); a value that names nothing loaded is a :class:`ParameterError` that names the
parameter and lists what is loaded, so a client can correct it without reading the docs. The
page is lenient where a person would expect it (the largest agency by default, a geography left
over from another level falls back to the level's first); the API is strict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from beatwise.compstat.cube import CITY, CITYWIDE, DataVersion
from beatwise.compstat.report import Report, SheetOptions
from beatwise.compstat.sheets import NoDataError, choose_agency, compstat_report, last_week_end
from beatwise.warehouse.engines.base import Engine
from beatwise.web.deps import Cubes

NO_INCIDENTS = "no incidents are loaded; run 'beatwise demo' or 'beatwise ingest'"


class ParameterError(ValueError):
    """A request parameter that names nothing loaded (HTTP 422)."""

    def __init__(self, parameter: str, message: str, loaded: list[str]) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message
        self.loaded = loaded

    def details(self) -> list[dict[str, object]]:
        """The error's ``details`` in the API's error shape: where, what, and what is loaded."""
        return [{"loc": ["query", self.parameter], "msg": self.message, "loaded": self.loaded}]


class NothingLoadedError(LookupError):
    """No incidents (or none dated) to report on (HTTP 404); the message says how to load."""


@dataclass(frozen=True)
class Asked:
    """The parameters of a request, as given (None: not given)."""

    as_of: date | None = None
    level: str = CITY
    geography: str | None = None
    agency: str | None = None
    row: str | None = None
    """The row the trend and drill-down follow (a category slug, or ``total``)."""
    period: str | None = None
    """The drill-down's window: ``wtd``, ``d28`` or ``ytd``."""


@dataclass(frozen=True)
class Chosen:
    """What a request resolves to: the agency, the as-of date and the data version."""

    agency: str
    agencies: tuple[str, ...]
    as_of: date
    version: DataVersion
    levels: tuple[str, ...]


def choose(engine: Engine, cubes: Cubes, asked: Asked, *, largest_by_default: bool) -> Chosen:
    """The agency, as-of date and data version of ``asked`` at the latest data version.

    ``largest_by_default`` picks the agency with most incidents when none is asked for and
    several are loaded (the page); otherwise that is a :class:`ParameterError` (the API).
    """
    version = DataVersion.latest(engine)
    with cubes.lock:
        loaded = cubes.cache.agencies(engine, version)
        if not loaded:
            raise NothingLoadedError(NO_INCIDENTS)
        wanted = asked.agency or (loaded[0] if largest_by_default else None)
        try:
            agency = choose_agency(loaded, wanted)
        except NoDataError as exc:
            raise ParameterError("agency", str(exc), list(loaded)) from None
        levels = cubes.cache.get(engine, agency, version).levels
    as_of = asked.as_of or last_week_end(engine, version, agency)
    if as_of is None:
        raise NothingLoadedError(f"no dated incidents are loaded for {agency}; give an as_of date")
    return Chosen(agency, tuple(loaded), as_of, version, levels)


def report_for(
    engine: Engine, cubes: Cubes, chosen: Chosen, level: str, geography: str | None
) -> Report:
    """The report of ``level`` (every geography, or just ``geography``) for ``chosen``.

    Raises
    ------
    ParameterError
        For ``level`` when no such level is loaded, for ``geography`` when the level has no
        such geography, for ``as_of`` when the date is out of the calendar's range.
    """
    options = SheetOptions(as_of=chosen.as_of, level=level, geography=geography)
    try:
        with cubes.lock:
            return compstat_report(engine, options, chosen.agency, chosen.version, cubes.cache)
    except KeyError as exc:
        if geography is None:
            raise ParameterError("level", str(exc.args[0]), list(chosen.levels)) from None
        known = report_for(engine, cubes, chosen, level, None).geographies
        raise ParameterError("geography", str(exc.args[0]), list(known)) from None
    except ValueError as exc:
        raise ParameterError("as_of", f"no report for {chosen.as_of}: {exc}", []) from None


def city_cover(engine: Engine, cubes: Cubes, chosen: Chosen, report: Report) -> Report | None:
    """The citywide report a download's cover shows, or None when ``report`` is citywide."""
    if report.level == CITY:
        return None
    return report_for(engine, cubes, chosen, CITY, None)


def default_geography(level: str, geographies: tuple[str, ...]) -> str:
    """The sheet the page shows first: citywide, or the level's first geography."""
    if level == CITY or not geographies:
        return CITYWIDE
    return geographies[0]
