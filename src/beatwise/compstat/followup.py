"""CompStat follow-up: record what a meeting asked of a command, and list it on the next report.

"Relentless follow-up and assessment" is the fourth of CompStat's principles (J. Maple with
C. Mitchell, *The Crime Fighter*, 1999): every action item has a request, an owning post, a
due date and a status, and the next weekly report lists it with its outcome. These
functions are the only way items change, so the rules hold for the CLI, the web app and
scripts alike:

- an item is raised ``open``; it may move to ``in_progress``, and from either to ``done`` or
  ``dropped``; closed items are final (a problem that comes back is a new item, so the first
  one's outcome stays on the record);
- closing needs an outcome (what was done, or why the item was dropped);
- every change is kept in the status history with who, the date it took effect, from, to and
  a note, so a report re-run for an earlier date shows each item as it stood then.

The functions work inside the caller's transaction (they flush, never commit) and return frozen
dataclasses, not ORM objects. Bad input raises :class:`FollowUpError` with the fix in its text.

Examples
--------
>>> from datetime import date
>>> from sqlalchemy import create_engine
>>> from sqlalchemy.orm import Session
>>> from beatwise.appdb.base import Base
>>> engine = create_engine("sqlite://")
>>> Base.metadata.create_all(engine)
>>> with Session(engine) as session:
...     item = add_item(session, agency="TPS", level="division", geography="D14",
...                     request="Robbery pattern near the subway: plan by next week",
...                     owner="Unit Commander, 14 Division", raised_on=date(2019, 6, 17),
...                     due_on=date(2019, 6, 24), category="mugging")
...     _ = update_status(session, item.id, "done", outcome="Two arrests; patrol added",
...                       on=date(2019, 6, 21))
...     listed = items_for_report(session, "TPS", "division", ["D14"], date(2019, 6, 23))
>>> [(i.item.category, i.item.status.value, i.overdue) for i in listed.items]
[('robbery', 'done', False)]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from beatwise.appdb.models.compstat import (
    CLOSED,
    FollowUpItem,
    FollowUpStatus,
    FollowUpStatusChange,
)
from beatwise.datamodel.taxonomy import CATEGORIES, resolve_category

REPORT_WEEK = timedelta(days=7)
TRANSITIONS: dict[FollowUpStatus, tuple[FollowUpStatus, ...]] = {
    FollowUpStatus.open: (FollowUpStatus.in_progress, FollowUpStatus.done, FollowUpStatus.dropped),
    FollowUpStatus.in_progress: (FollowUpStatus.done, FollowUpStatus.dropped),
}
"""The legal moves from each open status; done and dropped are final."""


class FollowUpError(ValueError):
    """Follow-up input that is refused; the message says what is wrong and how to fix it."""


@dataclass(frozen=True)
class StatusChange:
    """One row of an item's status history."""

    changed_on: date
    recorded_at: datetime
    user_id: int | None
    from_status: FollowUpStatus | None
    to_status: FollowUpStatus
    note: str | None

    def as_json(self) -> dict[str, Any]:
        """The change as JSON: its fields by name, dates as ISO strings."""
        return _fields_json(self)


@dataclass(frozen=True)
class FollowUp:
    """An action item with its whole status history."""

    id: int
    agency: str
    level: str
    geography: str
    category: str | None
    request: str
    owner: str
    raised_on: date
    due_on: date
    status: FollowUpStatus
    outcome: str | None
    closed_on: date | None
    created_by: int | None
    history: tuple[StatusChange, ...]

    def as_at(self, day: date) -> FollowUp:
        """The item as it stood at the end of ``day``: later changes are not known yet."""
        known = tuple(c for c in self.history if c.changed_on <= day)
        status = known[-1].to_status if known else FollowUpStatus.open
        closed = status in CLOSED
        return replace(
            self,
            status=status,
            outcome=self.outcome if closed else None,
            closed_on=self.closed_on if closed else None,
            history=known,
        )

    def as_json(self) -> dict[str, Any]:
        """The item as JSON, with the category's label and every status change."""
        category = CATEGORIES.get(self.category) if self.category else None
        return {**_fields_json(self), "category_label": category.label if category else None}


@dataclass(frozen=True)
class ReportItem:
    """An item as a report dated ``as_of`` lists it, and how late it is then."""

    item: FollowUp
    overdue: bool
    """Still open at the as-of date and past its due date."""
    days_overdue: int

    def as_json(self) -> dict[str, Any]:
        """The item's JSON with ``overdue`` and ``days_overdue``."""
        return {**self.item.as_json(), "overdue": self.overdue, "days_overdue": self.days_overdue}


