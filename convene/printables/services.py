"""Who is in the room, as the venue and the printables need it.

The venue list carries dietary and access needs: it is for admins and the convening's
organizers only, each export is audited with the purpose its requester stated, and a person's
needs appear only where the sensitive-data rule (auth.policy) lets the requester see them.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..audit.services import record
from ..errors import DomainError
from ..auth.policy import sensitive_visible_ids
from ..extensions import db
from ..invitations.models import Invitation, InvitationStatus, MeetingRole
from ..people.models import Person

#: Who is on the venue list, the tents and the badges: people coming, or who came.
PRESENT = (InvitationStatus.ACCEPTED.value, InvitationStatus.ATTENDED.value)
ROLE_LABELS = {r.value: r.label for r in MeetingRole}
#: A cell starting with one of these is read as a formula (or splits a cell) by spreadsheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class PrintablesError(DomainError):
    """A request for a list or printable that cannot be honoured as asked."""


@dataclass(frozen=True, slots=True)
class Participant:
    """One person in the room; needs are None where the requester may not see them."""

    person_id: int
    name: str
    display_name: str
    organization: str
    role: str
    dietary_needs: str | None
    access_needs: str | None
    arrives_on: date | None = None
    departs_on: date | None = None


def participants(convening, viewer=None) -> list[Participant]:
    """Accepted and attended invitees of the convening, by name, in two queries.

    With a `viewer`, dietary and access needs are filled in for the people the viewer may see
    them for (auth.policy.sensitive_visible_ids); without one they are never read.
    """
    invitations = db.session.scalars(
        sa.select(Invitation).join(Person, Person.id == Invitation.person_id)
        .where(Invitation.convening_id == convening.id, Invitation.status.in_(PRESENT), Person.erased_at.is_(None))
        .options(selectinload(Invitation.person).selectinload(Person.organization))
        .order_by(Person.name, Person.id)).all()
    visible = sensitive_visible_ids(viewer, [i.person_id for i in invitations]) if viewer is not None else set()
    return [Participant(
        person_id=i.person_id, name=i.person.name, display_name=i.person.display_name,
        organization=i.person.organization.name if i.person.organization else "",
        role=ROLE_LABELS.get(i.role, i.role),
        dietary_needs=i.person.dietary_needs if i.person_id in visible else None,
        access_needs=i.person.access_needs if i.person_id in visible else None,
        arrives_on=i.arrives_on, departs_on=i.departs_on) for i in invitations]


def record_venue_export(convening, actor, purpose: str, file_format: str, count: int) -> None:
    """Audit a venue-list export with the purpose its requester stated."""
    purpose = " ".join((purpose or "").split())
    if len(purpose) < 10:
        raise PrintablesError("Say what the list is for (at least 10 characters), e.g. "
                              "“catering and room set-up at the venue”.")
    record("participants.venue_export", convening, actor=actor,
           changes={"purpose": [None, purpose[:500]], "format": [None, file_format], "people": [None, count]})


def _cell(value: str | None) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def venue_csv(rows: list[Participant]) -> str:
    """The venue list as CSV (RFC 4180, CRLF); cells a spreadsheet would run are neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Name", "Organization", "Role", "Arrival", "Departure", "Dietary needs", "Access needs"])
    for row in rows:
        writer.writerow([_cell(v) for v in (row.display_name, row.organization, row.role,
                                            _travel_day(row.arrives_on), _travel_day(row.departs_on),
                                            _needs(row.dietary_needs), _needs(row.access_needs))])
    return out.getvalue()


def _travel_day(value: date | None) -> str:
    """ISO dates in the CSV: every spreadsheet reads them as dates, whatever its locale."""
    return value.isoformat() if value else ""


def _needs(value: str | None) -> str:
    return "(not shared with you)" if value is None else value
