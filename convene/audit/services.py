"""Writing audit events. Every service that changes something calls `record`."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable

import sqlalchemy as sa
from flask import has_request_context, request
from werkzeug.local import LocalProxy

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


def unwrap(value: Any) -> Any:
    """The object behind a Werkzeug LocalProxy such as flask_login's current_user, else the value itself."""
    if isinstance(value, LocalProxy):
        return value._get_current_object()
    return value


def model_name(obj: Any) -> str:
    """The model class name of an ORM object (proxies unwrapped); a TypeError for anything else."""
    mapper = sa.inspect(obj, raiseerr=False)
    if mapper is None or not hasattr(mapper, "mapper"):
        raise TypeError(f"an audit event needs a model instance, not {type(obj).__name__}")
    return mapper.mapper.class_.__name__


def record(action: str, obj: Any = None, *, actor=None, actor_label: str = "",
           changes: dict[str, Any] | None = None, object_type: str | None = None,
           object_id: int | None = None) -> AuditEvent:
    """Add an audit event to the session (the caller commits it with the change)."""
    obj, actor = unwrap(obj), unwrap(actor)
    if obj is not None and getattr(obj, "id", None) is None:
        db.session.flush()  # the new object needs its id for the event
    event = AuditEvent(
        actor_id=getattr(actor, "id", None) if actor is not None and getattr(actor, "is_authenticated", False) else None,
        actor_label=actor_label or (getattr(actor, "email", "") if actor is not None else ""),
        action=action,
        object_type=object_type or (model_name(obj) if obj is not None else ""),
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
