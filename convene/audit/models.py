"""The append-only audit trail."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, validates

from ..db_types import UTCDateTime, utcnow
from ..extensions import db


class AuditEvent(db.Model):
    """Who changed what, when, from where. Rows are only ever inserted by the app."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: How the actor is described when there is no account, e.g. "invitee via personal link".
    actor_label: Mapped[str] = mapped_column(sa.String(200), default="")
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(60))
    object_id: Mapped[Optional[int]]
    #: {"field": [before, after], ...}; sensitive values are masked by the caller.
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    ip: Mapped[str] = mapped_column(sa.String(45), default="")

    actor = relationship("User")

    @validates("object_type")
    def _names_a_model(self, key: str, value: str) -> str:
        """Filtering the trail by object type only works if every event names a model ("" for none)."""
        if value and value not in model_names():
            raise ValueError(f"audit object type {value!r} is not a model")
        return value

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.object_type}:{self.object_id}>"


def model_names() -> set[str]:
    """The class names of every mapped model, the only object types an audit event may name."""
    return {mapper.class_.__name__ for mapper in db.Model.registry.mappers}


class AuditTrailIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit event through the ORM."""


#: Set (to a reason) in `Session.info` only by the personal-data erasure, the one sanctioned rewrite.
REDACTION_FLAG = "audit_redaction"


@sa.event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise AuditTrailIsAppendOnly(f"audit event {target.id} cannot be changed")


@sa.event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise AuditTrailIsAppendOnly(f"audit event {target.id} cannot be deleted")


@sa.event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state) -> None:
    """Bulk UPDATE/DELETE statements through a Session are refused too (they skip the mapper events)."""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) != AuditEvent.__tablename__:
        return
    if state.is_update and state.session.info.get(REDACTION_FLAG):
        return
    raise AuditTrailIsAppendOnly("audit events cannot be changed or deleted")
