"""Files sent with outbox messages: stored once, referenced by every message that carries them.

An area that sends a file to many people stores it once (`store`), queues its messages, then links
them (`attach`): thirty messages with a 5 MB PDF hold the PDF once. The worker's `build_message`
adds each message's files (`files_of`) as attachments. The area checks what it stores (a PDF is
checked as briefs' uploads are, in the area that accepts it); this module trusts its callers.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Iterable, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import undefer

from ..extensions import db
from .models import MailAttachment, outbox_message_attachments


class AttachedFile(NamedTuple):
    filename: str
    content_type: str
    content: bytes


def store(filename: str, data: bytes, *, content_type: str = "application/pdf", actor=None) -> MailAttachment:
    """Keep a file for messages to come (flushed, not committed)."""
    attachment = MailAttachment(filename=filename[:200], content_type=content_type, size=len(data),
                                sha256=hashlib.sha256(data).hexdigest(), content=data,
                                created_by_id=getattr(actor, "id", None))
    db.session.add(attachment)
    db.session.flush()
    return attachment


def attach(message_ids: Iterable[int], attachments: list[MailAttachment]) -> None:
    """Link every message to every file, in the files' order (one INSERT; not committed)."""
    rows = [{"outbox_message_id": message_id, "attachment_id": attachment.id, "position": position}
            for message_id in message_ids for position, attachment in enumerate(attachments)]
    if rows:
        db.session.execute(outbox_message_attachments.insert(), rows)


def files_of(message_id: int) -> list[AttachedFile]:
    """The files of one outbox message, in order, with their bytes (one query)."""
    rows = db.session.scalars(
        sa.select(MailAttachment).join(outbox_message_attachments,
                                       outbox_message_attachments.c.attachment_id == MailAttachment.id)
        .where(outbox_message_attachments.c.outbox_message_id == message_id)
        .order_by(outbox_message_attachments.c.position).options(undefer(MailAttachment.content)))
    return [AttachedFile(row.filename, row.content_type, row.content) for row in rows]


def unsent(ids: Iterable[int]) -> list[MailAttachment]:
    """Stored files among `ids` that no message carries yet (files kept between a preview and sending)."""
    ids = list(ids)
    if not ids:
        return []
    linked = sa.select(outbox_message_attachments.c.attachment_id)
    found = {a.id: a for a in db.session.scalars(
        sa.select(MailAttachment).where(MailAttachment.id.in_(ids), MailAttachment.id.not_in(linked)))}
    return [found[i] for i in ids if i in found]


def forget_unsent(created_before: datetime) -> int:
    """Delete files kept for a message that was never sent (no message carries them), older than a moment."""
    linked = sa.select(outbox_message_attachments.c.attachment_id)
    result = db.session.execute(sa.delete(MailAttachment).where(
        MailAttachment.created_at < created_before, MailAttachment.id.not_in(linked)))
    return result.rowcount or 0
