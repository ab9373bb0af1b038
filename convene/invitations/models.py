"""Invitations: a person on a convening's guest list, and every change of their answer."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.dialects import postgresql, sqlite

from ..db_types import LabelledEnum, UTCDateTime, enum_check, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..convenings.models import Convening
    from ..people.models import Person


class MeetingRole(LabelledEnum):
    PARTICIPANT = ("participant", _l("Participant"))
    CHAIR = ("chair", _l("Chair"))
    SPEAKER = ("speaker", _l("Speaker"))
    RAPPORTEUR = ("rapporteur", _l("Rapporteur"))
    OBSERVER = ("observer", _l("Observer"))
    STAFF = ("staff", _l("Staff"))


class Priority(LabelledEnum):
    FIRST_CHOICE = ("first_choice", "First choice")
    RESERVE = ("reserve", "Reserve")


class InvitationStatus(LabelledEnum):
    PLANNED = ("planned", _l("Planned"))
    INVITED = ("invited", _l("Invited"))
    ACCEPTED = ("accepted", _l("Accepted"))
    TENTATIVE = ("tentative", _l("Tentative"))
    DECLINED = ("declined", _l("Declined"))
    ATTENDED = ("attended", _l("Attended"))
    NO_SHOW = ("no_show", _l("No-show"))
    WITHDRAWN = ("withdrawn", _l("Withdrawn"))


#: Allowed moves between statuses. Answers can change until the reply-by date.
STATUS_TRANSITIONS: dict[str, set[str]] = {
    "planned": {"invited", "withdrawn"},
    "invited": {"accepted", "tentative", "declined", "withdrawn"},
    "accepted": {"tentative", "declined", "attended", "no_show", "withdrawn"},
    "tentative": {"accepted", "declined", "withdrawn"},
    "declined": {"accepted", "tentative", "withdrawn"},
    "attended": {"no_show"},
    "no_show": {"attended"},
    "withdrawn": {"planned", "invited"},
}

#: Statuses that count as an answer from the invitee.
ANSWERED = frozenset({"accepted", "tentative", "declined"})


class Invitation(db.Model):
    """One person on one convening's guest list, with their role, priority and answer."""

    __tablename__ = "invitations"
    __table_args__ = (
        sa.UniqueConstraint("convening_id", "person_id", name="uq_invitations_convening_person"),
        enum_check("role", MeetingRole),
        enum_check("priority", Priority),
        enum_check("status", InvitationStatus),
        # person_id makes it covering for the balance figures (GROUP BY convening, status + join to people).
        sa.Index("ix_invitations_convening_status", "convening_id", "status", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convening_id: Mapped[int] = mapped_column(sa.ForeignKey("convenings.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20), default=MeetingRole.PARTICIPANT.value)
    priority: Mapped[str] = mapped_column(sa.String(20), default=Priority.FIRST_CHOICE.value)
    #: Order in which reserves are offered a place (1 first).
    reserve_rank: Mapped[Optional[int]]
    status: Mapped[str] = mapped_column(sa.String(20), default=InvitationStatus.PLANNED.value)
    decline_reason: Mapped[str] = mapped_column(sa.String(1000), default="")
    #: When the invitation that was declined is replaced by a reserve or a nominee, this points to it.
    replaces_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("invitations.id", ondelete="SET NULL"), index=True)
    invited_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    responded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reminders_sent: Mapped[int] = mapped_column(default=0)
    last_reminder_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    #: SEQUENCE of the iTIP calendar invitation last e-mailed to this invitee.
    ical_sequence: Mapped[int] = mapped_column(default=0)
    #: When an iTIP calendar (REQUEST or CANCEL) was last e-mailed; None if never.
    ical_sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    #: How many times a personal link was issued with an invitation e-mail (for dedupe keys).
    links_issued: Mapped[int] = mapped_column(default=0)
    #: When the invitee themself last answered or confirmed their details through their personal link.
    #: Only the invitee's own link sets it (never an organizer's action): it is what lets the organizers
    #: of this convening see the person's self-identified data (auth.policy.sees_sensitive_fields).
    invitee_confirmed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    #: Travel dates the attendee gives on their home page, for the venue list (hotel, catering).
    arrives_on: Mapped[Optional[date]]
    departs_on: Mapped[Optional[date]]
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    convening: Mapped["Convening"] = relationship()
    person: Mapped["Person"] = relationship()
    replaces: Mapped[Optional["Invitation"]] = relationship(remote_side=[id])
    changes: Mapped[list["InvitationStatusChange"]] = relationship(
        back_populates="invitation", order_by="InvitationStatusChange.at", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Invitation {self.person_id}@{self.convening_id} {self.status}>"


class InvitationStatusChange(db.Model):
    """The history of an invitation's status: who moved it, when, from what to what."""

    __tablename__ = "invitation_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(sa.ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[Optional[str]] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: "invitee via personal link", "recorded by organizer: phone call", ...
    via: Mapped[str] = mapped_column(sa.String(300), default="")

    invitation: Mapped[Invitation] = relationship(back_populates="changes")


class NominationStatus(LabelledEnum):
    PENDING = ("pending", _l("Waiting for the organizer"))
    ACCEPTED = ("accepted", _l("Accepted"))
    REFUSED = ("refused", _l("Refused"))


class Nomination(db.Model):
    """A substitute proposed by an invitee who cannot attend; the organizer accepts or refuses it."""

    __tablename__ = "invitation_nominations"
    __table_args__ = (enum_check("status", NominationStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The invitation of the person who nominated the substitute.
    invitation_id: Mapped[int] = mapped_column(sa.ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))
    position: Mapped[str] = mapped_column(sa.String(300), default="")
    organization: Mapped[str] = mapped_column(sa.String(300), default="")
    status: Mapped[str] = mapped_column(sa.String(20), default=NominationStatus.PENDING.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: The invitation created for the substitute when the nomination was accepted.
    result_invitation_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("invitations.id", ondelete="SET NULL"))

    invitation: Mapped[Invitation] = relationship(foreign_keys=[invitation_id])

    def __repr__(self) -> str:
        return f"<Nomination {self.email} for invitation {self.invitation_id} {self.status}>"


class ReminderSchedule(db.Model):
    """Days before the reply-by date on which non-responders are reminded, e.g. "21,10,5"."""

    __tablename__ = "invitation_reminder_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    convening_id: Mapped[int] = mapped_column(
        sa.ForeignKey("convenings.id", ondelete="CASCADE"), unique=True)
    days: Mapped[str] = mapped_column(sa.String(100), default="")
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def day_list(self) -> list[int]:
        """The schedule's days, largest (earliest reminder) first."""
        return sorted({int(d) for d in self.days.split(",") if d.strip().isdigit()}, reverse=True)


class InvitationReminder(db.Model):
    """One reminder sent to a non-responder, by hand or by the schedule."""

    __tablename__ = "invitation_reminders"
    __table_args__ = (
        # A scheduled step (days before reply-by) is carried out at most once per invitation.
        sa.UniqueConstraint("invitation_id", "schedule_step", name="uq_invitation_reminders_step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(sa.ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: Days before reply-by for a scheduled reminder; None for one sent by hand.
    schedule_step: Mapped[Optional[int]]


class GuestListChanges(db.Model):
    """How many times a convening's guest list changed: every flush that adds, changes or removes
    one of its invitations moves `changes` (below). The balance figures' change stamp
    (diversity.counting.change_stamps) reads this one row per edition instead of every invitation's
    index entry, so it costs the same for a list of 30 or 3,000. A convening never changed has no row
    (it reads as 0). Writes that bypass the ORM do not move it: the app's only one (invitations.
    confirmation) sets a date no count reads."""

    __tablename__ = "guest_list_changes"

    convening_id: Mapped[int] = mapped_column(sa.ForeignKey("convenings.id", ondelete="CASCADE"), primary_key=True)
    changes: Mapped[int] = mapped_column(sa.BigInteger, default=0)


@sa.event.listens_for(Session, "after_flush")
def _count_guest_list_changes(session, _flush_context) -> None:
    """One more change for each guest list whose invitations this flush added, changed or removed
    (any column: counting a change that moves no figure costs a recount, never a wrong figure)."""
    touched: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Invitation):
            touched.add(obj.convening_id)
            touched.update(sa.inspect(obj).attrs.convening_id.history.deleted or ())  # moved between lists
    gone = {obj.id for obj in session.deleted if getattr(obj, "__tablename__", None) == "convenings"}
    touched = sorted(cid for cid in touched if cid is not None and cid not in gone)
    if not touched:
        return
    connection = session.connection()
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(GuestListChanges).values([{"convening_id": cid, "changes": 1} for cid in touched])
    connection.execute(statement.on_conflict_do_update(
        index_elements=[GuestListChanges.convening_id], set_={"changes": GuestListChanges.changes + 1}))
