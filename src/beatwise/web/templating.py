"""The Jinja2 environment of the web app: strict, autoescaped, with Beatwise's filters.

``StrictUndefined`` turns a misspelt variable into an error that tests catch, instead of an
empty cell a reader might take for a zero.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import jinja2
from fastapi.templating import Jinja2Templates

import beatwise

TEMPLATES_DIR = Path(__file__).parent / "templates"

NAVIGATION: tuple[tuple[str, str], ...] = (
    ("Home", "/"),
    ("CompStat", "/compstat"),
    ("API", "/api/v1/docs"),
)
"""``(label, path)`` of the navigation bar's links, in order."""


def thousands(value: int) -> str:
    """``240992`` -> ``"240,992"``: counts are read, not decoded."""
    return f"{value:,}"


def iso_date(value: date | None) -> str:
    """A date as ``YYYY-MM-DD`` (unambiguous everywhere), or an en dash when unknown."""
    return "\u2013" if value is None else value.isoformat()


def make_templates() -> Jinja2Templates:
    """Templates from ``web/templates`` with the filters and globals every page uses."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["thousands"] = thousands
    env.filters["iso_date"] = iso_date
    env.globals["beatwise_version"] = beatwise.__version__
    env.globals["navigation"] = NAVIGATION
    return Jinja2Templates(env=env)
