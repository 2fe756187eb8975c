"""``/``: what the warehouse holds, for people (the same figures as ``/api/v1/datasets``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from beatwise.warehouse.catalog import describe
from beatwise.web.catalog import home_page
from beatwise.web.deps import EngineDep, TemplatesDep

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False, name="home")
def home(request: Request, engine: EngineDep, templates: TemplatesDep) -> HTMLResponse:
    """The loaded datasets with their row counts, spans, data versions and credits."""
    page = home_page(describe(engine))
    return templates.TemplateResponse(request, "home/index.html", {"page": page, "active": "/"})
