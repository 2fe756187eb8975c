"""``/api/v1/docs``: Swagger UI served from ``node_modules``, never from a CDN.

FastAPI's built-in docs page loads Swagger UI from jsDelivr, which breaks offline and leaks
visits to a third party; this page uses the ``swagger-ui-dist`` npm package instead.
"""

from __future__ import annotations

from http import HTTPStatus

from fastapi import APIRouter, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from beatwise.web.deps import get_context

router = APIRouter(include_in_schema=False)

SWAGGER = "/static/vendor/swagger-ui-dist"


@router.get("/api/v1/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The interactive API reference, or 503 when the front-end packages are not installed."""
    vendor_dir = get_context(request).vendor_dir
    if vendor_dir is None or not (vendor_dir / "swagger-ui-dist").is_dir():
        raise HTTPException(
            HTTPStatus.SERVICE_UNAVAILABLE,
            "the API reference page needs the front-end packages (run 'npm ci' in the source "
            "checkout); the OpenAPI document is at /api/v1/openapi.json",
        )
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title="Beatwise API",
        swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER}/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
        oauth2_redirect_url=None,
    )
