"""Pydantic models of the JSON API: what ``/api/v1`` returns, as documented in OpenAPI.

The models are the contract; presenters fill them from analysis results so the API and the
HTML pages show the same figures.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class SourceSpanOut(BaseModel):
    """Rows of one source in a table and the span of their event times (UTC, ISO 8601)."""

    source: str = Field(description="Source adapter name, e.g. 'toronto-mci'.")
    rows: int = Field(description="Rows from this source in the table's latest version.")
    first: datetime | None = Field(description="Earliest event time, or null when unknown.")
    last: datetime | None = Field(description="Latest event time, or null when unknown.")


class DatasetOut(BaseModel):
    """One canonical warehouse table as loaded."""

    table: str = Field(description="Canonical table name.")
    description: str
    rows: int = Field(description="Exact row count of the latest version.")
    version: int | None = Field(description="Delta table version the figures come from.")
    sources: list[SourceSpanOut]


class DatasetsOut(BaseModel):
    """Every canonical table, in the data model's order."""

    datasets: list[DatasetOut]


class ErrorDetail(BaseModel):
    """A machine-readable code and a human-readable message."""

    code: str = Field(description="Stable snake_case code, e.g. 'not_found'.")
    message: str
    details: list[dict[str, object]] | None = Field(
        default=None, description="Per-field problems of an invalid request."
    )


class ErrorOut(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


class CheckOut(BaseModel):
    """The outcome of one health check."""

    ok: bool
    detail: str


class HealthOut(BaseModel):
    """``/healthz``: whether the app can read both of its stores."""

    status: Literal["ok", "unavailable"]
    version: str
    checks: dict[str, CheckOut]
    error: ErrorDetail | None = None
