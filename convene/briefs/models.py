"""Outcome briefs (policy memos, dialogue briefs, conference reports) and their links to meetings."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db_types import LabelledEnum, UTCDateTime, enum_check, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..convenings.models import Convening
    from ..themes.models import Theme


class BriefKind(LabelledEnum):
    POLICY_MEMO = ("policy_memo", "Policy memo")
    DIALOGUE_BRIEF = ("dialogue_brief", "Dialogue brief")
    CONFERENCE_REPORT = ("conference_report", "Conference report")
    OTHER = ("other", "Other")


class BriefStatus(LabelledEnum):
    DRAFT = ("draft", "Draft")
    REVIEW = ("review", "Participant review")
    APPROVED = ("approved", "Approved")
    PUBLISHED = ("published", "Published")


STATUS_TRANSITIONS: dict[str, set[str]] = {
    "draft": {"review", "approved"},
    "review": {"draft", "approved"},
    "approved": {"draft", "published"},
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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(200), unique=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    kind: Mapped[str] = mapped_column(sa.String(30), default=BriefKind.POLICY_MEMO.value)
    publisher: Mapped[str] = mapped_column(sa.String(300), default="")
    authors: Mapped[str] = mapped_column(sa.String(1000), default="")
    published_on: Mapped[Optional[date]]
    #: Markdown; rendered to sanitized HTML for display.
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    url: Mapped[str] = mapped_column(sa.String(1000), default="")
    status: Mapped[str] = mapped_column(sa.String(20), default=BriefStatus.DRAFT.value)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    convenings: Mapped[list["Convening"]] = relationship(secondary=brief_convenings, order_by="Convening.starts_on")
    themes: Mapped[list["Theme"]] = relationship(secondary=brief_themes, order_by="Theme.name")
    regions: Mapped[list["BriefRegion"]] = relationship(cascade="all, delete-orphan", order_by="BriefRegion.region")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Brief {self.slug}>"

    @property
    def region_names(self) -> list[str]:
        return [r.region for r in self.regions]


class BriefRegion(db.Model):
    """A UN M49 region (or sub-region) name that a brief is about."""

    __tablename__ = "brief_regions"

    brief_id: Mapped[int] = mapped_column(sa.ForeignKey("briefs.id", ondelete="CASCADE"), primary_key=True)
    region: Mapped[str] = mapped_column(sa.String(100), primary_key=True, index=True)
