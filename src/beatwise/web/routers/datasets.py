"""``/api/v1/datasets``: the warehouse catalog as JSON."""

from __future__ import annotations

from fastapi import APIRouter

from beatwise.warehouse.catalog import describe
from beatwise.web.catalog import datasets_out
from beatwise.web.deps import EngineDep
from beatwise.web.schemas import DatasetsOut, ErrorOut

router = APIRouter(prefix="/api/v1", tags=["datasets"], responses={500: {"model": ErrorOut}})


@router.get("/datasets", response_model=DatasetsOut)
def list_datasets(engine: EngineDep) -> DatasetsOut:
    """Every canonical table: rows, Delta version and, per source, rows and event-time span.

    Times are UTC (ISO 8601). ``version`` is the Delta table version the figures were read
    from, so a report can name exactly the data it used.
    """
    return datasets_out(describe(engine))
