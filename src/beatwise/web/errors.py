"""Errors as JSON ``{"error": {"code": ..., "message": ...}}``, never a stack trace.

Clients of the API (and later htmx fragments) get one shape for every failure; unexpected
exceptions become a bare 500 whose details stay in the server log, so paths, SQL and data never
reach a client.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from beatwise.web.schemas import ErrorDetail, ErrorOut


def error_code(status: int) -> str:
    """The snake_case code of an HTTP status, e.g. 404 -> ``not_found``."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return "error"
    return phrase.lower().replace(" ", "_").replace("-", "_").replace("'", "")


def error_response(
    status: int,
    message: str,
    *,
    details: list[dict[str, object]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A JSON error response in the documented shape."""
    body = ErrorOut(error=ErrorDetail(code=error_code(status), message=message, details=details))
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True), status_code=status, headers=headers
    )


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    """Routing and handler errors (404, 405, 503 ...) with their status and headers."""
    if not isinstance(exc, StarletteHTTPException):  # pragma: no cover - registered for it only
        raise exc
    message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == HTTPStatus.NOT_FOUND and message == HTTPStatus.NOT_FOUND.phrase:
        message = f"nothing here: {request.url.path}"
    return error_response(exc.status_code, message, headers=exc.headers)


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """An invalid request: 422 with where and what, but not the submitted values."""
    if not isinstance(exc, RequestValidationError):  # pragma: no cover - registered for it only
        raise exc
    details: list[dict[str, object]] = [
        {"loc": list(jsonable_encoder(err.get("loc", ()))), "msg": str(err.get("msg", ""))}
        for err in exc.errors()
    ]
    return error_response(
        HTTPStatus.UNPROCESSABLE_ENTITY, "the request is not valid", details=details
    )


async def internal_error(request: Request, exc: Exception) -> JSONResponse:
    """Anything unexpected: a bare 500; the traceback goes to the server log only."""
    return error_response(
        HTTPStatus.INTERNAL_SERVER_ERROR, "an unexpected error occurred; it has been logged"
    )


def install_error_handlers(app: FastAPI) -> None:
    """Route every error ``app`` can raise through the JSON handlers above.

    Starlette calls the ``Exception`` handler from its outermost middleware and then re-raises,
    so uvicorn still logs the traceback while the client sees only the JSON body.
    """
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, internal_error)
