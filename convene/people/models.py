"""The directory: people who are invited, and the organizations they come from."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..db_types import LabelledEnum, UTCDateTime, utcnow
from ..extensions import db


class Sector(LabelledEnum):
    GOVERNMENT = ("government", _l("Government"))
    INTERGOVERNMENTAL = ("intergovernmental", _l("Intergovernmental or international organization"))
    CIVIL_SOCIETY = ("civil_society", _l("Civil society / NGO"))
    ACADEMIA = ("academia", _l("Academia / think tank"))
    PRIVATE = ("private", _l("Private sector"))
    MEDIA = ("media", _l("Media"))
    PHILANTHROPY = ("philanthropy", _l("Philanthropy"))
    OTHER = ("other", _l("Other"))


class Gender(LabelledEnum):
    """Self-identified only; never guessed from a name or honorific."""

    WOMAN = ("woman", _l("Woman"))
    MAN = ("man", _l("Man"))
    NON_BINARY = ("non_binary", _l("Non-binary"))
    SELF_DESCRIBED = ("self_described", _l("Self-described"))
    PREFER_NOT = ("prefer_not_to_say", _l("Prefer not to say"))


class Organization(db.Model):
    __tablename__ = "organizations"
    __table_args__ = (sa.CheckConstraint(
        "sector IS NULL OR sector IN (" + ", ".join(f"'{s.value}'" for s in Sector) + ")", name="sector_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300), unique=True)
    sector: Mapped[Optional[str]] = mapped_column(sa.String(30), index=True)
    #: ISO 3166-1 alpha-2 code of the organization's seat.
    country: Mapped[Optional[str]] = mapped_column(sa.String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    people: Mapped[list["Person"]] = relationship(back_populates="organization", order_by="Person.name")

    def __repr__(self) -> str:
        return f"<Organization {self.name}>"


class Person(db.Model):
    """A participant or contact. Gender, nationality, dietary and access needs are sensitive."""

    __tablename__ = "people"
    __table_args__ = (
        sa.CheckConstraint(
            "sector IS NULL OR sector IN (" + ", ".join(f"'{s.value}'" for s in Sector) + ")", name="sector_valid"),
        sa.CheckConstraint(
            "gender IS NULL OR gender IN (" + ", ".join(f"'{g.value}'" for g in Gender) + ")", name="gender_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    honorific: Mapped[str] = mapped_column(sa.String(40), default="")
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    #: Stored lower-case, so uniqueness is case-insensitive on every backend.
    email: Mapped[Optional[str]] = mapped_column(sa.String(254), unique=True)
    position: Mapped[str] = mapped_column(sa.String(300), default="")
    organization_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True)
    sector: Mapped[Optional[str]] = mapped_column(sa.String(30), index=True)
    #: ISO 3166-1 alpha-2 code of the country the person is affiliated with.
    country: Mapped[Optional[str]] = mapped_column(sa.String(2), index=True)
    gender: Mapped[Optional[str]] = mapped_column(sa.String(20))
    gender_self_described: Mapped[str] = mapped_column(sa.String(100), default="")
    #: ISO 3166-1 alpha-2 code; self-identified and optional.
    nationality: Mapped[Optional[str]] = mapped_column(sa.String(2))
    expertise: Mapped[str] = mapped_column(sa.String(500), default="")
    bio: Mapped[str] = mapped_column(sa.Text, default="")
    dietary_needs: Mapped[str] = mapped_column(sa.String(500), default="")
    access_needs: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Whether the person agreed to appear on the participant list shown to other participants.
    listing_consent: Mapped[bool] = mapped_column(default=False)
    #: IANA timezone the person lives in, to show agenda times beside the convening's.
    timezone: Mapped[str] = mapped_column(sa.String(64), default="")
    #: The language the person chose for messages and pages ('en', 'fr' or 'es'); None until they choose.
    preferred_language: Mapped[Optional[str]] = mapped_column(sa.String(5))
    #: Set when the person was erased; the row stays so that past counts stay right.
    erased_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Indexed: the newest change in the directory is a stamp (public agendas, balance counts).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, index=True)

    organization: Mapped[Optional[Organization]] = relationship(back_populates="people")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Person {self.name}>"

    @validates("email")
    def _normalise_email(self, key, value: str | None) -> str | None:
        return value.strip().lower() if value else None

    @property
    def display_name(self) -> str:
        return f"{self.honorific} {self.name}".strip()

    @property
    def expertise_tags(self) -> list[str]:
        return [t.strip() for t in self.expertise.split(",") if t.strip()]
