"""The web app factory: ``uvicorn beatwise.web.app:create_app --factory``.

Only assembly happens here (routers, static files, error handlers, startup); what a page shows
lives in presenters such as :mod:`beatwise.web.catalog`, and the routes live in ``routers/``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

import beatwise
from beatwise.appdb.migrate import upgrade
from beatwise.config import Settings, get_settings
from beatwise.warehouse import Warehouse
from beatwise.web.deps import WebContext, context_of
from beatwise.web.errors import install_error_handlers
from beatwise.web.routers import compstat, compstat_api, datasets, docs, health, home
from beatwise.web.templating import make_templates

STATIC_DIR = Path(__file__).parent / "static"


def source_tree_node_modules() -> Path | None:
    """The ``node_modules`` folder of a source checkout, or None when there is none.

    The front-end packages (MapLibre GL JS, vega-embed, Swagger UI) are installed by ``npm ci``
    from the committed ``package-lock.json`` at the repository root, next to ``src/``. This
    file is ``<root>/src/beatwise/web/app.py``, so the root is ``parents[3]``. In an installed
    wheel that path points inside the environment instead and holds no ``node_modules``, so
    vendor files are simply not served; pass ``vendor_dir`` to :func:`create_app` to serve an
    installed copy from elsewhere.
    """
    candidate = Path(__file__).resolve().parents[3] / "node_modules"
    return candidate if candidate.is_dir() else None


def prepare_stores(settings: Settings) -> None:
    """Migrate the app database to head and create missing warehouse tables.

    Run once at startup so that every request can assume both stores exist. A database that
    cannot be migrated stops the app from starting: serving pages over a schema of unknown
    age would be worse than not serving.
    """
    upgrade(settings.database_url)
    Warehouse(settings.warehouse_dir).ensure_tables()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Prepare the stores (in a worker thread: migrations block) before the first request."""
    await run_in_threadpool(prepare_stores, context_of(app).settings)
    yield


def mount_static(app: FastAPI, vendor_dir: Path | None) -> None:
    """Serve ``web/static`` at ``/static`` and ``vendor_dir`` (npm packages) at ``/static/vendor``.

    The vendor mount comes first so that its longer prefix wins over ``/static``.
    """
    if vendor_dir is not None:
        app.mount("/static/vendor", StaticFiles(directory=vendor_dir), name="vendor")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


def create_app(settings: Settings | None = None, *, vendor_dir: Path | None = None) -> FastAPI:
    """Build the Beatwise web app for ``settings`` (default: the process's settings).

    Parameters
    ----------
    settings
        Where the data lives and which engine reads it; defaults to
        :func:`beatwise.config.get_settings`, read when the factory runs, never at import.
    vendor_dir
        A ``node_modules`` folder to serve at ``/static/vendor``; defaults to the source
        checkout's (see :func:`source_tree_node_modules`).

    Returns
    -------
    FastAPI
        The app; its startup migrates the app database and creates the warehouse tables.

    Examples
    --------
    >>> from beatwise.config import Settings
    >>> app = create_app(Settings(home="/tmp/beatwise-example"))
    >>> app.openapi_url
    '/api/v1/openapi.json'
    """
    settings = settings if settings is not None else get_settings()
    vendor_dir = vendor_dir if vendor_dir is not None else source_tree_node_modules()
    app = FastAPI(
        title="Beatwise",
        version=beatwise.__version__,
        summary="Open platform for community policing and engagement.",
        license_info={"name": "Apache-2.0", "identifier": "Apache-2.0"},
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.beatwise = WebContext(settings, make_templates(), vendor_dir)
    install_error_handlers(app)
    for module in (home, datasets, health, docs, compstat, compstat_api):
        app.include_router(module.router)
    mount_static(app, vendor_dir)
    return app
