"""Request dependencies: the app's settings, its templates and a warehouse engine.

Everything a route needs comes through here, so routes never build configuration themselves and
tests can hand the factory any :class:`~beatwise.config.Settings`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.templating import Jinja2Templates

from beatwise.config import Settings
from beatwise.warehouse import Warehouse
from beatwise.warehouse.engines import Engine, open_engine


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
    """

    settings: Settings
    templates: Jinja2Templates
    vendor_dir: Path | None


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


SettingsDep = Annotated[Settings, Depends(get_settings)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]


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
