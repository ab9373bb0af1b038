"""Next steps agreed at a convening, and the follow-up on each of them."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

import uuid

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db_types import LabelledEnum, UTCDateTime, enum_check, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..agenda.models import AgendaSession
    from ..auth.models import User
    from ..convenings.models import Convening
    from ..people.models import Organization, Person
    from ..themes.models import Theme


class ActionStatus(LabelledEnum):
    DRAFT = ("draft", _l("Draft (not yet reviewed)"))
    OPEN = ("open", _l("Open"))
    IN_PROGRESS = ("in_progress", _l("In progress"))
    DONE = ("done", _l("Done"))
    DROPPED = ("dropped", _l("Dropped"))


#: Allowed moves between statuses; dropping always needs a reason.
STATUS_TRANSITIONS: dict[str, set[str]] = {
    "draft": {"open", "dropped"},
    "open": {"in_progress", "done", "dropped"},
    "in_progress": {"open", "done", "dropped"},
    "done": {"in_progress"},
    "dropped": {"open"},
}


class ActionPriority(LabelledEnum):
    HIGH = ("high", "High")
    NORMAL = ("normal", "Normal")
    LOW = ("low", "Low")


action_themes = sa.Table(
    "action_themes",
    db.metadata,
    sa.Column("action_id", sa.ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True),
)

action_supporters = sa.Table(
    "action_supporters",
    db.metadata,
    sa.Column("action_id", sa.ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organization_id", sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ActionItem(db.Model):
    """A next step. Its owner is one of a person, an organization or a staff user."""

    __tablename__ = "action_items"
    __table_args__ = (
        enum_check("status", ActionStatus),
        enum_check("priority", ActionPriority),
        sa.CheckConstraint(
            "(CASE WHEN owner_person_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN owner_organization_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN owner_user_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="one_owner"),
        sa.Index("ix_action_items_status_due_on", "status", "due_on"),
        # The board's default order (due date, then id) read straight from an index.
        sa.Index("ix_action_items_due_on_id", "due_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convening_id: Mapped[int] = mapped_column(sa.ForeignKey("convenings.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("agenda_sessions.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(sa.String(2000))
    rationale: Mapped[str] = mapped_column(sa.Text, default="")
    owner_person_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), index=True)
    owner_organization_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True)
    owner_user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    due_on: Mapped[Optional[date]]
    status: Mapped[str] = mapped_column(sa.String(20), default=ActionStatus.DRAFT.value)
    drop_reason: Mapped[str] = mapped_column(sa.String(1000), default="")
    priority: Mapped[str] = mapped_column(sa.String(10), default=ActionPriority.NORMAL.value)
    #: Public next steps appear on the public page of the convening's brief.
    is_public: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: Time of the latest ActionUpdate, kept here so the board can filter "no update in N days".
    last_update_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    #: Stable calendar UID of the VTODO: random, set once, never derived from id or host.
    uid: Mapped[str] = mapped_column(sa.String(64), unique=True, default=lambda: str(uuid.uuid4()))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    convening: Mapped["Convening"] = relationship()
    session: Mapped[Optional["AgendaSession"]] = relationship()
    owner_person: Mapped[Optional["Person"]] = relationship()
    owner_organization: Mapped[Optional["Organization"]] = relationship()
    owner_user: Mapped[Optional["User"]] = relationship(foreign_keys=[owner_user_id])
    themes: Mapped[list["Theme"]] = relationship(secondary=action_themes, order_by="Theme.name")
    supporters: Mapped[list["Organization"]] = relationship(secondary=action_supporters)
    updates: Mapped[list["ActionUpdate"]] = relationship(
        back_populates="action", order_by="ActionUpdate.at", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<ActionItem {self.id} {self.status}>"

    @property
    def owner_label(self) -> str:
        if self.owner_person is not None:
            return self.owner_person.name
        if self.owner_organization is not None:
            return self.owner_organization.name
        if self.owner_user is not None:
            return self.owner_user.name
        return "Unassigned"

    @property
    def owner_key(self) -> str:
        """The owner as a form value: person:ID, org:ID, user:ID or '' for nobody."""
        if self.owner_person_id is not None:
            return f"person:{self.owner_person_id}"
        if self.owner_organization_id is not None:
            return f"org:{self.owner_organization_id}"
        if self.owner_user_id is not None:
            return f"user:{self.owner_user_id}"
        return ""

    @property
    def is_closed(self) -> bool:
        return self.status in (ActionStatus.DONE.value, ActionStatus.DROPPED.value)

    def is_overdue(self, today: date) -> bool:
        return self.due_on is not None and self.due_on < today and not self.is_closed \
            and self.status != ActionStatus.DRAFT.value


class ActionUpdate(db.Model):
    """A dated progress note or change of status, owner or due date on a next step."""

    __tablename__ = "action_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("action_items.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    author_user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: Set when the owner reported through their personal link rather than an account.
    author_person_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), index=True)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    old_status: Mapped[Optional[str]] = mapped_column(sa.String(20))
    new_status: Mapped[Optional[str]] = mapped_column(sa.String(20))
    old_due_on: Mapped[Optional[date]]
    new_due_on: Mapped[Optional[date]]
    old_owner: Mapped[str] = mapped_column(sa.String(300), default="")
    new_owner: Mapped[str] = mapped_column(sa.String(300), default="")

    action: Mapped[ActionItem] = relationship(back_populates="updates")
    author_user: Mapped[Optional["User"]] = relationship()
    author_person: Mapped[Optional["Person"]] = relationship()


class DigestRun(db.Model):
    """When the staff digest last went out, so the next one reports only newer progress notes."""

    __tablename__ = "action_digest_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    messages_queued: Mapped[int] = mapped_column(default=0)
