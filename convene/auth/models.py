"""Login accounts and their roles."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from ..db_types import LabelledEnum, UTCDateTime, enum_check, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..people.models import Person


class Role(LabelledEnum):
    ADMIN = ("admin", "Administrator")
    ORGANIZER = ("organizer", "Organizer")
    STAFF = ("staff", "Staff")


def new_session_secret() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    """A person who signs in: admin, organizer or staff. Attendees use personal links instead."""

    __tablename__ = "users"
    __table_args__ = (enum_check("role", Role),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20), default=Role.ORGANIZER.value)
    active: Mapped[bool] = mapped_column(default=True)
    #: Part of the session cookie; rotating it signs the user out everywhere.
    session_secret: Mapped[str] = mapped_column(sa.String(64), default=new_session_secret)
    person_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), index=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    person: Mapped[Optional["Person"]] = relationship(foreign_keys=[person_id])

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"

    @validates("email")
    def _normalise_email(self, key, value: str) -> str:
        return value.strip().lower()

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    def get_id(self) -> str:
        # The session stores id and secret; a rotated secret invalidates every copy.
        return f"{self.id}:{self.session_secret}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.password_changed_at = utcnow()
        self.rotate_session_secret()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def rotate_session_secret(self) -> None:
        self.session_secret = new_session_secret()

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.STAFF.value, Role.ADMIN.value)

    @property
    def is_organizer(self) -> bool:
        return self.role in (Role.ORGANIZER.value, Role.ADMIN.value)
