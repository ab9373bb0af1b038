"""Models of the mail area: the outbox every e-mail goes through."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..db_types import DeliveryQueueColumns, LabelledEnum, UTCDateTime, enum_check, utcnow
from ..extensions import db


class OutboxStatus(LabelledEnum):
    PENDING = ("pending", "Waiting to be sent")
    SENDING = ("sending", "Being sent")
    SENT = ("sent", "Sent")
    FAILED = ("failed", "Failed")


class MailKind(LabelledEnum):
    """What a message is for; free to grow, used for filtering the outbox."""

    INVITATION = ("invitation", "Invitation")
    REMINDER = ("reminder", "Reminder")
    CONFIRMATION = ("confirmation", "Confirmation")
    CALENDAR_UPDATE = ("calendar_update", "Calendar update")
    CANCELLATION = ("cancellation", "Cancellation")
    NOMINATION = ("nomination", "Nomination")
    AGENDA_CHANGE = ("agenda_change", "Agenda change")
    OWNER_LINK = ("owner_link", "Next-step owner link")
    NOTES_SHARED = ("notes_shared", "Notes shared for review")
    STAFF_DIGEST = ("staff_digest", "Staff digest")
    PASSWORD_RESET = ("password_reset", "Password reset")
    PARTICIPANT_MESSAGE = ("participant_message", "Message to participants")
    TEST = ("test", "Test")
    OTHER = ("other", "Other")


class OutboxMessage(DeliveryQueueColumns, db.Model):
    """One e-mail, queued in the same transaction as the change that caused it, sent by a worker.

    The queue's columns (status, attempts, next attempt, lock, last error, created) are
    db_types.DeliveryQueueColumns, shared with the webhook deliveries."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        enum_check("status", OutboxStatus),
        # The worker's query: due pending messages, oldest first.
        sa.Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40), default=MailKind.OTHER.value, index=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    to_name: Mapped[str] = mapped_column(sa.String(200), default="")
    #: The From display name ('' for MAIL_SENDER's own) and Reply-To ('' for none): the series' (messages.sender).
    from_name: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    reply_to: Mapped[str] = mapped_column(sa.String(254), default="", server_default="")
    subject: Mapped[str] = mapped_column(sa.String(500))
    text: Mapped[str] = mapped_column(sa.Text)
    html: Mapped[Optional[str]] = mapped_column(sa.Text)
    #: iCalendar bytes (iTIP) sent as a text/calendar part and an invite.ics attachment.
    calendar: Mapped[Optional[bytes]] = mapped_column(sa.LargeBinary)
    #: REQUEST, CANCEL, ... must equal the METHOD inside `calendar`.
    calendar_method: Mapped[Optional[str]] = mapped_column(sa.String(20))
    convening_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("convenings.id", ondelete="SET NULL"), index=True)
    invitation_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("invitations.id", ondelete="SET NULL"), index=True)
    person_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("people.id", ondelete="SET NULL"), index=True)
    #: A caller's key ("invite:12:3") so the same message is never queued twice.
    dedupe_key: Mapped[Optional[str]] = mapped_column(sa.String(200), unique=True)
    # status, attempts, next_attempt_at, locked_by, locked_at, last_error, created_at: DeliveryQueueColumns
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    #: The server's answer when it accepted the message (e.g. "250 2.0.0 Ok: queued as ...").
    smtp_response: Mapped[str] = mapped_column(sa.Text, default="")
    #: Generated when queued, so every attempt sends the same Message-ID.
    message_id: Mapped[str] = mapped_column(sa.String(300), unique=True)

    convening = relationship("Convening")
    invitation = relationship("Invitation")
    person = relationship("Person")

    @property
    def status_label(self) -> str:
        return OutboxStatus(self.status).label

    @property
    def kind_label(self) -> str:
        try:
            return MailKind(self.kind).label
        except ValueError:
            return self.kind.replace("_", " ").capitalize()

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status} to {self.to_address}>"


#: Which files go with which outbox message: one row per message and file, the file's bytes kept once.
outbox_message_attachments = sa.Table(
    "outbox_message_attachments", db.metadata,
    sa.Column("outbox_message_id", sa.ForeignKey("outbox_messages.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("attachment_id", sa.ForeignKey("mail_attachments.id", ondelete="CASCADE"), primary_key=True,
              index=True),
    sa.Column("position", sa.Integer, nullable=False, default=0),
)


class MailAttachment(db.Model):
    """A file sent with one or more outbox messages (e.g. a PDF sent to thirty participants), stored once.

    Its bytes live in the database so that any worker, on any machine, can attach them; they are
    loaded only when a message is built (the column is deferred)."""

    __tablename__ = "mail_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The name the recipient sees, reduced to something safe (no folders, no control characters).
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100), default="application/pdf")
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary, nullable=False))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<MailAttachment {self.id} {self.filename} {self.size}>"
