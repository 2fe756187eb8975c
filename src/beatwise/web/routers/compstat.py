"""``/compstat``: the CompStat page, its htmx fragments and its follow-up forms (staff only).

Every route here is behind :func:`beatwise.web.auth.staff_only` and writes one audit entry.
The page works without JavaScript (a GET form; POST forms answered with a redirect, or the page
again with the reason when refused); with htmx the pickers swap the page's view and the
follow-up forms swap the follow-up block in place.
"""

from __future__ import annotations

from datetime import date
from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from beatwise.compstat.cube import CITY
from beatwise.web.audit import audit_target, record_access
from beatwise.web.auth import staff_only
from beatwise.web.compstat.actions import FormResult, add_from_form, move_from_form
from beatwise.web.compstat.followups import FORM_MEDIA_TYPE, parse_form
from beatwise.web.compstat.page import compstat_page, method_text, page_url
from beatwise.web.compstat.resolve import Asked
from beatwise.web.compstat.routing import Needs, NeedsDep, PageRoute, page_globals

router = APIRouter(
    dependencies=[Depends(staff_only)], include_in_schema=False, route_class=PageRoute
)


def asked_on_page(
    *,
    as_of: Annotated[date | None, Query(description="Report date (default: last Sunday).")] = None,
    level: Annotated[str, Query(description="Geography level.")] = CITY,
    geography: Annotated[str | None, Query(description="Geography id at that level.")] = None,
    agency: Annotated[str | None, Query(description="Agency, when several are loaded.")] = None,
    row: Annotated[str | None, Query(description="Row the trend follows.")] = None,
    period: Annotated[str | None, Query(description="Drill-down period.")] = None,
) -> Asked:
    """The page's query parameters (the pickers); empty ones count as not given."""
    return Asked(
        as_of, level or CITY, geography or None, agency or None, row or None, period or None
    )


def is_htmx(request: Request) -> bool:
    """Whether htmx asked for a fragment (a history restore wants the whole page)."""
    headers = request.headers
    restoring = headers.get("hx-history-restore-request") == "true"
    return headers.get("hx-request") == "true" and not restoring


@router.get("/compstat", response_class=HTMLResponse, name="compstat")
def compstat(
    request: Request, asked: Annotated[Asked, Depends(asked_on_page)], use: NeedsDep
) -> Response:
    """The CompStat page (or, for htmx, its view): pickers, sheet, follow-up items."""
    page = compstat_page(use.engine, use.cubes, use.session, asked)
    picked = page.pickers
    record_access(
        use.session,
        request,
        "compstat.view",
        audit_target(picked.agency, picked.level, picked.geography),
        {
            "as_of": picked.as_of.isoformat(),
            "format": "html",
            "row": page.around.row,
            "period": page.around.period,
            "data_version": page.versions,
        },
    )
    fragment = is_htmx(request)
    name = "compstat/view.html" if fragment else "compstat/page.html"
    context = {**page_globals(request), "page": page, "fragment": fragment}
    return use.templates.TemplateResponse(request, name, context)


@router.get("/compstat/methods/{name}", response_class=PlainTextResponse)
def method(name: str) -> PlainTextResponse:
    """A method page the CompStat page links to (Markdown, shown as text)."""
    text = method_text(name)
    if text is None:
        return PlainTextResponse(
            f"no method page {name!r} here: the method pages are docs/methods/*.md in the "
            "Beatwise source",
            status_code=HTTPStatus.NOT_FOUND,
        )
    return PlainTextResponse(text)


async def form_fields(request: Request) -> dict[str, str]:
    """The fields of a URL-encoded form post (the only kind the page sends)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != FORM_MEDIA_TYPE:
        return {}
    return parse_form(await request.body())


FormDep = Annotated[dict[str, str], Depends(form_fields)]


def answer_form(request: Request, use: Needs, action: str, result: FormResult) -> Response:
    """Audit a follow-up form, then answer it.

    htmx gets the follow-up block (422 when refused, which the page lets htmx swap in); a
    browser without JavaScript is sent back to the page, or shown it again with the reason.
    """
    chosen = result.chosen
    detail: dict[str, object] = {
        "as_of": chosen.as_of.isoformat(),
        "item": result.changed.id if result.changed else None,
        "refused": result.refused,
        "data_version": chosen.version.as_json(),
    }
    target = audit_target(chosen.agency, result.asked.level, result.asked.geography)
    record_access(use.session, request, action, target, detail)
    status = HTTPStatus.UNPROCESSABLE_ENTITY if result.refused else HTTPStatus.OK
    if is_htmx(request):
        context = {"block": result.block, **page_globals(request)}
        return use.templates.TemplateResponse(
            request, "compstat/followup_block.html", context, status
        )
    if result.refused is None:
        return RedirectResponse(page_url(result.asked, "#followup"), HTTPStatus.SEE_OTHER)
    feedback = result.block.feedback
    page = compstat_page(use.engine, use.cubes, use.session, result.asked, feedback)
    context = {"page": page, **page_globals(request)}
    return use.templates.TemplateResponse(request, "compstat/page.html", context, status)


@router.post("/compstat/followup", response_class=HTMLResponse)
def add_followup(request: Request, form: FormDep, use: NeedsDep) -> Response:
    """Add a follow-up item to the sheet the form was shown under."""
    result = add_from_form(use.engine, use.cubes, use.session, form)
    return answer_form(request, use, "compstat.followup.add", result)


@router.post("/compstat/followup/{item_id}/status", response_class=HTMLResponse)
def move_followup(request: Request, item_id: int, form: FormDep, use: NeedsDep) -> Response:
    """Change a follow-up item's status (with an outcome to close it)."""
    result = move_from_form(use.engine, use.cubes, use.session, item_id, form)
    return answer_form(request, use, "compstat.followup.update", result)
