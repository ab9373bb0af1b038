"""Rapporteur notes: one note per agenda session, its revisions, remarks and participant comments."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db_types import LabelledEnum, UTCDateTime, enum_check, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..agenda.models import AgendaSession
    from ..auth.models import User
    from ..convenings.models import Convening
    from ..invitations.models import Invitation
    from ..people.models import Person


class NoteStatus(LabelledEnum):
    DRAFT = ("draft", "Draft")
    SHARED = ("shared", "Shared with participants for comment")
    FINAL = ("final", "Final (locked)")


#: Allowed moves; a final note is locked for good (its summary feeds the brief).
NOTE_TRANSITIONS: dict[str, set[str]] = {
    "draft": {"shared", "final"},
    "shared": {"draft", "final"},
    "final": set(),
}


class SessionNote(db.Model):
    """The rapporteur's notes of one agenda session. The text lives in its revisions."""

    __tablename__ = "session_notes"
    __table_args__ = (enum_check("status", NoteStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agenda_sessions.id", ondelete="CASCADE"), unique=True)
    convening_id: Mapped[int] = mapped_column(sa.ForeignKey("convenings.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(10), default=NoteStatus.DRAFT.value)
    #: Number of the newest revision (0 before the first save).
    revision_count: Mapped[int] = mapped_column(default=0)
    shared_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    finalised_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    session: Mapped["AgendaSession"] = relationship()
    convening: Mapped["Convening"] = relationship()
    revisions: Mapped[list["NoteRevision"]] = relationship(
        back_populates="note", order_by="NoteRevision.number", cascade="all, delete-orphan")
    remarks: Mapped[list["NoteRemark"]] = relationship(
        back_populates="note", order_by="NoteRemark.position, NoteRemark.id", cascade="all, delete-orphan")
    comments: Mapped[list["NoteComment"]] = relationship(
        back_populates="note", order_by="NoteComment.created_at", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<SessionNote {self.session_id} {self.status}>"

    @property
    def locked(self) -> bool:
        return self.status == NoteStatus.FINAL.value

    @property
    def latest(self) -> Optional["NoteRevision"]:
        return self.revisions[-1] if self.revisions else None


class NoteRevision(db.Model):
    """One save of a note's text. Saves are never overwritten, except an author's own autosaves."""

    __tablename__ = "note_revisions"
    __table_args__ = (sa.UniqueConstraint("note_id", "number", name="uq_note_revisions_note_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(sa.ForeignKey("session_notes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    #: A short summary; the final one feeds the brief (through notes.services.final_summary).
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    author_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The revision the editor started from; differs from number-1 when someone saved meanwhile.
    based_on: Mapped[int] = mapped_column(default=0)
    #: True while the revision only holds autosaves (a later autosave of the same editor updates it).
    autosave: Mapped[bool] = mapped_column(default=False)

    note: Mapped[SessionNote] = relationship(back_populates="revisions")
    author: Mapped[Optional["User"]] = relationship()

    @property
    def stale(self) -> bool:
        """Saved from an editor that had not seen the revision before it."""
        return self.based_on != self.number - 1


class NoteRemark(db.Model):
    """A point made in the session. Who made it is kept in a staff-only layer."""

    __tablename__ = "note_remarks"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(sa.ForeignKey("session_notes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.Text)
    #: Staff-only layer: never shown to participants or the public unless cleared for quoting
    #: (or the convening is on the record).
    speaker_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), index=True)
    affiliation: Mapped[str] = mapped_column(sa.String(300), default="")
    #: The speaker agreed that this remark may be attributed to them.
    cleared_for_quoting: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    note: Mapped[SessionNote] = relationship(back_populates="remarks")
    speaker: Mapped[Optional["Person"]] = relationship()


class NoteComment(db.Model):
    """A participant's comment on a shared note, posted through their personal invitation link."""

    __tablename__ = "note_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(sa.ForeignKey("session_notes.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("invitations.id", ondelete="SET NULL"), index=True)
    person_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    note: Mapped[SessionNote] = relationship(back_populates="comments")
    person: Mapped[Optional["Person"]] = relationship()
    invitation: Mapped[Optional["Invitation"]] = relationship()
