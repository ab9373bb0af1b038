"""Personal links: RSVP, calendar feed, next-step owner, brief review and password reset."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db_types import LabelledEnum, UTCDateTime, enum_check, utcnow
from ..extensions import db


class Purpose(LabelledEnum):
    RSVP = ("rsvp", "Invitation answer")
    FEED = ("feed", "Calendar subscription")
    OWNER = ("owner", "Next-step owner")
    REVIEW = ("review", "Brief review")
    RESET = ("reset", "Password reset")


class AccessToken(db.Model):
    """A secret link. Only a SHA-256 digest of the secret is stored; the secret itself is never kept."""

    __tablename__ = "access_tokens"
    __table_args__ = (enum_check("purpose", Purpose),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(10))
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: What the token opens; exactly the columns its purpose needs are set.
    invitation_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    convening_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("convenings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    #: Set on lasting links (one per invitation, one feed per person and convening): the secret is
    #: HMAC(SECRET_KEY, nonce), so every later message can carry the same link without storing it.
    nonce: Mapped[Optional[str]] = mapped_column(sa.String(32))
    #: Why a revoked token stopped working: "replaced" by a newer link, "reissued" by the organizers,
    #: "forwarded" (the attendee asked for a new one), or "revoked" outright.
    revoked_because: Mapped[Optional[str]] = mapped_column(sa.String(20))
    #: Set on single-use tokens (password reset) when they are redeemed.
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<AccessToken {self.purpose} {self.id}>"

    def is_valid(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if self.revoked_at is not None or self.used_at is not None:
            return False
        return self.expires_at is None or now < self.expires_at
