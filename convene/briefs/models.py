"""Outcome briefs (policy memos, dialogue briefs, conference reports) and their links to meetings."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db_types import LabelledEnum, UTCDateTime, enum_check, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User
    from ..convenings.models import Convening
    from ..invitations.models import Invitation
    from ..themes.models import Theme


class BriefKind(LabelledEnum):
    POLICY_MEMO = ("policy_memo", _l("Policy memo"))
    DIALOGUE_BRIEF = ("dialogue_brief", _l("Dialogue brief"))
    CONFERENCE_REPORT = ("conference_report", _l("Conference report"))
    OTHER = ("other", _l("Other"))


class BriefStatus(LabelledEnum):
    DRAFT = ("draft", "Draft")
    REVIEW = ("review", "Participant review")
    APPROVED = ("approved", "Approved")
    PUBLISHED = ("published", "Published")


#: The statuses each status may move to: draft → participant review → approved → published.
STATUS_TRANSITIONS: dict[str, set[str]] = {
    "draft": {"review", "approved"},
    "review": {"draft", "approved"},
    "approved": {"draft", "review", "published"},
    "published": {"approved"},
}

brief_convenings = sa.Table(
    "brief_convenings",
    db.metadata,
    sa.Column("brief_id", sa.ForeignKey("briefs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("convening_id", sa.ForeignKey("convenings.id", ondelete="CASCADE"), primary_key=True, index=True),
)

brief_themes = sa.Table(
    "brief_themes",
    db.metadata,
    sa.Column("brief_id", sa.ForeignKey("briefs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Brief(db.Model):
    __tablename__ = "briefs"
    __table_args__ = (
        enum_check("kind", BriefKind),
        enum_check("status", BriefStatus),
        sa.Index("ix_briefs_status_published_on", "status", "published_on"),
        sa.Index("ix_briefs_status_published_at", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Set at creation and kept once the brief has been published, so public URLs stay stable.
    slug: Mapped[str] = mapped_column(sa.String(200), unique=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    kind: Mapped[str] = mapped_column(sa.String(30), default=BriefKind.POLICY_MEMO.value)
    publisher: Mapped[str] = mapped_column(sa.String(300), default="")
    authors: Mapped[str] = mapped_column(sa.String(1000), default="")
    #: The publication date printed on the brief (what the archive's year filter uses).
    published_on: Mapped[Optional[date]]
    #: Markdown; rendered to sanitized HTML for display.
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    url: Mapped[str] = mapped_column(sa.String(1000), default="")
    status: Mapped[str] = mapped_column(sa.String(20), default=BriefStatus.DRAFT.value)
    #: When the brief was first published on the archive (orders the Atom feed).
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    convenings: Mapped[list["Convening"]] = relationship(secondary=brief_convenings, order_by="Convening.starts_on")
    themes: Mapped[list["Theme"]] = relationship(secondary=brief_themes, order_by="Theme.name")
    regions: Mapped[list["BriefRegion"]] = relationship(cascade="all, delete-orphan", order_by="BriefRegion.region")
    files: Mapped[list["BriefFile"]] = relationship(
        back_populates="brief", cascade="all, delete-orphan", order_by="BriefFile.id.desc()")
    status_changes: Mapped[list["BriefStatusChange"]] = relationship(
        back_populates="brief", cascade="all, delete-orphan", order_by="BriefStatusChange.id")
    comments: Mapped[list["BriefComment"]] = relationship(
        back_populates="brief", cascade="all, delete-orphan", order_by="BriefComment.id")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Brief {self.slug}>"

    @property
    def region_names(self) -> list[str]:
        return [r.region for r in self.regions]

    @property
    def current_file(self) -> "BriefFile | None":
        """The PDF shown to readers: the latest upload that has not been replaced."""
        return next((f for f in self.files if f.replaced_at is None), None)

    @property
    def is_published(self) -> bool:
        return self.status == BriefStatus.PUBLISHED.value


class BriefRegion(db.Model):
    """A UN M49 region (or sub-region) name that a brief is about."""

    __tablename__ = "brief_regions"

    brief_id: Mapped[int] = mapped_column(sa.ForeignKey("briefs.id", ondelete="CASCADE"), primary_key=True)
    region: Mapped[str] = mapped_column(sa.String(100), primary_key=True, index=True)


class BriefFile(db.Model):
    """One uploaded PDF of a brief. Replacing the file keeps the old row (and bytes) as a version."""

    __tablename__ = "brief_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(sa.ForeignKey("briefs.id", ondelete="CASCADE"), index=True)
    #: <uuid hex>.pdf under the upload folder; generated, never derived from the uploaded name.
    storage_name: Mapped[str] = mapped_column(sa.String(40), unique=True)
    #: The uploaded name, reduced to a display name (no folders, no control characters).
    original_name: Mapped[str] = mapped_column(sa.String(200), default="")
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: Set when a newer upload took its place.
    replaced_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    brief: Mapped[Brief] = relationship(back_populates="files")
    uploaded_by: Mapped[Optional["User"]] = relationship()

    def __repr__(self) -> str:
        return f"<BriefFile {self.storage_name}>"


class BriefStatusChange(db.Model):
    """The history of a brief's status: who moved it, when, from what to what."""

    __tablename__ = "brief_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(sa.ForeignKey("briefs.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[Optional[str]] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    note: Mapped[str] = mapped_column(sa.String(1000), default="")

    brief: Mapped[Brief] = relationship(back_populates="status_changes")
    actor: Mapped[Optional["User"]] = relationship()


class BriefComment(db.Model):
    """A participant's comment on a draft in review, left from their personal link."""

    __tablename__ = "brief_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(sa.ForeignKey("briefs.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("invitations.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    #: The brief version the participant was reading, so staff know which draft a comment is about.
    brief_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    brief: Mapped[Brief] = relationship(back_populates="comments")
    invitation: Mapped[Optional["Invitation"]] = relationship()