@dataclass(frozen=True)
class ReportFollowUps:
    """The follow-up block of a report: items open at ``as_of``, then those closed that week."""

    as_of: date
    items: tuple[ReportItem, ...]

    @property
    def closed_after(self) -> date:
        """Items closed after this day (the previous report's date) are listed as closed."""
        return self.as_of - REPORT_WEEK

    @property
    def open(self) -> tuple[ReportItem, ...]:
        """Items still open (or in progress) at the as-of date, earliest due first."""
        return tuple(i for i in self.items if i.item.status not in CLOSED)

    @property
    def closed(self) -> tuple[ReportItem, ...]:
        """Items closed in the report week, with their outcome."""
        return tuple(i for i in self.items if i.item.status in CLOSED)

    def for_geography(self, geography: str) -> ReportFollowUps:
        """The items of one geography's sheet."""
        return replace(self, items=tuple(i for i in self.items if i.item.geography == geography))

    def as_json(self) -> dict[str, Any]:
        """``{"as_of", "closed_after", "open": [...], "closed": [...]}``."""
        return {
            "as_of": self.as_of.isoformat(),
            "closed_after": self.closed_after.isoformat(),
            "open": [i.as_json() for i in self.open],
            "closed": [i.as_json() for i in self.closed],
        }


def add_item(
    session: Session,
    *,
    agency: str,
    level: str,
    geography: str,
    request: str,
    owner: str,
    raised_on: date,
    due_on: date,
    category: str | None = None,
    user_id: int | None = None,
) -> FollowUp:
    """Record an action item raised at the meeting of ``raised_on``; it starts ``open``.

    ``owner`` is the post that answers for it ("CO 11th Precinct"), not a person's name.
    ``category`` is a canonical name or any alias (``beatwise categories``).
    """
    fields = _texts(agency=agency, level=level, geography=geography, owner=owner, request=request)
    if due_on < raised_on:
        raise FollowUpError(
            f"due date {due_on} is before the meeting date {raised_on}; give a due date on or "
            "after the meeting"
        )
    item = FollowUpItem(
        **fields,
        category=_category_slug(category),
        raised_on=raised_on,
        due_on=due_on,
        status=FollowUpStatus.open,
        created_by=user_id,
    )
    item.history.append(
        FollowUpStatusChange(changed_on=raised_on, user_id=user_id, to_status=FollowUpStatus.open)
    )
    session.add(item)
    session.flush()
    return _snapshot(item)


def update_status(
    session: Session,
    item_id: int,
    status: FollowUpStatus | str,
    *,
    outcome: str | None = None,
    note: str | None = None,
    on: date | None = None,
    user_id: int | None = None,
) -> FollowUp:
    """Move item ``item_id`` to ``status`` on day ``on`` (default today), keeping the history.

    Closing (``done`` or ``dropped``) needs an ``outcome``; other moves take a ``note`` instead.
    A change cannot be dated before the item's last change, so the history reads in order.
    """
    item = session.get(FollowUpItem, item_id)
    if item is None:
        raise FollowUpError(f"no follow-up item {item_id}; 'beatwise followup list' shows the ids")
    target = parse_status(status)
    day = on or date.today()
    _check_transition(item, target, outcome, day)
    item.history.append(
        FollowUpStatusChange(
            changed_on=day,
            user_id=user_id,
            from_status=item.status,
            to_status=target,
            note=_blank_to_none(note),
        )
    )
    item.status = target
    if target in CLOSED:
        item.outcome = _blank_to_none(outcome)
        item.closed_on = day
    session.flush()
    return _snapshot(item)


def list_items(
    session: Session,
    agency: str,
    *,
    level: str | None = None,
    geography: str | None = None,
    status: FollowUpStatus | str | None = None,
    due_before: date | None = None,
    category: str | None = None,
) -> tuple[FollowUp, ...]:
    """An agency's items, earliest due first, narrowed by any filter given.

    ``agency`` matches in any case; ``due_before`` keeps items due strictly before that day;
    ``category`` takes a canonical name or an alias.
    """
    wanted = [
        (FollowUpItem.level, level),
        (FollowUpItem.geography, geography),
        (FollowUpItem.status, None if status is None else parse_status(status)),
        (FollowUpItem.category, _category_slug(category)),
    ]
    query = _for_agency(agency).where(*(c == v for c, v in wanted if v is not None))
    if due_before is not None:
        query = query.where(FollowUpItem.due_on < due_before)
    items = session.scalars(query.order_by(FollowUpItem.due_on, FollowUpItem.id))
    return tuple(_snapshot(item) for item in items)


