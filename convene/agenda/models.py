"""The agenda of a convening: its sessions and who holds which role in each."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db_types import LabelledEnum, UTCDateTime, enum_check, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..convenings.models import Convening
    from ..people.models import Person


class SessionKind(LabelledEnum):
    PLENARY = ("plenary", _l("Plenary"))
    ROUNDTABLE = ("roundtable", _l("Roundtable"))
    WORKING_GROUP = ("working_group", _l("Working group"))
    BREAK = ("break", _l("Break"))
    MEAL = ("meal", _l("Meal"))
    RECEPTION = ("reception", _l("Reception"))
    SITE_VISIT = ("site_visit", _l("Site visit"))
    OTHER = ("other", _l("Other"))


class SessionStatus(LabelledEnum):
    SCHEDULED = ("scheduled", "Scheduled")
    CANCELLED = ("cancelled", "Cancelled")


class SessionRoleKind(LabelledEnum):
    CHAIR = ("chair", _l("Chair"))
    MODERATOR = ("moderator", _l("Moderator"))
    SPEAKER = ("speaker", _l("Speaker"))
    PRESENTER = ("presenter", _l("Presenter"))
    DISCUSSANT = ("discussant", _l("Discussant"))
    RAPPORTEUR = ("rapporteur", _l("Rapporteur"))
    NOTE_TAKER = ("note_taker", _l("Note-taker"))
    STAFF_LEAD = ("staff_lead", _l("Staff lead"))
    #: Named to attend a session that is not open to all participants.
    PARTICIPANT = ("participant", _l("Participant"))


class AgendaSession(db.Model):
    """One item of the agenda. Times are stored in UTC and shown in the convening's timezone."""

    __tablename__ = "agenda_sessions"
    __table_args__ = (
        enum_check("kind", SessionKind),
        enum_check("status", SessionStatus),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.Index("ix_agenda_sessions_convening_starts_at", "convening_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convening_id: Mapped[int] = mapped_column(sa.ForeignKey("convenings.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(1000))
    kind: Mapped[str] = mapped_column(sa.String(20), default=SessionKind.ROUNDTABLE.value)
    status: Mapped[str] = mapped_column(sa.String(20), default=SessionStatus.SCHEDULED.value)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: An all-day item (e.g. a site visit day): shown as a date, exported as a DATE event.
    all_day: Mapped[bool] = mapped_column(default=False)
    room: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: False when only the people named on the session may attend.
    open_to_all: Mapped[bool] = mapped_column(default=True)
    #: Manual order among sessions that start at the same time.
    position: Mapped[int] = mapped_column(default=0)
    #: Stable calendar UID: random, set once, never changed by an edit.
    uid: Mapped[str] = mapped_column(sa.String(64), unique=True, default=lambda: str(uuid.uuid4()))
    #: iCalendar SEQUENCE: bumped when time, place or status change.
    ical_sequence: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    convening: Mapped["Convening"] = relationship()
    roles: Mapped[list["SessionRole"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionRole.id")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<AgendaSession {self.title!r}>"

    @property
    def cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED.value

    def people_in(self, *kinds: str) -> list["Person"]:
        return [r.person for r in self.roles if not kinds or r.role in kinds]


class SessionRole(db.Model):
    """A person holding a role (chair, speaker, rapporteur, ...) in one session."""

    __tablename__ = "session_roles"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "person_id", "role", name="uq_session_roles_session_person_role"),
        enum_check("role", SessionRoleKind),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_sessions.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20))

    session: Mapped[AgendaSession] = relationship(back_populates="roles")
    person: Mapped["Person"] = relationship()


class AgendaSettings(db.Model):
    """Per-convening agenda switches (1:1 with the convening; created on first use)."""

    __tablename__ = "agenda_settings"

    convening_id: Mapped[int] = mapped_column(sa.ForeignKey("convenings.id", ondelete="CASCADE"), primary_key=True)
    #: The published agenda is shown without sign-in at /c/<slug>/agenda.
    public: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class AgendaVersion(db.Model):
    """A published, numbered state of a convening's agenda, with what changed since the previous one.

    `snapshot` holds the sessions as published (no names: people are kept as ids and looked up
    when shown, so an erased person disappears from old versions too). Attendee pages, feeds and
    downloads are built from the latest snapshot, so organizers' draft edits stay private.
    """

    __tablename__ = "agenda_versions"
    __table_args__ = (sa.UniqueConstraint("convening_id", "number", name="uq_agenda_versions_convening_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    convening_id: Mapped[int] = mapped_column(sa.ForeignKey("convenings.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: The organizer's note shown in the changelog ("Lunch moved to the terrace").
    note: Mapped[str] = mapped_column(sa.String(1000), default="")
    snapshot: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: [{"uid", "title", "change": added|moved|cancelled|restored|changed|removed, "details": [...]}]
    changes: Mapped[list] = mapped_column(sa.JSON, default=list)

    def __repr__(self) -> str:
        return f"<AgendaVersion {self.convening_id} v{self.number}>"


class AgendaSeen(db.Model):
    """The last agenda version a person marked as seen, to highlight what changed since."""

    __tablename__ = "agenda_seen"
    __table_args__ = (sa.UniqueConstraint("person_id", "convening_id", name="uq_agenda_seen_person_convening"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    convening_id: Mapped[int] = mapped_column(sa.ForeignKey("convenings.id", ondelete="CASCADE"), index=True)
    version_number: Mapped[int]
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
