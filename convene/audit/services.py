"""Writing audit events. Every service that changes something calls `record`."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable

from flask import has_request_context, request

from ..extensions import db
from .models import AuditEvent

#: Fields whose values never go into the audit log; only the fact that they changed.
SENSITIVE_FIELDS = frozenset(
    {"gender", "gender_self_described", "nationality", "dietary_needs", "access_needs", "password_hash"}
)
MASK = "(changed)"


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def record(action: str, obj: Any = None, *, actor=None, actor_label: str = "",
           changes: dict[str, Any] | None = None, object_type: str | None = None,
           object_id: int | None = None) -> AuditEvent:
    """Add an audit event to the session (the caller commits it with the change)."""
    if obj is not None and getattr(obj, "id", None) is None:
        db.session.flush()  # the new object needs its id for the event
    event = AuditEvent(
        actor_id=getattr(actor, "id", None) if actor is not None and getattr(actor, "is_authenticated", False) else None,
        actor_label=actor_label or (getattr(actor, "email", "") if actor is not None else ""),
        action=action,
        object_type=object_type or (type(obj).__name__ if obj is not None else ""),
        object_id=object_id if object_id is not None else getattr(obj, "id", None),
        changes=changes or {},
        ip=(request.remote_addr or "")[:45] if has_request_context() else "",
    )
    db.session.add(event)
    return event


def apply_changes(obj: Any, data: dict[str, Any], fields: Iterable[str]) -> dict[str, list]:
    """Set the given fields of obj from data; return {field: [before, after]} for the audit log."""
    changed: dict[str, list] = {}
    for field in fields:
        if field not in data:
            continue
        before, after = getattr(obj, field), data[field]
        if before != after:
            setattr(obj, field, after)
            if field in SENSITIVE_FIELDS:
                changed[field] = [MASK, MASK]
            else:
                changed[field] = [_plain(before), _plain(after)]
    return changed
