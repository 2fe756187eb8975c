"""Migrations and a round trip on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select

from beatwise.appdb.base import Base
from beatwise.appdb.migrate import alembic_config, current_revision, head_revision, upgrade
from beatwise.appdb.models import (
    AuditEntry,
    FollowUpItem,
    FollowUpStatus,
    FollowUpStatusChange,
    Role,
    User,
)
from beatwise.appdb.session import make_engine, session_factory


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'nested' / 'beatwise.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))


def test_upgrade_creates_the_schema_at_head(database_url: str) -> None:
    assert current_revision(database_url) is None
    assert upgrade(database_url) == head_revision() is not None
    engine = make_engine(database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"users", "audit_log", "alembic_version"} <= tables
    assert {"followup_items", "followup_status_changes"} <= tables


def test_the_migrations_build_exactly_the_models(database_url: str) -> None:
    """Autogenerate finds nothing to do at head: no model change lacks its migration."""
    upgrade(database_url)
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_round_trip_of_a_user_and_an_audit_entry(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    make_session = session_factory(engine)
    with make_session.begin() as session:
        analyst = User(username="a.analyst", display_name="Analyst A", role=Role.analyst)
        session.add(analyst)
        session.flush()
        session.add(
            AuditEntry(
                user_id=analyst.id, action="read", target="incidents@v3", detail={"rows": 240_992}
            )
        )
    with make_session() as session:
        entry = session.scalars(select(AuditEntry)).one()
        user = session.get(User, entry.user_id)
    engine.dispose()
    assert user is not None and user.role is Role.analyst and user.active
    assert (entry.action, entry.target, entry.detail) == ("read", "incidents@v3", {"rows": 240_992})
    assert entry.at.tzinfo is not None or database_url.startswith("sqlite")


def test_round_trip_of_a_follow_up_item_and_its_history(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    make_session = session_factory(engine)
    with make_session.begin() as session:
        commander = User(username="co11", display_name="CO 11", role=Role.commander)
        item = FollowUpItem(
            agency="NYPD",
            level="precinct",
            geography="011",
            category="robbery",
            request="Robbery pattern on Broadway: a plan",
            owner="CO 11th Precinct",
            raised_on=date(2019, 6, 24),
            due_on=date(2019, 7, 1),
            status=FollowUpStatus.done,
            outcome="Two arrests",
            closed_on=date(2019, 6, 28),
        )
        session.add_all([commander, item])
        session.flush()
        item.created_by = commander.id
        item.history.append(
            FollowUpStatusChange(
                changed_on=date(2019, 6, 28),
                user_id=commander.id,
                from_status=FollowUpStatus.open,
                to_status=FollowUpStatus.done,
                note="closed at the meeting",
            )
        )
    with make_session() as session:
        stored = session.scalars(select(FollowUpItem)).one()
        [change] = stored.history
        creator = session.get(User, stored.created_by)
        found = (stored.status, stored.closed_on, stored.category, change.to_status, change.note)
    engine.dispose()
    assert found == (
        FollowUpStatus.done,
        date(2019, 6, 28),
        "robbery",
        FollowUpStatus.done,
        "closed at the meeting",
    )
    assert creator is not None and creator.username == "co11"


def test_downgrade_to_base_and_up_again(database_url: str) -> None:
    upgrade(database_url)
    command.downgrade(alembic_config(database_url), "base")
    engine = make_engine(database_url)
    assert "users" not in inspect(engine).get_table_names()
    engine.dispose()
    assert upgrade(database_url) == head_revision()


def test_the_follow_up_migration_downgrades_alone(database_url: str) -> None:
    upgrade(database_url)
    command.downgrade(alembic_config(database_url), "0001")
    engine = make_engine(database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert "users" in tables and not {"followup_items", "followup_status_changes"} & tables
    assert current_revision(database_url) == "0001"
    assert upgrade(database_url) == head_revision()


def test_sqlite_uses_write_ahead_logging(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wal.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    engine.dispose()
    assert mode == "wal"
