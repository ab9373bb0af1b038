"""The invitation lifecycle: changing a status (history row and audit event), the status board, attendance.

Every function of the invitation cycle takes objects plus plain data and the acting user,
flushes (never commits), records an audit event for each change and raises InvitationError
with a message people can read when a rule is broken.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..audit.services import record
from ..convenings.models import Convening
from ..db_types import utcnow
from ..errors import DomainError
from ..extensions import db
from ..people.models import Person
from .models import ANSWERED, STATUS_TRANSITIONS, Invitation, InvitationStatus, InvitationStatusChange, Priority

#: How an invitee's own actions are described in the history and the audit log.
VIA_LINK = "invitee via personal link"


class InvitationError(DomainError):
    """A rule of the invitation cycle was broken; the message is shown to people as it is."""


@dataclass
class SendReport:
    """What a bulk action did: the invitations it changed, and a sentence for each one it skipped."""

    sent: list[Invitation] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def actor_id(actor) -> int | None:
    """The signed-in user's id for history rows; None for invitees acting through their link."""
    return actor.id if actor is not None and getattr(actor, "is_authenticated", False) else None


def change_status(invitation: Invitation, to_status: str, *, actor=None, via: str = "",
                  now: datetime | None = None) -> bool:
    """Move an invitation to a new status along STATUS_TRANSITIONS; history and audit are written."""
    from_status = invitation.status
    if to_status == from_status:
        return False
    if to_status not in STATUS_TRANSITIONS.get(from_status, set()):
        raise InvitationError(f"{invitation.person.name}: a {status_label(from_status).lower()} invitation cannot "
                              f"become {status_label(to_status).lower()}.")
    now = now or utcnow()
    invitation.status = to_status
    invitation.status_changed_at = now
    if to_status == InvitationStatus.INVITED.value:
        invitation.invited_at = now
        invitation.responded_at = None
    if to_status in ANSWERED:
        invitation.responded_at = now
    if invitation.id is None:
        db.session.flush()
    db.session.add(InvitationStatusChange(invitation_id=invitation.id, from_status=from_status,
                                          to_status=to_status, at=now, actor_id=actor_id(actor), via=via))
    record("invitation.status", invitation, actor=actor, actor_label=via if actor_id(actor) is None else "",
           changes={"status": [from_status, to_status], **({"via": [None, via]} if via else {})})
    return True


def status_label(status: str) -> str:
    """The status in words ("Declined"), or the raw value if it is not a known status."""
    try:
        return InvitationStatus(status).label
    except ValueError:
        return status


def create_invitation(convening: Convening, person: Person, *, role: str, priority: str, actor,
                      replaces: Invitation | None = None, via: str = "") -> Invitation:
    """A new planned invitation with its first history row."""
    invitation = Invitation(convening=convening, person=person, role=role, priority=priority,
                            status=InvitationStatus.PLANNED.value, replaces=replaces)
    if priority == Priority.RESERVE.value:
        invitation.reserve_rank = next_reserve_rank(convening)
    db.session.add(invitation)
    db.session.flush()
    db.session.add(InvitationStatusChange(invitation_id=invitation.id, from_status=None, to_status="planned",
                                          actor_id=actor_id(actor), via=via))
    record("invitation.create", invitation, actor=actor, changes={
        "person": [None, person.name], "role": [None, role], "priority": [None, priority],
        **({"replaces_id": [None, replaces.id]} if replaces is not None else {})})
    return invitation


def next_reserve_rank(convening: Convening) -> int:
    current = db.session.scalar(sa.select(sa.func.max(Invitation.reserve_rank))
                                .where(Invitation.convening_id == convening.id))
    return (current or 0) + 1


def invitations_with_status(convening: Convening, statuses: set[str]) -> list[Invitation]:
    """The convening's invitations in these statuses, oldest first, with their person loaded."""
    return list(db.session.scalars(
        sa.select(Invitation).where(Invitation.convening_id == convening.id, Invitation.status.in_(statuses))
        .options(joinedload(Invitation.person)).order_by(Invitation.id)))


def status_counts(convening: Convening) -> dict[str, int]:
    rows = db.session.execute(sa.select(Invitation.status, sa.func.count()).where(
        Invitation.convening_id == convening.id).group_by(Invitation.status)).all()
    return {status: n for status, n in rows}


def median_response_days(invitations: Iterable[Invitation]) -> float | None:
    """Median days from invitation to answer, over invitees who answered."""
    days = [(i.responded_at - i.invited_at).total_seconds() / 86400 for i in invitations
            if i.invited_at is not None and i.responded_at is not None]
    return round(statistics.median(days), 1) if days else None


def mark_attendance(convening: Convening, invitations: Iterable[Invitation], status: str, *, actor,
                    today: date | None = None) -> SendReport:
    """After the meeting has begun, mark the selected invitees attended or no-show."""
    if status not in {InvitationStatus.ATTENDED.value, InvitationStatus.NO_SHOW.value}:
        raise InvitationError("Choose attended or no-show.")
    if (today or date.today()) < convening.starts_on:
        raise InvitationError("Attendance can be marked once the meeting has begun.")
    report = SendReport()
    for invitation in invitations:
        if invitation.convening_id != convening.id:
            continue
        try:
            change_status(invitation, status, actor=actor, via="attendance marked by organizer")
            report.sent.append(invitation)
        except InvitationError as error:
            report.skipped.append(str(error))
    return report
