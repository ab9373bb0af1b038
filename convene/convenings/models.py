"""Series of conferences and their convenings (editions, and the dialogues inside them)."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Optional
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db_types import LabelledEnum, UTCDateTime, enum_check, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User


class ConveningKind(LabelledEnum):
    CONFERENCE = ("conference", "Conference")
    ROUNDTABLE = ("roundtable", "Roundtable")
    DIALOGUE = ("dialogue", "Dialogue")
    WORKSHOP = ("workshop", "Workshop")


class AttributionRule(LabelledEnum):
    NOT_FOR_ATTRIBUTION = ("not_for_attribution", _l("Not for attribution"))
    CHATHAM_HOUSE = ("chatham_house", _l("Chatham House Rule"))
    ON_THE_RECORD = ("on_the_record", _l("On the record"))

    @property
    def strips_names(self) -> bool:
        return self is not AttributionRule.ON_THE_RECORD


#: What each rule means, as pages and messages show it (in the reader's language).
ATTRIBUTION_DISPLAY = {
    AttributionRule.NOT_FOR_ATTRIBUTION.value:
        _l("Not for attribution: remarks may be reported but not attributed to a speaker or their institution."),
    AttributionRule.CHATHAM_HOUSE.value:
        _l("Chatham House Rule: participants may use the information received, but neither the identity "
           "nor the affiliation of the speaker, nor that of any other participant, may be revealed."),
    AttributionRule.ON_THE_RECORD.value: _l("On the record: remarks may be quoted and attributed."),
}
#: The same in English, for files and machine outputs (exports, the API).
ATTRIBUTION_TEXT = {rule: str(text) for rule, text in ATTRIBUTION_DISPLAY.items()}


class ConveningStatus(LabelledEnum):
    DRAFT = ("draft", "Draft")
    OPEN = ("open", "Open")
    HELD = ("held", "Held")
    CLOSED = ("closed", "Closed")


#: The status each status may move to.
STATUS_TRANSITIONS = {
    "draft": {"open"},
    "open": {"draft", "held"},
    "held": {"closed", "open"},
    "closed": {"held"},
}


convening_organizers = sa.Table(
    "convening_organizers",
    db.metadata,
    sa.Column("convening_id", sa.ForeignKey("convenings.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Series(db.Model):
    """A recurring conference, e.g. the Strategy for Peace Conference."""

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    slug: Mapped[str] = mapped_column(sa.String(200), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: The language ('en', 'fr', 'es') its convenings' attendees read when neither they nor the convening chose one.
    default_language: Mapped[Optional[str]] = mapped_column(sa.String(5))
    #: The From display name of every e-mail about its convenings ('' for MAIL_SENDER's); the address stays
    #: the configured sender's (SPF/DKIM). Set on the series' Messages page (messages.sender).
    mail_from_name: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    #: The Reply-To address of those e-mails ('' for none): where attendees' replies go.
    mail_reply_to: Mapped[str] = mapped_column(sa.String(254), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    convenings: Mapped[list["Convening"]] = relationship(
        back_populates="series", order_by="Convening.starts_on.desc()"
    )

    def __repr__(self) -> str:
        return f"<Series {self.name}>"


class Convening(db.Model):
    """An edition or meeting. A conference can hold parallel dialogues as child convenings."""

    __tablename__ = "convenings"
    __table_args__ = (
        enum_check("kind", ConveningKind),
        enum_check("attribution_rule", AttributionRule),
        enum_check("status", ConveningStatus),
        sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        sa.Index("ix_convenings_status_starts_on", "status", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("series.id", ondelete="SET NULL"), index=True)
    #: Set on a dialogue/roundtable that runs inside a larger conference.
    parent_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("convenings.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    slug: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20), default=ConveningKind.ROUNDTABLE.value)
    theme: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    venue: Mapped[str] = mapped_column(sa.String(300), default="")
    city: Mapped[str] = mapped_column(sa.String(120), default="")
    #: ISO 3166-1 alpha-2 code of the host country.
    country: Mapped[str] = mapped_column(sa.String(2), default="")
    #: IANA timezone name in which the agenda is written.
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    attribution_rule: Mapped[str] = mapped_column(sa.String(30), default=AttributionRule.NOT_FOR_ATTRIBUTION.value)
    #: The language ('en', 'fr', 'es') of attendees who chose none; None inherits (conference, then series).
    default_language: Mapped[Optional[str]] = mapped_column(sa.String(5))
    status: Mapped[str] = mapped_column(sa.String(10), default=ConveningStatus.DRAFT.value)
    #: Invitees may answer (and change their answer) until this date.
    reply_by: Mapped[Optional[date]]
    #: Seats for accepted participants; None means no limit.
    capacity: Mapped[Optional[int]]
    #: Stable UID of the convening's calendar event (never derived from id or host).
    ical_uid: Mapped[str] = mapped_column(sa.String(64), default=lambda: str(uuid.uuid4()))
    #: Bumped on each change of dates, venue or status that calendar clients must notice.
    ical_sequence: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    series: Mapped[Optional[Series]] = relationship(back_populates="convenings")
    parent: Mapped[Optional["Convening"]] = relationship(remote_side=[id], back_populates="dialogues")
    dialogues: Mapped[list["Convening"]] = relationship(
        back_populates="parent", order_by="Convening.title", cascade="all, delete-orphan"
    )
    organizers: Mapped[list["User"]] = relationship(secondary=convening_organizers, order_by="User.name")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Convening {self.slug}>"

    @property
    def attribution_text(self) -> str:
        return ATTRIBUTION_TEXT[self.attribution_rule]

    @property
    def attribution_display(self) -> str:
        """The rule's meaning in the reader's language (pages and messages)."""
        return str(ATTRIBUTION_DISPLAY[self.attribution_rule])

    @property
    def language(self) -> str | None:
        """The language its attendees read when they chose none: its own, else its conference's, else its series'."""
        if self.default_language:
            return self.default_language
        if self.parent is not None:
            return self.parent.language
        return self.series.default_language if self.series is not None else None

    @property
    def attribution(self) -> AttributionRule:
        return AttributionRule(self.attribution_rule)

    @property
    def with_conference_ids(self) -> list[int]:
        """Its id, then its conference's: the guest lists that count for a dialogue (its own and its conference's)."""
        return [self.id, *([self.parent_id] if self.parent_id else [])]

    @property
    def family_ids(self) -> list[int]:
        """Its id, its conference's and its dialogues': everything a conference participant may read of it."""
        return [*self.with_conference_ids, *[d.id for d in self.dialogues]]

    @property
    def zone(self) -> ZoneInfo:
        """The timezone the agenda is written in (UTC when none is set)."""
        return ZoneInfo(self.timezone or "UTC")

    @property
    def is_dialogue(self) -> bool:
        return self.parent_id is not None

    def organizer_ids(self) -> set[int]:
        """Organizers of this convening and, for a dialogue, of its conference."""
        ids = {user.id for user in self.organizers}
        if self.parent is not None:
            ids |= self.parent.organizer_ids()
        return ids


class SeriesBrand(db.Model):
    """A series' own look: the foundation's name, logo, accent colour, footer and contact address.

    Shown on its convenings' public and attendee pages, printables and e-mails (convenings/brand.py);
    a series without one, or with every field empty, looks like Convene.
    """

    __tablename__ = "series_brands"

    series_id: Mapped[int] = mapped_column(sa.ForeignKey("series.id", ondelete="CASCADE"), primary_key=True)
    organization: Mapped[str] = mapped_column(sa.String(200), default="")
    #: '#rrggbb' (lower case), checked against white text for WCAG AA contrast; '' keeps Convene's.
    accent: Mapped[str] = mapped_column(sa.String(7), default="")
    footer: Mapped[str] = mapped_column(sa.String(500), default="")
    contact: Mapped[str] = mapped_column(sa.String(254), default="")
    #: The stored logo file (<32 hex>.png|jpg|webp under UPLOADS_DIR/logos), never a name a user chose.
    logo_name: Mapped[Optional[str]] = mapped_column(sa.String(40))
    logo_width: Mapped[Optional[int]]
    logo_height: Mapped[Optional[int]]
    #: Bumped by every change: part of the stylesheet's address and of cached pages' keys.
    revision: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<SeriesBrand {self.series_id}>"
