"""Health checks: can this app read the warehouse and the app database right now?

``/healthz`` is what a load balancer or ``systemd`` probe asks, so each check opens a fresh
connection instead of trusting a pooled one that may outlive the store behind it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from beatwise.appdb.session import make_engine
from beatwise.config import Settings
from beatwise.warehouse import Warehouse


@dataclass(frozen=True)
class Check:
    """The outcome of one check: ``detail`` says what was seen, or what went wrong."""

    name: str
    ok: bool
    detail: str


def describe_error(exc: BaseException) -> str:
    """The exception's type and the first line of its message (no traceback, no SQL)."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else 'no message'}"


def check_warehouse(settings: Settings) -> Check:
    """Read every table's Delta log; a table missing since startup is a failure."""
    try:
        statuses = Warehouse(settings.warehouse_dir).statuses()
    except Exception as exc:  # any failure to read the store means "unhealthy", not a 500
        return Check("warehouse", False, describe_error(exc))
    missing = [s.name for s in statuses if s.version is None]
    if missing:
        return Check("warehouse", False, f"tables missing: {', '.join(missing)}")
    return Check("warehouse", True, f"{len(statuses)} tables readable")


def check_app_db(settings: Settings) -> Check:
    """Run ``SELECT 1`` on a new connection to the app database."""
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect means "unhealthy", not a 500
        return Check("app_db", False, describe_error(exc))
    finally:
        engine.dispose()
    return Check("app_db", True, f"{engine.dialect.name} answers")


def run_checks(settings: Settings) -> tuple[Check, ...]:
    """Every health check, in a fixed order."""
    return (check_warehouse(settings), check_app_db(settings))
