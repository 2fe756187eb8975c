"""The audit log of staff data access: one entry per request that read or changed staff data.

Every page, fragment, download and API call behind :func:`beatwise.web.auth.staff_only` writes
one :class:`~beatwise.appdb.models.people.AuditEntry` saying what was done (``action``, e.g.
``compstat.view``), to which data (``target``, e.g. ``Toronto Police Service/district/D14``)
and with which parameters (``detail``: as-of date, format, data version...). Until sign-in
exists the user is unknown, so the client address is recorded in ``detail``; the entry is
committed with the change it describes, so a change is never kept without its audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request
from sqlalchemy.orm import Session

from beatwise.appdb.models.people import AuditEntry

TARGET_LENGTH = 255
"""``audit_log.target`` is a VARCHAR(255): longer targets are cut, never refused."""


def audit_target(*parts: str | None) -> str:
    """``agency/level/geography`` (``*`` for a part that is every one), at most 255 characters."""
    return "/".join(part if part else "*" for part in parts)[:TARGET_LENGTH]


def record_access(
    session: Session,
    request: Request,
    action: str,
    target: str,
    detail: Mapping[str, object],
    *,
    user_id: int | None = None,
) -> AuditEntry:
    """Write one audit entry for ``request`` and commit the session's transaction.

    Whatever the route changed in ``session`` is committed in the same transaction, so the log
    and the data cannot disagree. ``detail`` must be JSON-serialisable (dates as ISO strings).
    """
    client = request.client.host if request.client else None
    entry = AuditEntry(
        user_id=user_id,
        action=action,
        target=target[:TARGET_LENGTH],
        detail={**detail, "client": client, "method": request.method, "path": request.url.path},
    )
    session.add(entry)
    session.commit()
    return entry