def items_for_report(
    session: Session, agency: str, level: str, geography_ids: Iterable[str], as_of: date
) -> ReportFollowUps:
    """The follow-up block of the report dated ``as_of`` for these geographies of ``level``.

    Lists the items open at ``as_of`` (raised by then and not closed by then), overdue ones
    flagged, then the items closed in the week since the previous report (after ``as_of`` − 7
    days, up to ``as_of``) with their outcome. Each item is shown as it stood at ``as_of``, so
    re-running an old report gives the same list; items closed earlier are left off.
    """
    since = as_of - REPORT_WEEK
    query = _for_agency(agency).where(
        FollowUpItem.level == level,
        FollowUpItem.geography.in_(list(geography_ids)),
        FollowUpItem.raised_on <= as_of,
        or_(FollowUpItem.closed_on.is_(None), FollowUpItem.closed_on > since),
    )
    listed = []
    for found in session.scalars(query):
        item = _snapshot(found).as_at(as_of)
        late = (as_of - item.due_on).days if item.status not in CLOSED else 0
        listed.append(ReportItem(item, overdue=late > 0, days_overdue=max(late, 0)))
    listed.sort(key=_report_order)
    return ReportFollowUps(as_of, tuple(listed))


def parse_status(status: FollowUpStatus | str) -> FollowUpStatus:
    """``status`` as a :class:`FollowUpStatus` (``in progress`` and ``In-Progress`` work too)."""
    try:
        return FollowUpStatus(str(status).strip().lower().replace(" ", "_").replace("-", "_"))
    except ValueError:
        choices = ", ".join(s.value for s in FollowUpStatus)
        raise FollowUpError(f"unknown status {status!r}; use one of {choices}") from None


def _check_transition(
    item: FollowUpItem, target: FollowUpStatus, outcome: str | None, day: date
) -> None:
    """Refuse an illegal move, a close without outcome, an outcome without close, a past date."""
    where = f"item {item.id}"
    if item.status in CLOSED:
        raise FollowUpError(
            f"{where} is {item.status.value}, and closed items are final; if the problem is back, "
            "raise a new item (beatwise followup add)"
        )
    if target not in TRANSITIONS[item.status]:
        allowed = ", ".join(TRANSITIONS[item.status])
        raise FollowUpError(
            f"{where} cannot move from {item.status.value} to {target.value}; from "
            f"{item.status.value} it can move to {allowed}"
        )
    if target in CLOSED and _blank_to_none(outcome) is None:
        raise FollowUpError(
            f"{where}: closing it as {target.value} needs an outcome: what was done and what "
            "came of it, or why it was dropped"
        )
    if target not in CLOSED and outcome is not None:
        raise FollowUpError(
            f"{where}: an outcome is written when the item is closed (done or dropped); record "
            "progress on the way in a note"
        )
    last = item.history[-1].changed_on if item.history else item.raised_on
    if day < last:
        raise FollowUpError(
            f"{where}: the change is dated {day}, before its last change on {last}; date it on "
            "or after that day"
        )


def _texts(**values: str) -> dict[str, str]:
    """The values stripped, refusing blank ones and ones too long for their column."""
    cleaned = {}
    for name, value in values.items():
        text = value.strip()
        if not text:
            raise FollowUpError(f"the {name} is empty; every item needs one")
        limit = getattr(FollowUpItem.__table__.c[name].type, "length", None)
        if limit is not None and len(text) > limit:
            raise FollowUpError(f"the {name} is {len(text)} characters long; keep it to {limit}")
        cleaned[name] = text
    return cleaned


def _category_slug(name: str | None) -> str | None:
    if name is None:
        return None
    try:
        return resolve_category(name).slug
    except KeyError as exc:
        raise FollowUpError(str(exc.args[0])) from None


def _blank_to_none(text: str | None) -> str | None:
    stripped = (text or "").strip()
    return stripped or None


def _for_agency(agency: str) -> Select[FollowUpItem]:
    """Items of ``agency`` (any case), with their history loaded in one more query."""
    return (
        select(FollowUpItem)
        .options(selectinload(FollowUpItem.history))
        .where(func.lower(FollowUpItem.agency) == agency.strip().lower())
    )


def _report_order(entry: ReportItem) -> tuple[bool, date, int]:
    """Open items first by due date, then closed ones by closing date."""
    item = entry.item
    return (item.closed_on is not None, item.closed_on or item.due_on, item.id)


def _fields_json(record: StatusChange | FollowUp) -> dict[str, Any]:
    """A record's fields by name, as JSON values (ISO dates, status values, nested records)."""
    return {f.name: _json_value(getattr(record, f.name)) for f in fields(record)}


def _json_value(value: object) -> object:
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, FollowUpStatus):
        return value.value
    if isinstance(value, tuple):
        return [_fields_json(v) for v in value]
    return value


_Record = TypeVar("_Record", StatusChange, FollowUp)


def _snapshot(item: FollowUpItem) -> FollowUp:
    """The frozen copy of an ORM item that callers get (never the live object)."""
    history = tuple(_copy(StatusChange, change) for change in item.history)
    return _copy(FollowUp, item, history=history)


def _copy(kind: type[_Record], source: object, **given: Any) -> _Record:
    """A ``kind`` dataclass with each field read from ``source``'s attribute of that name."""
    values = {f.name: getattr(source, f.name) for f in fields(kind) if f.name not in given}
    return kind(**values, **given)
