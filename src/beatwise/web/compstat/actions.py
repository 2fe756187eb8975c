"""The page's follow-up forms: add an item, move an item's status, and say what happened.

Each form carries the sheet it was shown under (agency, level, geography, as-of date) in hidden
fields, so the answer is that sheet's follow-up block again: with htmx it replaces the block in
place, without JavaScript the browser is sent back to the page. A refused change (a bad date, a
close without outcome...) comes back in the block with the rule it broke; nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from pydantic import ValidationError
from sqlalchemy.orm import Session

from beatwise.appdb.models.compstat import CLOSED
from beatwise.compstat.followup import FollowUp, FollowUpError, parse_status
from beatwise.warehouse.engines.base import Engine
from beatwise.web.compstat.followups import (
    Feedback,
    FollowUpBlock,
    NewItem,
    StatusMove,
    followup_block,
)
from beatwise.web.compstat.resolve import Asked, Chosen, ParameterError, choose, report_for
from beatwise.web.deps import Cubes

CONTEXT_FIELDS = ("agency", "level", "geography", "as_of")
"""The hidden fields every follow-up form carries: the sheet it was shown under."""


@dataclass(frozen=True)
class FormResult:
    """What a follow-up form did: the block to show again, and the item changed (if any)."""

    asked: Asked
    """The sheet the form was shown under (the page to go back to)."""
    chosen: Chosen
    block: FollowUpBlock
    changed: FollowUp | None

    @property
    def refused(self) -> str | None:
        """Why the change was refused, or None when it was made."""
        return self.block.feedback.error


def asked_from_form(form: dict[str, str]) -> Asked:
    """The sheet a form was shown under, from its hidden fields."""
    missing = [name for name in CONTEXT_FIELDS if not form.get(name, "").strip()]
    if missing:
        raise ParameterError(missing[0], f"the form lacks its {missing[0]} field", [])
    try:
        as_of = date.fromisoformat(form["as_of"])
    except ValueError:
        raise ParameterError("as_of", f"as_of {form['as_of']!r} is not YYYY-MM-DD", []) from None
    return Asked(as_of, form["level"], form["geography"], form["agency"])


def refusal(exc: ValidationError | FollowUpError) -> str:
    """A refused form's reason in one line: the rule broken, or the fields that are invalid."""
    if isinstance(exc, FollowUpError):
        return str(exc)
    problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    return "; ".join(problems)


Change = Callable[[str], FollowUp]
"""A deferred change: called with the agency as loaded, returns the item as changed."""


def _handle(
    engine: Engine, cubes: Cubes, session: Session, form: dict[str, str], change: Change
) -> FormResult:
    asked = asked_from_form(form)
    chosen = choose(engine, cubes, asked, largest_by_default=False)
    report = report_for(engine, cubes, chosen, asked.level, asked.geography)
    changed: FollowUp | None = None
    try:
        changed = change(chosen.agency)
    except (ValidationError, FollowUpError) as exc:
        session.rollback()
        feedback = Feedback(error=refusal(exc), form=form)
    else:
        feedback = Feedback(message=confirmation(changed, chosen.as_of))
    place = (chosen.agency, report.level, report.geographies[0])
    block = followup_block(session, place, chosen.as_of, report.row_set, feedback)
    return FormResult(asked, chosen, block, changed)


def confirmation(item: FollowUp, as_of: date) -> str:
    """What a change did, and when it shows if it takes effect after the page's date."""
    last = item.history[-1]
    if last.from_status is None:
        said = f"Added item {item.id} for {item.owner}, due {item.due_on}."
    else:
        said = f"Item {item.id} is now {item.status.value.replace('_', ' ')}."
    if last.changed_on > as_of:
        said += f" Reports dated {last.changed_on} or later show it; this one is as of {as_of}."
    return said


def add_from_form(
    engine: Engine, cubes: Cubes, session: Session, form: dict[str, str]
) -> FormResult:
    """Add the item the page's form describes to the sheet it was shown under."""

    def change(agency: str) -> FollowUp:
        return NewItem.model_validate(form).add(session, agency)

    return _handle(engine, cubes, session, form, change)


def move_from_form(
    engine: Engine, cubes: Cubes, session: Session, item_id: int, form: dict[str, str]
) -> FormResult:
    """Move item ``item_id`` as the page's form says.

    The form has one text field, ``text``: the outcome when the move closes the item, else a
    progress note (the rules want an outcome exactly when closing).
    """

    def change(agency: str) -> FollowUp:
        closing = parse_status(form.get("status", "")) in CLOSED
        text = form.get("text")
        fields = {"status": form.get("status"), "on": form.get("on")}
        fields["outcome" if closing else "note"] = text
        return StatusMove.model_validate(fields).apply(session, item_id)

    return _handle(engine, cubes, session, form, change)
