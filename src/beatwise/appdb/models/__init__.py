"""App-database models, one module per area; importing this package registers them all."""

from beatwise.appdb.models.compstat import FollowUpItem, FollowUpStatus, FollowUpStatusChange
from beatwise.appdb.models.people import AuditEntry, Role, User

__all__ = [
    "AuditEntry",
    "FollowUpItem",
    "FollowUpStatus",
    "FollowUpStatusChange",
    "Role",
    "User",
]
