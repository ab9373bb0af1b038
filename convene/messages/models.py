"""Models of the messages area: the texts organizers wrote in place of a message's default wording."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db_types import UTCDateTime, utcnow
from ..extensions import db

#: The scope of a site-wide text (a message not sent for one convening: the staff digest).
SITE = "site"


def scope_of(convening_id: int | None = None, series_id: int | None = None) -> str:
    """The one value that names where a text applies: 'convening:12', 'series:3' or 'site'."""
    if convening_id is not None:
        return f"convening:{convening_id}"
    if series_id is not None:
        return f"series:{series_id}"
    return SITE


class MessageText(db.Model):
    """One kind of message in one language, written for a convening, for a series' convenings, or site-wide:
    a subject and a plain-text body with {placeholders}, used instead of the default wording."""

    __tablename__ = "message_texts"
    __table_args__ = (sa.UniqueConstraint("kind", "language", "scope", name="uq_message_texts_kind_language_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A kind of messages.kinds.KINDS ('invitation', 'reminder', ...).
    kind: Mapped[str] = mapped_column(sa.String(40))
    language: Mapped[str] = mapped_column(sa.String(5), default="en")
    #: scope_of(convening_id, series_id): unique with kind and language (NULLs would not be).
    scope: Mapped[str] = mapped_column(sa.String(40))
    convening_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("convenings.id", ondelete="CASCADE"), index=True)
    series_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("series.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    def __init__(self, **values):
        values.setdefault("scope", scope_of(values.get("convening_id"), values.get("series_id")))
        super().__init__(**values)

    @property
    def level(self) -> str:
        """'convening', 'series' or 'site'."""
        return self.scope.partition(":")[0]

    def __repr__(self) -> str:
        return f"<MessageText {self.kind} {self.language} {self.scope}>"
