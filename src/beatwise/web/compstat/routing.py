"""CompStat's request errors as responses: JSON for the API, the page with the problem for people.

A route class catches the errors the presenters raise with messages meant for users, so the
route handlers hold no ``try`` blocks: a parameter that names nothing loaded is 422 naming the
parameter and listing what is loaded, no data at all is 404 saying how to load some, a follow-up
change the rules refuse is 422 with the rule, and an unknown follow-up item is 404.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from beatwise.compstat.followup import FollowUpError
from beatwise.warehouse.engines import Engine
from beatwise.web.compstat.resolve import NothingLoadedError, ParameterError
from beatwise.web.deps import Cubes, CubesDep, EngineDep, SessionDep, TemplatesDep, get_context
from beatwise.web.errors import error_response

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


@dataclass(frozen=True)
class Needs:
    """What every CompStat route reads and writes with."""

    engine: Engine
    cubes: Cubes
    session: Session
    templates: Jinja2Templates


def needs(
    engine: EngineDep, cubes: CubesDep, session: SessionDep, templates: TemplatesDep
) -> Needs:
    """The warehouse engine, cube cache, app-database session and templates of a request."""
    return Needs(engine, cubes, session, templates)


NeedsDep = Annotated[Needs, Depends(needs)]


class UnknownItemError(LookupError):
    """A follow-up item id that does not exist (HTTP 404)."""


def problem(exc: Exception) -> tuple[int, str, list[dict[str, object]] | None]:
    """The status, message and details of a CompStat request error."""
    if isinstance(exc, ParameterError):
        return HTTPStatus.UNPROCESSABLE_ENTITY, exc.message, exc.details()
    if isinstance(exc, FollowUpError):
        return HTTPStatus.UNPROCESSABLE_ENTITY, str(exc), None
    return HTTPStatus.NOT_FOUND, str(exc.args[0]) if exc.args else str(exc), None


USER_ERRORS = (ParameterError, NothingLoadedError, FollowUpError, UnknownItemError)


class ApiRoute(APIRoute):
    """An API route whose user errors become the JSON error shape (422 or 404)."""

    def get_route_handler(self) -> Handler:
        """The default handler, with CompStat's user errors answered in JSON."""
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except USER_ERRORS as exc:
                status, message, details = problem(exc)
                return error_response(status, message, details=details)

        return answer


class PageRoute(APIRoute):
    """A page route whose user errors become the CompStat page showing the problem."""

    def get_route_handler(self) -> Handler:
        """The default handler, with CompStat's user errors shown on the page."""
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except USER_ERRORS as exc:
                status, message, details = problem(exc)
                templates = get_context(request).templates
                context = {"page": None, "problem": message, "details": details or []}
                return templates.TemplateResponse(
                    request, "compstat/page.html", {**context, **page_globals(request)}, status
                )

        return answer


SCRIPT_PACKAGES = ("htmx.org", "vega", "vega-lite", "vega-embed", "maplibre-gl")
"""The npm packages the page's scripts load; without them the page is served without scripts."""


def page_globals(request: Request) -> dict[str, object]:
    """What every CompStat page template needs besides its view: the nav and the scripts.

    Without the front-end packages (an installed wheel, no ``npm ci``) the page still works:
    the pickers and forms are plain HTML forms; only the charts and the map are missing.
    """
    vendor = get_context(request).vendor_dir
    scripts = vendor is not None and all((vendor / name).is_dir() for name in SCRIPT_PACKAGES)
    return {"active": "/compstat", "scripts": scripts, "fragment": False}
