"""The warehouse catalog as the web shows it: the home page's view and the API's payload.

Both are built from the same :func:`beatwise.warehouse.catalog.describe` result, so a figure on
the page and the one in ``/api/v1/datasets`` can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from beatwise.ingest.sources import SOURCES
from beatwise.warehouse.catalog import Dataset, SourceSpan
from beatwise.web.schemas import DatasetOut, DatasetsOut, SourceSpanOut


@dataclass(frozen=True)
class SourceView:
    """One source of a loaded table, with its span as local calendar dates.

    Dates are in the source's own time zone (``time_zone``), so a Toronto incident at 23:00 on
    31 December is shown on that day, not on 1 January in UTC; sources Beatwise does not know
    are shown in UTC.
    """

    source: str
    title: str
    rows: int
    first: date | None
    last: date | None
    time_zone: str


@dataclass(frozen=True)
class DatasetView:
    """A table that holds rows, as a card on the home page."""

    table: str
    description: str
    rows: int
    version: int | None
    sources: tuple[SourceView, ...]


@dataclass(frozen=True)
class Credit:
    """The attribution a source's licence asks for."""

    source: str
    title: str
    credit: str


@dataclass(frozen=True)
class HomePage:
    """Everything the home page shows, in display order."""

    loaded: tuple[DatasetView, ...]
    empty: tuple[str, ...]
    credits: tuple[Credit, ...]

    @property
    def versions(self) -> tuple[tuple[str, int], ...]:
        """``(table, Delta version)`` of every loaded table, for the footer."""
        return tuple((d.table, d.version) for d in self.loaded if d.version is not None)


def local_date(moment: datetime | None, time_zone: str) -> date | None:
    """The calendar date of ``moment`` in ``time_zone`` (naive times are taken as UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(time_zone)).date()


def source_view(span: SourceSpan) -> SourceView:
    """``span`` with its source's title and local dates (UTC for unknown sources)."""
    adapter = SOURCES.get(span.source)
    zone = adapter.time_zone if adapter else "UTC"
    return SourceView(
        source=span.source,
        title=adapter.title if adapter else span.source,
        rows=span.rows,
        first=local_date(span.first, zone),
        last=local_date(span.last, zone),
        time_zone=zone,
    )


def credits_for(datasets: Sequence[Dataset]) -> tuple[Credit, ...]:
    """The credit of every known source with rows in any table, each once, by name."""
    names = sorted({s.source for d in datasets for s in d.sources if s.rows})
    return tuple(
        Credit(source=name, title=SOURCES[name].title, credit=SOURCES[name].credit)
        for name in names
        if name in SOURCES
    )


def home_page(datasets: Sequence[Dataset]) -> HomePage:
    """The home page's view of ``datasets``: loaded tables as cards, empty ones by name."""
    loaded = tuple(
        DatasetView(
            table=d.table,
            description=d.description,
            rows=d.rows,
            version=d.version,
            sources=tuple(source_view(s) for s in d.sources),
        )
        for d in datasets
        if d.rows
    )
    empty = tuple(d.table for d in datasets if not d.rows)
    return HomePage(loaded=loaded, empty=empty, credits=credits_for(datasets))


def datasets_out(datasets: Sequence[Dataset]) -> DatasetsOut:
    """``datasets`` as the ``/api/v1/datasets`` payload (times stay exact, in UTC)."""
    return DatasetsOut(
        datasets=[
            DatasetOut(
                table=d.table,
                description=d.description,
                rows=d.rows,
                version=d.version,
                sources=[
                    SourceSpanOut(source=s.source, rows=s.rows, first=s.first, last=s.last)
                    for s in d.sources
                ],
            )
            for d in datasets
        ]
    )
