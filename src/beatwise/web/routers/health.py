"""``/healthz``: 200 when both stores can be read, else 503 naming what failed."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import APIRouter
from fastapi.responses import JSONResponse

import beatwise
from beatwise.web.deps import SettingsDep
from beatwise.web.errors import error_code
from beatwise.web.health import Check, run_checks
from beatwise.web.schemas import CheckOut, ErrorDetail, HealthOut

router = APIRouter(tags=["health"])


def health_out(checks: tuple[Check, ...]) -> HealthOut:
    """The body of ``/healthz``; failed checks are also summed up in ``error``."""
    failed = [c for c in checks if not c.ok]
    error = None
    if failed:
        message = "; ".join(f"{c.name}: {c.detail}" for c in failed)
        error = ErrorDetail(code=error_code(HTTPStatus.SERVICE_UNAVAILABLE), message=message)
    return HealthOut(
        status="unavailable" if failed else "ok",
        version=beatwise.__version__,
        checks={c.name: CheckOut(ok=c.ok, detail=c.detail) for c in checks},
        error=error,
    )


@router.get(
    "/healthz",
    response_model=HealthOut,
    responses={HTTPStatus.SERVICE_UNAVAILABLE.value: {"model": HealthOut}},
)
def healthz(settings: SettingsDep) -> JSONResponse:
    """Whether the warehouse and the app database can be read now (fresh connections)."""
    body = health_out(run_checks(settings))
    status = HTTPStatus.OK if body.status == "ok" else HTTPStatus.SERVICE_UNAVAILABLE
    return JSONResponse(body.model_dump(mode="json", exclude_none=True), status_code=status)
