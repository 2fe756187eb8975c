"""Migrations and a round trip on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, select

from beatwise.appdb.migrate import alembic_config, current_revision, head_revision, upgrade
from beatwise.appdb.models import AuditEntry, Role, User
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


def test_downgrade_to_base_and_up_again(database_url: str) -> None:
    upgrade(database_url)
    command.downgrade(alembic_config(database_url), "base")
    engine = make_engine(database_url)
    assert "users" not in inspect(engine).get_table_names()
    engine.dispose()
    assert upgrade(database_url) == head_revision()


def test_sqlite_uses_write_ahead_logging(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wal.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    engine.dispose()
    assert mode == "wal"
