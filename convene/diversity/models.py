"""Models of the diversity area: balance targets and per-country classification overrides."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db_types import LabelledEnum, UTCDateTime, enum_check, utcnow
from ..extensions import db


class Dimension(LabelledEnum):
    NORTH_SOUTH = ("north_south", "Global North / South")
    REGION = ("region", "UN region")
    SECTOR = ("sector", "Sector")
    GENDER = ("gender", "Gender")
    ORG_TYPE = ("org_type", "Organization type")


class TargetKind(LabelledEnum):
    MIN_SHARE = ("min_share", "At least this share in one category")
    MAX_SHARE = ("max_share", "At most this share in one category")
    MAX_ANY = ("max_any", "No category above this share")
    MIN_CATEGORIES = ("min_categories", "At least this many categories represented")


class Stage(LabelledEnum):
    INVITED = ("invited", "Planned / invited")
    ACCEPTED = ("accepted", "Accepted")
    ATTENDED = ("attended", "Attended")


class NorthSouth(LabelledEnum):
    NORTH = ("north", "Global North")
    SOUTH = ("south", "Global South")


class DiversityTarget(db.Model):
    """A balance target of one convening, or a default for every edition of a series."""

    __tablename__ = "diversity_targets"
    __table_args__ = (
        sa.CheckConstraint("(convening_id IS NULL) <> (series_id IS NULL)", name="one_owner"),
        sa.CheckConstraint("value >= 0 AND (kind = 'min_categories' OR value <= 100)", name="value_range"),
        enum_check("dimension", Dimension),
        enum_check("kind", TargetKind),
        enum_check("stage", Stage),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convening_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("convenings.id", ondelete="CASCADE"), index=True)
    series_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("series.id", ondelete="CASCADE"), index=True)
    dimension: Mapped[str] = mapped_column(sa.String(20))
    kind: Mapped[str] = mapped_column(sa.String(20))
    #: The category a min/max share is about ("south", "woman", "Africa", ...); "" for max_any/min_categories.
    category: Mapped[str] = mapped_column(sa.String(40), default="")
    #: A percentage (0–100) for shares; a number of categories for min_categories.
    value: Mapped[int]
    stage: Mapped[str] = mapped_column(sa.String(20), default=Stage.ACCEPTED.value)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<DiversityTarget {self.dimension} {self.kind} {self.category} {self.value}>"

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Targets with the same key are the same rule; a convening's own one replaces the series default."""
        return (self.dimension, self.kind, self.category, self.stage)


class ClassificationOverride(db.Model):
    """An administrator's Global North/South decision for one country, overriding the chosen basis."""

    __tablename__ = "classification_overrides"
    __table_args__ = (enum_check("classification", NorthSouth),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ISO 3166-1 alpha-2 code.
    country: Mapped[str] = mapped_column(sa.String(2), unique=True)
    classification: Mapped[str] = mapped_column(sa.String(10))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    set_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<ClassificationOverride {self.country} {self.classification}>"
