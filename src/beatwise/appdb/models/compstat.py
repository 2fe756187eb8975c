"""CompStat follow-up: the action items a meeting gives a command, and every change of their status.

"Relentless follow-up" is the fourth CompStat principle: what the meeting asked of a command is
written down, with an owner and a due date, and the next report lists it with its outcome. The
owner is a **post**, not a person ("CO 11th Precinct", "Sgt., Robbery Squad"): commands outlive
the people in them, and the app database holds no more about people than it needs. Every status
change is kept in ``followup_status_changes``, so the record shows who moved an item, when and
why, and a report can be re-run as of any date.

The rules (which transitions are legal, that closing needs an outcome) live in
:mod:`beatwise.compstat.followup`; the check constraints here only stop a closed item without a
closing date or outcome from being written by any other path.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.orm import Mapped, mapped_column, relationship

from beatwise.appdb.base import Base


def _now() -> datetime:
    return datetime.now(UTC)


class FollowUpStatus(StrEnum):
    """Where an action item stands; ``done`` and ``dropped`` close it."""

    open = "open"
    in_progress = "in_progress"
    done = "done"
    dropped = "dropped"


CLOSED = frozenset({FollowUpStatus.done, FollowUpStatus.dropped})
"""The statuses that close an item: it then has an outcome and a closing date."""
_STATUS = SqlEnum(FollowUpStatus, native_enum=False, length=16, name="followup_status")
_CLOSED_SQL = "status IN ('done', 'dropped')"


class FollowUpItem(Base):
    """One action item from a CompStat meeting, for one geography and optionally one category."""

    __tablename__ = "followup_items"
    __table_args__ = (
        Index("ix_followup_items_place", "agency", "level", "geography"),
        CheckConstraint("due_on >= raised_on", name="due_not_before_raised"),
        CheckConstraint(
            f"NOT ({_CLOSED_SQL}) OR (closed_on IS NOT NULL AND outcome IS NOT NULL)",
            name="closed_has_outcome",
        ),
        CheckConstraint(f"{_CLOSED_SQL} OR closed_on IS NULL", name="open_not_closed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(64))
    """Geography level of the report: ``city``, ``district``, a boundary layer..."""
    geography: Mapped[str] = mapped_column(String(64))
    """The geography's id at that level (``citywide`` for the city)."""
    category: Mapped[str | None] = mapped_column(String(64))
    """Canonical category slug (``beatwise categories``), or NULL for the whole sheet."""
    request: Mapped[str] = mapped_column(Text)
    """What the meeting asked of the command."""
    owner: Mapped[str] = mapped_column(String(120))
    """The post that answers for the item (``CO 11th Precinct``), never a person's name."""
    raised_on: Mapped[date] = mapped_column(Date)
    """The date of the meeting that raised the item."""
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[FollowUpStatus] = mapped_column(_STATUS, default=FollowUpStatus.open)
    outcome: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=_now, onupdate=_now
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    history: Mapped[list[FollowUpStatusChange]] = relationship(
        back_populates="item",
        order_by="FollowUpStatusChange.id",
        cascade="all, delete-orphan",
    )


class FollowUpStatusChange(Base):
    """One change of an item's status: who made it, when, from what to what, and why.

    ``changed_on`` is the date the change takes effect (the meeting, or the day the work
    finished) and decides the status "as of" a report date; ``recorded_at`` is when it was
    entered. The first row of
    every item has no ``from_status``: it is the item being raised.
    """

    __tablename__ = "followup_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("followup_items.id", ondelete="CASCADE"), index=True
    )
    changed_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[FollowUpStatus | None] = mapped_column(_STATUS)
    to_status: Mapped[FollowUpStatus] = mapped_column(_STATUS)
    note: Mapped[str | None] = mapped_column(Text)

    item: Mapped[FollowUpItem] = relationship(back_populates="history")
