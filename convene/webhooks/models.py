"""Registered webhooks and their deliveries (the queue and the log in one table)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db_types import DeliveryQueueColumns, LabelledEnum, UTCDateTime, enum_check, utcnow
from ..extensions import db


class Event(LabelledEnum):
    BRIEF_PUBLISHED = ("brief.published", "A brief is published")
    BRIEF_UPDATED = ("brief.updated", "A published brief is edited")
    AGENDA_PUBLISHED = ("agenda.published", "An agenda version is published")
    CONVENING_DATES_CHANGED = ("convening.dates_changed", "A convening's dates change")


#: The test event of the "Send test event" button: sent to the hook whatever it subscribes to.
PING = "ping"


class DeliveryStatus(LabelledEnum):
    PENDING = ("pending", "Waiting")
    SENDING = ("sending", "Being sent")
    DELIVERED = ("delivered", "Delivered")
    FAILED = ("failed", "Failed")


class Webhook(db.Model):
    """A URL that receives the events it subscribes to."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(1000))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Event names (Event values) this hook receives.
    events: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: The HMAC key; shown to the admin once when created. Kept, because every delivery is signed with it.
    secret: Mapped[str] = mapped_column(sa.String(100))
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    deliveries: Mapped[list["WebhookDelivery"]] = relationship(
        back_populates="webhook", cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Webhook {self.id} {self.url}>"


class WebhookDelivery(DeliveryQueueColumns, db.Model):
    """One event for one hook: queued in the transaction that caused it, then sent (and retried) by a worker.

    The queue's columns (status, attempts, next attempt, lock, last error, created) are
    db_types.DeliveryQueueColumns, shared with the mail outbox."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        enum_check("status", DeliveryStatus),
        sa.Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(sa.ForeignKey("webhooks.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(sa.String(40))
    #: The exact JSON body sent on every attempt (its "id" lets receivers drop repeats).
    body: Mapped[str] = mapped_column(sa.Text)
    delivered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    #: The HTTP status of the last attempt (None when no answer came).
    last_status_code: Mapped[Optional[int]]

    webhook: Mapped[Webhook] = relationship(back_populates="deliveries")

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.id} {self.event} {self.status}>"
