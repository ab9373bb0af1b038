"""Personal API tokens: named, read-only, shown once, stored as a digest, revocable."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db_types import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User


class ApiToken(db.Model):
    """A token that lets a program read, with its owner's access, what the owner's pages show."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: What the owner calls it ("CRM sync"), so they know which one to revoke.
    name: Mapped[str] = mapped_column(sa.String(100))
    #: SHA-256 of the secret; the secret itself is shown once and never stored.
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The first characters of the secret, shown in the list to tell tokens apart.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Updated at most once a minute, so reading the API does not write on every request.
    last_used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    user: Mapped["User"] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.name!r}>"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None
