"""The follow-up block under a CompStat sheet, and the forms that add and move its items.

The items listed are :func:`beatwise.compstat.followup.items_for_report` for the sheet's
geography and as-of date: open ones (overdue flagged), then those closed in the report week
with their outcome. Every change goes through :mod:`beatwise.compstat.followup`, so the page
keeps the same rules as the CLI (legal moves, an outcome to close, a history in order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qsl

from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import Session

from beatwise.appdb.models.compstat import FollowUpItem, FollowUpStatus
from beatwise.compstat.followup import (
    TRANSITIONS,
    FollowUp,
    ReportFollowUps,
    ReportItem,
    add_item,
    items_for_report,
    update_status,
)
from beatwise.compstat.report import Report
from beatwise.compstat.rows import RowSet
from beatwise.datamodel.taxonomy import CATEGORIES

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"


def status_label(status: FollowUpStatus) -> str:
    """``in_progress`` → ``In progress``."""
    return status.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class ItemView:
    """One item as the page lists it, with the moves its status allows."""

    id: int
    request: str
    category: str | None
    owner: str
    raised_on: date
    due_on: date
    status: str
    status_label: str
    overdue: bool
    days_overdue: int
    outcome: str | None
    closed_on: date | None
    moves: tuple[tuple[str, str], ...]
    """``(status, label)`` of every status the item may move to now (none once closed)."""


def item_view(entry: ReportItem) -> ItemView:
    """The page's view of an item as the report lists it."""
    item = entry.item
    category = CATEGORIES.get(item.category) if item.category else None
    moves = TRANSITIONS.get(item.status, ())
    return ItemView(
        id=item.id,
        request=item.request,
        category=category.label if category else None,
        owner=item.owner,
        raised_on=item.raised_on,
        due_on=item.due_on,
        status=item.status.value,
        status_label=status_label(item.status),
        overdue=entry.overdue,
        days_overdue=entry.days_overdue,
        outcome=item.outcome,
        closed_on=item.closed_on,
        moves=tuple((m.value, status_label(m)) for m in moves),
    )


@dataclass(frozen=True)
class Feedback:
    """What the last follow-up form did, or why it was refused (with the fields to refill)."""

    message: str | None = None
    error: str | None = None
    form: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FollowUpBlock:
    """The follow-up section of one sheet: its items, and what the forms need."""

    agency: str
    level: str
    geography: str
    as_of: date
    open: tuple[ItemView, ...]
    closed: tuple[ItemView, ...]
    categories: tuple[tuple[str, str], ...]
    """``(slug, label)`` of the sheet's rows, for the new item's category picker."""
    feedback: Feedback


def followup_block(
    session: Session,
    place: tuple[str, str, str],
    as_of: date,
    rows: RowSet,
    feedback: Feedback | None = None,
) -> FollowUpBlock:
    """The block for ``place`` (agency, level, geography) on the report dated ``as_of``."""
    agency, level, geography = place
    listed = items_for_report(session, agency, level, [geography], as_of)
    return FollowUpBlock(
        agency=agency,
        level=level,
        geography=geography,
        as_of=as_of,
        open=tuple(item_view(i) for i in listed.open),
        closed=tuple(item_view(i) for i in listed.closed),
        categories=tuple((r.category, r.label) for r in rows.rows),
        feedback=feedback or Feedback(),
    )


def blank_to_none(value: object) -> object:
    """An empty form field is a missing value, not an empty text or date."""
    return None if isinstance(value, str) and not value.strip() else value


class NewItem(BaseModel):
    """A new action item, from the page's form or the API's JSON body."""

    agency: str | None = Field(default=None, description="Agency (default: the one loaded).")
    level: str = Field(description="Report level: city, district, a boundary layer...")
    geography: str = Field(description="Geography id at that level ('citywide' for the city).")
    request: str = Field(description="What the meeting asked of the command.")
    owner: str = Field(description="The post that answers for it, never a person's name.")
    raised_on: date = Field(description="The meeting's date.")
    due_on: date = Field(description="The due date (not before the meeting).")
    category: str | None = Field(default=None, description="Category slug, name or alias.")

    @field_validator("agency", "category", mode="before")
    @classmethod
    def blank_is_none(cls, value: object) -> object:
        """Empty optional fields (as a form sends them) are not given."""
        return blank_to_none(value)

    def add(self, session: Session, agency: str) -> FollowUp:
        """Record the item for ``agency`` (as loaded); :class:`FollowUpError` when refused."""
        return add_item(
            session,
            agency=agency,
            level=self.level,
            geography=self.geography,
            request=self.request,
            owner=self.owner,
            raised_on=self.raised_on,
            due_on=self.due_on,
            category=self.category,
        )


class StatusMove(BaseModel):
    """A change of an item's status, from the page's form or the API's JSON body."""

    status: str = Field(description="open, in_progress, done or dropped.")
    outcome: str | None = Field(default=None, description="What came of it (to close).")
    note: str | None = Field(default=None, description="Progress note (other moves).")
    on: date | None = Field(default=None, description="The day it took effect (default today).")

    @field_validator("outcome", "note", "on", mode="before")
    @classmethod
    def blank_is_none(cls, value: object) -> object:
        """Empty optional fields (as a form sends them) are not given."""
        return blank_to_none(value)

    def apply(self, session: Session, item_id: int) -> FollowUp:
        """Move item ``item_id``; :class:`FollowUpError` when the move is refused."""
        return update_status(
            session, item_id, self.status, outcome=self.outcome, note=self.note, on=self.on
        )


def report_followups(session: Session, report: Report) -> ReportFollowUps:
    """The follow-up items ``report`` lists: every geography's, as of its date."""
    return items_for_report(
        session, report.agency, report.level, report.geographies, report.calendar.as_of
    )


def item_exists(session: Session, item_id: int) -> bool:
    """Whether follow-up item ``item_id`` exists (a missing one is a 404, not a 422)."""
    return session.get(FollowUpItem, item_id) is not None


def parse_form(body: bytes) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body as a dict (the last value of a name wins).

    The page's forms send only short text fields, so the standard library's parser is all
    that is needed (no multipart support, no extra dependency).
    """
    return dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
