"""Column types and helpers shared by every area's models."""
from __future__ import annotations

import enum
from datetime import datetime, timezone
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A moment in time, stored as naive UTC and always returned timezone-aware (UTC).

    SQLite keeps no offset, so storing UTC everywhere keeps both backends identical.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)


def enum_values(enum_cls: type[enum.Enum]) -> list[str]:
    return [member.value for member in enum_cls]


def enum_check(column: str, enum_cls: type[enum.Enum], name: str | None = None) -> sa.CheckConstraint:
    """A CHECK constraint that keeps a string column within an enum's values."""
    allowed = ", ".join(f"'{v}'" for v in enum_values(enum_cls))
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=name or f"{column}_valid")


def choices(enum_cls) -> list[tuple[str, str]]:
    """(value, label) pairs for a form SelectField; labels are the enum's `display` (in the reader's language)."""
    return [(m.value, getattr(m, "display", m.value.replace("_", " ").capitalize())) for m in enum_cls]


class LabelledEnum(str, enum.Enum):
    """A string enum whose members carry a human label: Member = ("value", "Label") or ("value", _l("Label")).

    `label` is the English label, for files and machine outputs (CSV, JSON, audit); `display` is what a
    page or message shows: a lazy_gettext label becomes the reader's language when it is printed.
    """

    def __new__(cls, value: str, label: str | None = None):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.display = label or value.replace("_", " ").capitalize()
        obj.label = str(obj.display)  # defined at import, outside any request: the English msgid
        return obj

    def __str__(self) -> str:
        return self.value


class DeliveryQueueColumns:
    """The columns of a row a worker delivers with retries: the mail outbox and webhook deliveries.

    Each model adds its own enum check on `status` (its states start at "pending") and the
    (status, next_attempt_at) index the worker's query uses. The workers claim rows pending →
    sending with `locked_by`/`locked_at`, count `attempts`, and back off through `next_attempt_at`.
    """

    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    #: When the row is due (again): now when queued, later after a failed attempt.
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Which worker holds the row while it is `sending`, and since when.
    locked_by: Mapped[Optional[str]] = mapped_column(sa.String(100))
    locked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    #: What the last failed attempt met (the server's answer or the connection error).
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
