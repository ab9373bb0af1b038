"""A message the organizers wrote to participants, and who it went to (delivery is the outbox rows')."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db_types import UTCDateTime, utcnow
from ..extensions import db


class ParticipantMessage(db.Model):
    """One message written on the compose page and sent, one e-mail per recipient, through the outbox."""

    __tablename__ = "participant_messages"
    __table_args__ = (sa.Index("ix_participant_messages_convening_created", "convening_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    convening_id: Mapped[int] = mapped_column(sa.ForeignKey("convenings.id", ondelete="CASCADE"))
    author_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: As the organizer wrote them, placeholders unfilled.
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    #: The language the text is written in: its placeholders ({dates}, {venue}) are filled in it.
    language: Mapped[str] = mapped_column(sa.String(5), default="en")
    include_link: Mapped[bool] = mapped_column(default=False)
    #: How the recipients were chosen: {"statuses": [...], "roles": [...], "dialogues": bool, "picked": n}.
    selection: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: The files sent with it: [{"id", "name", "size"}] (their bytes are the outbox's mail_attachments).
    attachments: Mapped[list] = mapped_column(sa.JSON, default=list)
    recipients_count: Mapped[int] = mapped_column(default=0)
    skipped_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    convening = relationship("Convening")
    author = relationship("User")
    recipients: Mapped[list["ParticipantMessageRecipient"]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="ParticipantMessageRecipient.id")

    def __repr__(self) -> str:
        return f"<ParticipantMessage {self.id} to {self.recipients_count}>"


class ParticipantMessageRecipient(db.Model):
    """One person a message was meant for: the outbox row sent to them, or why nothing was sent."""

    __tablename__ = "participant_message_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("participant_messages.id", ondelete="CASCADE"),
                                            index=True)
    invitation_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("invitations.id", ondelete="SET NULL"),
                                                         index=True)
    person_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), index=True)
    #: The name at sending time (a person erased later keeps no name here: erasure blanks it).
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    outbox_message_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True)
    #: Why no e-mail went to them ("no e-mail address"), empty when one was queued.
    skipped_because: Mapped[str] = mapped_column(sa.String(300), default="")

    message: Mapped[ParticipantMessage] = relationship(back_populates="recipients")
    outbox_message = relationship("OutboxMessage")
