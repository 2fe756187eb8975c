"""CompStat follow-up items: transitions, kept history, the report's list as of a date, the CLI.

The report list is checked against answers worked out by hand from the item dates below (a
Sunday as-of date, so the report week is Monday 24 June to Sunday 30 June 2019).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from beatwise.appdb.migrate import upgrade
from beatwise.appdb.models import FollowUpItem, FollowUpStatus, FollowUpStatusChange, Role, User
from beatwise.appdb.session import make_engine, session_factory
from beatwise.cli.main import app
from beatwise.compstat.followup import (
    FollowUp,
    FollowUpError,
    add_item,
    items_for_report,
    list_items,
    parse_status,
    update_status,
)
from beatwise.config import Settings

OPEN, IN_PROGRESS, DONE, DROPPED = (
    FollowUpStatus.open,
    FollowUpStatus.in_progress,
    FollowUpStatus.done,
    FollowUpStatus.dropped,
)
runner = CliRunner()


def _session_on(url: str) -> Iterator[Session]:
    upgrade(url)
    engine = make_engine(url)
    with session_factory(engine)() as session:
        yield session
    engine.dispose()


@pytest.fixture
def session(settings: Settings) -> Iterator[Session]:
    """A session on a migrated SQLite app database in a fresh home."""
    yield from _session_on(settings.database_url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_session(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Session]:
    """The same, on SQLite and on a real PostgreSQL."""
    if request.param == "sqlite":
        yield from _session_on(settings.database_url)
    else:
        yield from _session_on(str(request.getfixturevalue("postgres_url")))


def _add(
    session: Session,
    raised: date,
    due: date,
    *,
    geography: str = "D14",
    level: str = "division",
    agency: str = "TPS",
    category: str | None = None,
) -> FollowUp:
    return add_item(
        session,
        agency=agency,
        level=level,
        geography=geography,
        request=f"item raised {raised} in {geography}",
        owner="Unit Commander, 14 Division",
        raised_on=raised,
        due_on=due,
        category=category,
    )


def _history(session: Session, item_id: int) -> list[tuple[object, ...]]:
    rows = session.scalars(
        select(FollowUpStatusChange)
        .where(FollowUpStatusChange.item_id == item_id)
        .order_by(FollowUpStatusChange.id)
    )
    return [(r.changed_on, r.from_status, r.to_status, r.note, r.user_id) for r in rows]


# --- adding and moving items


def test_an_item_starts_open_with_its_category_resolved_and_one_history_row(
    session: Session,
) -> None:
    analyst = User(username="analyst", display_name="Analyst", role=Role.analyst)
    session.add(analyst)
    session.flush()
    item = add_item(
        session,
        agency=" TPS ",
        level="division",
        geography="D14",
        request="  Auto thefts on Queen St W: a plan by next week ",
        owner="Unit Commander, 14 Division",
        raised_on=date(2019, 6, 17),
        due_on=date(2019, 6, 24),
        category="AUTO  theft",
        user_id=analyst.id,
    )
    session.commit()
    stored = session.get(FollowUpItem, item.id)
    assert stored is not None
    assert (stored.agency, stored.request, stored.category) == (
        "TPS",
        "Auto thefts on Queen St W: a plan by next week",
        "motor_vehicle_theft",
    )
    assert (stored.status, stored.outcome, stored.closed_on, stored.created_by) == (
        OPEN,
        None,
        None,
        analyst.id,
    )
    assert _history(session, item.id) == [(date(2019, 6, 17), None, OPEN, None, analyst.id)]
    assert item.as_json()["category_label"] == "Motor vehicle theft"


def test_open_to_in_progress_to_done_keeps_every_change(session: Session) -> None:
    item = _add(session, date(2019, 6, 17), date(2019, 6, 24))
    update_status(session, item.id, "in progress", note="plan drafted", on=date(2019, 6, 19))
    done = update_status(
        session, item.id, DONE, outcome=" Two arrests; 5 robberies to 1 ", on=date(2019, 6, 21)
    )
    session.commit()
    assert (done.status, done.outcome, done.closed_on) == (
        DONE,
        "Two arrests; 5 robberies to 1",
        date(2019, 6, 21),
    )
    assert _history(session, item.id) == [
        (date(2019, 6, 17), None, OPEN, None, None),
        (date(2019, 6, 19), OPEN, IN_PROGRESS, "plan drafted", None),
        (date(2019, 6, 21), IN_PROGRESS, DONE, None, None),
    ]
    assert [(c.from_status, c.to_status) for c in done.history] == [
        (None, OPEN),
        (OPEN, IN_PROGRESS),
        (IN_PROGRESS, DONE),
    ]


def test_an_open_item_can_be_dropped_with_the_reason_as_outcome(session: Session) -> None:
    item = _add(session, date(2019, 6, 17), date(2019, 6, 24))
    dropped = update_status(
        session,
        item.id,
        "dropped",
        outcome="Pattern was one offender, arrested",
        on=date(2019, 6, 18),
    )
    assert (dropped.status, dropped.closed_on) == (DROPPED, date(2019, 6, 18))
    assert _history(session, item.id)[-1] == (date(2019, 6, 18), OPEN, DROPPED, None, None)


@pytest.mark.parametrize(
    ("path", "target", "message"),
    [
        (
            [],
            OPEN,
            "cannot move from open to open; from open it can move to in_progress, done, dropped",
        ),
        ([IN_PROGRESS], OPEN, "cannot move from in_progress to open"),
        ([IN_PROGRESS], IN_PROGRESS, "cannot move from in_progress to in_progress"),
        ([DONE], OPEN, "is done, and closed items are final"),
        ([DONE], IN_PROGRESS, "is done, and closed items are final"),
        ([DROPPED], DONE, "is dropped, and closed items are final"),
    ],
)
def test_illegal_moves_are_refused_and_write_nothing(
    session: Session, path: list[FollowUpStatus], target: FollowUpStatus, message: str
) -> None:
    item = _add(session, date(2019, 6, 17), date(2019, 6, 24))
    for step in path:
        outcome = "closed" if step in {DONE, DROPPED} else None
        update_status(session, item.id, step, outcome=outcome, on=date(2019, 6, 18))
    before = _history(session, item.id)
    with pytest.raises(FollowUpError, match=message):
        update_status(session, item.id, target, outcome="x" if target is DONE else None)
    assert _history(session, item.id) == before
    assert len(before) == len(path) + 1


@pytest.mark.parametrize(
    ("target", "outcome", "message"),
    [
        (DONE, None, "closing it as done needs an outcome"),
        (DROPPED, "   ", "closing it as dropped needs an outcome"),
        (IN_PROGRESS, "finished", "an outcome is written when the item is closed"),
    ],
)
def test_an_outcome_comes_with_closing_and_only_then(
    session: Session, target: FollowUpStatus, outcome: str | None, message: str
) -> None:
    item = _add(session, date(2019, 6, 17), date(2019, 6, 24))
    with pytest.raises(FollowUpError, match=message):
        update_status(session, item.id, target, outcome=outcome, on=date(2019, 6, 18))
    assert _history(session, item.id) == [(date(2019, 6, 17), None, OPEN, None, None)]


def test_a_change_cannot_be_dated_before_the_last_one(session: Session) -> None:
    item = _add(session, date(2019, 6, 17), date(2019, 6, 24))
    update_status(session, item.id, IN_PROGRESS, on=date(2019, 6, 20))
    with pytest.raises(
        FollowUpError, match="dated 2019-06-19, before its last change on 2019-06-20"
    ):
        update_status(session, item.id, DONE, outcome="done", on=date(2019, 6, 19))
    fresh = _add(session, date(2019, 6, 17), date(2019, 6, 24))
    with pytest.raises(FollowUpError, match="before its last change on 2019-06-17"):
        update_status(session, fresh.id, IN_PROGRESS, on=date(2019, 6, 1))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"category": "jaywalking"}, "unknown category 'jaywalking'; use one of homicide"),
        (
            {"due_on": date(2019, 6, 16)},
            "due date 2019-06-16 is before the meeting date 2019-06-17",
        ),
        ({"owner": "  "}, "the owner is empty"),
        ({"request": ""}, "the request is empty"),
        ({"geography": "G" * 65}, "the geography is 65 characters long; keep it to 64"),
    ],
)
def test_bad_items_are_refused(session: Session, changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "agency": "TPS",
        "level": "division",
        "geography": "D14",
        "request": "a plan",
        "owner": "Unit Commander, 14 Division",
        "raised_on": date(2019, 6, 17),
        "due_on": date(2019, 6, 24),
    }
    with pytest.raises(FollowUpError, match=message):
        add_item(session, **{**fields, **changes})  # type: ignore[arg-type]
    assert session.scalars(select(FollowUpItem)).all() == []


def test_unknown_ids_and_statuses_are_refused(session: Session) -> None:
    with pytest.raises(FollowUpError, match="no follow-up item 42"):
        update_status(session, 42, DONE, outcome="x")
    with pytest.raises(
        FollowUpError, match="unknown status 'closed'; use one of open, in_progress"
    ):
        parse_status("closed")
    assert parse_status(" In-Progress ") is IN_PROGRESS


def test_the_database_refuses_a_closed_item_without_outcome(any_session: Session) -> None:
    item = _add(any_session, date(2019, 6, 17), date(2019, 6, 24))
    any_session.commit()
    stored = any_session.get(FollowUpItem, item.id)
    assert stored is not None
    stored.status = DONE
    with pytest.raises(IntegrityError, match="closed_has_outcome"):
        any_session.commit()


# --- listing


def test_list_items_filters(session: Session) -> None:
    a = _add(session, date(2019, 6, 3), date(2019, 6, 10), category="robbery")
    b = _add(session, date(2019, 6, 3), date(2019, 6, 17), geography="D52")
    c = _add(session, date(2019, 6, 3), date(2019, 6, 9), level="district", geography="11")
    d = _add(session, date(2019, 6, 3), date(2019, 6, 24), category="theft")
    _add(session, date(2019, 6, 3), date(2019, 6, 10), agency="NYPD")
    update_status(session, d.id, DONE, outcome="done", on=date(2019, 6, 5))
    ids = lambda items: [i.id for i in items]  # noqa: E731
    assert ids(list_items(session, "tps")) == [c.id, a.id, b.id, d.id]
    assert ids(list_items(session, "TPS", level="division")) == [a.id, b.id, d.id]
    assert ids(list_items(session, "TPS", geography="D52")) == [b.id]
    assert ids(list_items(session, "TPS", status="open")) == [c.id, a.id, b.id]
    assert ids(list_items(session, "TPS", status=DONE)) == [d.id]
    assert ids(list_items(session, "TPS", due_before=date(2019, 6, 17))) == [c.id, a.id]
    assert ids(list_items(session, "TPS", category="Mugging")) == [a.id]
    assert ids(list_items(session, "TPS", category="larceny")) == [d.id]
    assert list_items(session, "LAPD") == ()
    with pytest.raises(FollowUpError, match="unknown category"):
        list_items(session, "TPS", category="jaywalking")


# --- the report's list

AS_OF = date(2019, 6, 30)  # a Sunday: the report week is Mon 24 June to Sun 30 June


def _report_city(session: Session) -> dict[str, int]:
    """Items around the report week, each named for what the report must do with it."""
    made = {
        "open_overdue": _add(session, date(2019, 6, 10), date(2019, 6, 17)),
        "in_progress": _add(session, date(2019, 6, 24), date(2019, 7, 1)),
        "due_on_as_of": _add(session, date(2019, 6, 24), AS_OF, geography="D52"),
        "done_this_week": _add(session, date(2019, 6, 17), date(2019, 6, 24), category="b&e"),
        "dropped_monday": _add(session, date(2019, 6, 17), date(2019, 6, 30)),
        "dropped_last_sunday": _add(session, date(2019, 6, 17), date(2019, 6, 30)),
        "done_earlier": _add(session, date(2019, 6, 3), date(2019, 6, 10)),
        "done_after_as_of": _add(session, date(2019, 6, 10), date(2019, 6, 20)),
        "raised_after_as_of": _add(session, date(2019, 7, 1), date(2019, 7, 8)),
        "other_geography": _add(session, date(2019, 6, 10), date(2019, 6, 17), geography="D55"),
        "other_level": _add(session, date(2019, 6, 10), date(2019, 6, 17), level="district"),
        "other_agency": _add(session, date(2019, 6, 10), date(2019, 6, 17), agency="NYPD"),
    }
    ids = {name: item.id for name, item in made.items()}
    moves = [
        ("in_progress", IN_PROGRESS, None, date(2019, 6, 26)),
        ("done_this_week", IN_PROGRESS, None, date(2019, 6, 20)),
        ("done_this_week", DONE, "Burglary crew arrested", date(2019, 6, 27)),
        ("dropped_monday", DROPPED, "Merged into the burglary item", date(2019, 6, 24)),
        ("dropped_last_sunday", DROPPED, "Duplicate", date(2019, 6, 23)),
        ("done_earlier", DONE, "Lights repaired", date(2019, 6, 20)),
        ("done_after_as_of", DONE, "Camera installed", date(2019, 7, 3)),
    ]
    for name, status, outcome, on in moves:
        update_status(session, ids[name], status, outcome=outcome, on=on)
    session.commit()
    return ids


def test_the_report_lists_open_items_then_those_closed_that_week(any_session: Session) -> None:
    ids = _report_city(any_session)
    block = items_for_report(any_session, "TPS", "division", ["D14", "D52"], AS_OF)
    name = {v: k for k, v in ids.items()}
    assert [
        (name[i.item.id], i.item.status, i.overdue, i.days_overdue, i.item.outcome)
        for i in block.open
    ] == [
        ("open_overdue", OPEN, True, 13, None),
        ("done_after_as_of", OPEN, True, 10, None),
        ("due_on_as_of", OPEN, False, 0, None),
        ("in_progress", IN_PROGRESS, False, 0, None),
    ]
    assert [
        (name[i.item.id], i.item.status, i.item.closed_on, i.item.outcome, i.overdue)
        for i in block.closed
    ] == [
        ("dropped_monday", DROPPED, date(2019, 6, 24), "Merged into the burglary item", False),
        ("done_this_week", DONE, date(2019, 6, 27), "Burglary crew arrested", False),
    ]
    later = next(i.item for i in block.open if i.item.id == ids["done_after_as_of"])
    assert [c.to_status for c in later.history] == [OPEN]  # the 3 July close is not known yet
    payload = json.loads(json.dumps(block.as_json()))
    assert (payload["as_of"], payload["closed_after"]) == ("2019-06-30", "2019-06-23")
    assert payload["closed"][1]["category"] == "burglary"
    assert payload["closed"][1]["outcome"] == "Burglary crew arrested"
    assert payload["open"][0]["overdue"] is True and payload["open"][0]["days_overdue"] == 13


def test_the_next_report_shows_last_weeks_open_items_closed(session: Session) -> None:
    ids = _report_city(session)
    name = {v: k for k, v in ids.items()}
    block = items_for_report(session, "tps", "division", ["D14", "D52"], date(2019, 7, 7))
    assert [(name[i.item.id], i.days_overdue) for i in block.open] == [
        ("open_overdue", 20),
        ("due_on_as_of", 7),
        ("in_progress", 6),
        ("raised_after_as_of", 0),
    ]
    assert [(name[i.item.id], i.item.outcome) for i in block.closed] == [
        ("done_after_as_of", "Camera installed")
    ]
    assert items_for_report(session, "TPS", "division", [], AS_OF).items == ()


# --- the CLI

ADD = [
    "followup", "add", "Street robberies near Bathurst station: a deployment plan",
    "--agency", "TPS", "--level", "division", "--geography", "D14",
    "--owner", "Unit Commander, 14 Division", "--raised", "2019-06-17", "--due", "2019-06-24",
    "--category", "mugging",
]  # fmt: skip


def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_cli_add_update_and_list(settings: Settings) -> None:
    assert _cli(*ADD) == (
        0,
        "added follow-up item 1 for Unit Commander, 14 Division, due 2019-06-24\n",
    )
    code, out = _cli(
        "followup",
        "update",
        "1",
        "--status",
        "in_progress",
        "--note",
        "plan drafted",
        "--on",
        "2019-06-19",
    )
    assert (code, out) == (0, "follow-up item 1 is now in_progress\n")
    code, out = _cli(
        "followup",
        "update",
        "1",
        "--status",
        "done",
        "--outcome",
        "Two arrests",
        "--on",
        "2019-06-21",
    )
    assert (code, out) == (0, "follow-up item 1 is now done\n")
    code, out = _cli("followup", "list", "--agency", "tps", "--json")
    assert code == 0
    [item] = json.loads(out)
    assert (item["id"], item["category"], item["status"], item["outcome"], item["closed_on"]) == (
        1, "robbery", "done", "Two arrests", "2019-06-21",
    )  # fmt: skip
    assert [
        (c["from_status"], c["to_status"], c["changed_on"], c["note"]) for c in item["history"]
    ] == [
        (None, "open", "2019-06-17", None),
        ("open", "in_progress", "2019-06-19", "plan drafted"),
        ("in_progress", "done", "2019-06-21", None),
    ]
    code, out = _cli(
        "followup", "list", "--agency", "TPS", "--status", "done", "--category", "robbery"
    )
    assert code == 0
    for shown in (
        "division D14",
        "robbery",
        "Unit Commander, 14 Division",
        "2019-06-24",
        "done",
        "Two arrests",
    ):
        assert shown in out
    assert _cli("followup", "list", "--agency", "TPS", "--status", "open", "--json") == (0, "[]\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--category", "jaywalking"], "unknown category 'jaywalking'"),
        (["--due", "2019-02-30"], "--due '2019-02-30' is not a date; write it as YYYY-MM-DD"),
        (["--raised", "17/06/2019"], "--raised '17/06/2019' is not a date"),
        (["--due", "2019-06-01"], "due date 2019-06-01 is before the meeting date 2019-06-17"),
    ],
)
def test_cli_refuses_bad_items_with_exit_2(
    settings: Settings, args: list[str], message: str
) -> None:
    code, out = _cli(*ADD, *args)
    assert code == 2
    assert message in " ".join(out.split())
    assert _cli("followup", "list", "--agency", "TPS", "--json") == (0, "[]\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["1", "--status", "open"], "item 1 is done, and closed items are final"),
        (["1", "--status", "in_progress"], "item 1 is done, and closed items are final"),
        (["99", "--status", "done", "--outcome", "x"], "no follow-up item 99"),
        (
            ["1", "--status", "closed"],
            "'closed' is not one of 'open', 'in_progress', 'done', 'dropped'",
        ),
        (["1", "--status", "done", "--on", "yesterday"], "--on 'yesterday' is not a date"),
    ],
)
def test_cli_refuses_bad_updates_with_exit_2(
    settings: Settings, args: list[str], message: str
) -> None:
    assert _cli(*ADD)[0] == 0
    assert (
        _cli(
            "followup", "update", "1", "--status", "done", "--outcome", "ok", "--on", "2019-06-20"
        )[0]
        == 0
    )
    code, out = _cli("followup", "update", *args)
    assert code == 2
    assert message in " ".join(out.replace("│", " ").split())
    [item] = json.loads(_cli("followup", "list", "--agency", "TPS", "--json")[1])
    assert (item["status"], len(item["history"])) == ("done", 2)


def test_cli_refuses_closing_without_outcome(settings: Settings) -> None:
    assert _cli(*ADD)[0] == 0
    code, out = _cli("followup", "update", "1", "--status", "done")
    assert code == 2
    assert "item 1: closing it as done needs an outcome" in " ".join(out.split())
