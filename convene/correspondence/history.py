"""The messages written to a convening's participants, with each one's delivery state from the outbox.

Both pages run a fixed number of queries whatever the number of messages or recipients.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..convenings.models import Convening
from ..extensions import db
from ..mail.models import OutboxMessage, OutboxStatus
from .models import ParticipantMessage, ParticipantMessageRecipient

#: Delivery states as the pages name them, from the outbox's statuses.
DELIVERED, WAITING, FAILED, NOT_SENT = "delivered", "waiting", "failed", "not sent"
_STATE_OF = {OutboxStatus.SENT.value: DELIVERED, OutboxStatus.PENDING.value: WAITING,
             OutboxStatus.SENDING.value: WAITING, OutboxStatus.FAILED.value: FAILED}


@dataclass
class SentMessage:
    """One row of the history: the message and how many of its e-mails are delivered, waiting, failed."""

    message: ParticipantMessage
    delivered: int
    waiting: int
    failed: int


@dataclass
class Delivery:
    """One recipient of a message and where their e-mail is: delivered, waiting, failed or not sent."""

    recipient: ParticipantMessageRecipient
    state: str
    sent_at: object = None
    error: str = ""


def messages_of(convening: Convening) -> list[SentMessage]:
    """The convening's messages, newest first, with their delivery counts (one query)."""
    status = OutboxMessage.status

    def counted(*statuses: str):
        return sa.func.coalesce(sa.func.sum(sa.case((status.in_(statuses), 1), else_=0)), 0)

    counts = (sa.select(ParticipantMessageRecipient.message_id.label("message_id"),
                        counted(OutboxStatus.SENT.value).label("delivered"),
                        counted(OutboxStatus.PENDING.value, OutboxStatus.SENDING.value).label("waiting"),
                        counted(OutboxStatus.FAILED.value).label("failed"))
              .join(OutboxMessage, OutboxMessage.id == ParticipantMessageRecipient.outbox_message_id)
              .join(ParticipantMessage, ParticipantMessage.id == ParticipantMessageRecipient.message_id)
              .where(ParticipantMessage.convening_id == convening.id)
              .group_by(ParticipantMessageRecipient.message_id).subquery())
    rows = db.session.execute(
        sa.select(ParticipantMessage, counts.c.delivered, counts.c.waiting, counts.c.failed)
        .outerjoin(counts, counts.c.message_id == ParticipantMessage.id)
        .where(ParticipantMessage.convening_id == convening.id)
        .options(joinedload(ParticipantMessage.author))
        .order_by(ParticipantMessage.created_at.desc(), ParticipantMessage.id.desc()))
    return [SentMessage(message, delivered or 0, waiting or 0, failed or 0)
            for message, delivered, waiting, failed in rows]


def message_of(convening: Convening, message_id: int) -> ParticipantMessage | None:
    """One message of this convening, with its author (one query); None when it is another's."""
    return db.session.scalar(
        sa.select(ParticipantMessage).where(ParticipantMessage.id == message_id,
                                            ParticipantMessage.convening_id == convening.id)
        .options(joinedload(ParticipantMessage.author)))


def recipients_of(message: ParticipantMessage) -> list[Delivery]:
    """Each recipient with their delivery state, by name (one query; the e-mails' bodies are not loaded)."""
    rows = db.session.execute(
        sa.select(ParticipantMessageRecipient, OutboxMessage.status, OutboxMessage.sent_at, OutboxMessage.last_error)
        .outerjoin(OutboxMessage, OutboxMessage.id == ParticipantMessageRecipient.outbox_message_id)
        .where(ParticipantMessageRecipient.message_id == message.id)
        .order_by(sa.func.lower(ParticipantMessageRecipient.name), ParticipantMessageRecipient.id))
    return [Delivery(recipient, _STATE_OF.get(status, WAITING) if status else NOT_SENT, sent_at,
                     (error or "") if status == OutboxStatus.FAILED.value else recipient.skipped_because)
            for recipient, status, sent_at, error in rows]
