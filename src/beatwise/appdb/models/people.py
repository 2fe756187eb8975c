"""People and accountability: user accounts with one role each, and the audit log.

Accounts hold a username and a display name chosen by the person, never data about victims,
subjects or witnesses. The audit log records every data access by staff.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.orm import Mapped, mapped_column

from beatwise.appdb.base import Base


def _now() -> datetime:
    return datetime.now(UTC)


class Role(StrEnum):
    """The roles of the design; the public has no account."""

    admin = "admin"
    analyst = "analyst"
    commander = "commander"
    officer = "officer"
    cit_coordinator = "cit_coordinator"
    community_partner = "community_partner"
    instructor = "instructor"
    learner = "learner"


class User(Base):
    """A person with an account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(SqlEnum(Role, native_enum=False, length=32))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class AuditEntry(Base):
    """One audited action: who did what to which data, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(255))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
