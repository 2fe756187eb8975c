"""Request dependencies: the app's settings, its templates, a warehouse engine, the app's cube
cache and an app-database session.

Everything a route needs comes through here, so routes never build configuration themselves and
tests can hand the factory any :class:`~beatwise.config.Settings`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from beatwise.appdb.session import make_engine, session_factory
from beatwise.compstat.cube import CubeCache
from beatwise.config import Settings
from beatwise.warehouse import Warehouse
from beatwise.warehouse.engines import Engine, open_engine


@dataclass(frozen=True)
class Cubes:
    """CompStat's daily-count cubes, shared by every request of one app, and their lock.

    A report on a data version already seen costs only its window sums, not a warehouse scan.
    A cube is exact for its version and every request asks for the latest version, so a new
    import is never hidden by the cache. :class:`CubeCache` is not thread-safe and FastAPI runs
    requests in a thread pool, so callers hold ``lock`` while they use ``cache``; that also
    stops two concurrent first requests from scanning the warehouse twice.
    """

    cache: CubeCache = field(default_factory=lambda: CubeCache(size=4))
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class WebContext:
    """What one app instance was built with, kept on ``app.state.beatwise``.

    Attributes
    ----------
    settings
        The settings the factory was given (never re-read from the environment).
    templates
        The Jinja2 templates with Beatwise's filters and globals.
    vendor_dir
        The ``node_modules`` folder served at ``/static/vendor``, or None when absent.
    cubes
        CompStat's daily-count cubes, kept for the life of the app (see :class:`Cubes`).
    """

    settings: Settings
    templates: Jinja2Templates
    vendor_dir: Path | None
    cubes: Cubes = field(default_factory=Cubes)


def context_of(app: FastAPI) -> WebContext:
    """The :class:`WebContext` the factory stored on ``app``.

    Raises
    ------
    RuntimeError
        When ``app`` was not built by :func:`beatwise.web.app.create_app`.
    """
    context = getattr(app.state, "beatwise", None)
    if not isinstance(context, WebContext):
        raise RuntimeError("this FastAPI app was not built by beatwise.web.app.create_app")
    return context


def get_context(request: Request) -> WebContext:
    """The context of the app serving ``request``."""
    return context_of(request.app)


def get_settings(request: Request) -> Settings:
    """The settings of the app serving ``request`` (not the process-wide cached ones)."""
    return get_context(request).settings


def get_templates(request: Request) -> Jinja2Templates:
    """The templates of the app serving ``request``."""
    return get_context(request).templates


def get_cubes(request: Request) -> Cubes:
    """The CompStat cube cache (and its lock) of the app serving ``request``."""
    return get_context(request).cubes


SettingsDep = Annotated[Settings, Depends(get_settings)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
CubesDep = Annotated[Cubes, Depends(get_cubes)]


def warehouse_engine(settings: SettingsDep) -> Iterator[Engine]:
    """A warehouse engine for one request, closed when the request is done.

    One engine per request keeps requests independent (an embedded DuckDB connection costs a
    few milliseconds) and always reads the latest committed Delta versions.
    """
    engine = open_engine(settings.engine, Warehouse(settings.warehouse_dir))
    try:
        yield engine
    finally:
        engine.close()


EngineDep = Annotated[Engine, Depends(warehouse_engine)]


def app_session(settings: SettingsDep) -> Iterator[Session]:
    """An app-database session for one request; the caller commits what it wants kept.

    A fresh engine per request, as the health check does, so no pool outlives the app (tests
    build many) and a database restarted under a running app is simply reconnected to.
    Nothing is committed here: a route commits its change together with its audit entry.
    """
    engine = make_engine(settings.database_url)
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


SessionDep = Annotated[Session, Depends(app_session)]
