"""Substitutes: an invitee who cannot come proposes a colleague; the organizers accept or refuse."""
from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit.services import record
from ..db_types import utcnow
from ..extensions import db
from ..mail.services import MailError, check_header_value, normalise_address
from ..people.services import create_person, find_person_by_email
from .answers import answer, answer_closed_reason, meeting_over
from .guest_list import on_list_person_ids
from .lifecycle import VIA_LINK, InvitationError, actor_id, create_invitation
from .models import Invitation, InvitationStatus, Nomination, NominationStatus, Priority


def nomination_closed_reason(invitation: Invitation, today: date | None = None) -> str | None:
    """Why no substitute can be proposed now; after reply-by, someone who declined still may."""
    closed = answer_closed_reason(invitation, today)
    if closed and invitation.status == InvitationStatus.DECLINED.value and not meeting_over(invitation, today):
        return None
    return closed


def nominate(invitation: Invitation, data: dict[str, Any], *, today: date | None = None) -> Nomination:
    """The invitee proposes a substitute; nominating also records that they cannot attend."""
    closed = nomination_closed_reason(invitation, today)
    if closed:
        raise InvitationError(closed)
    try:
        email = normalise_address(data.get("email") or "").lower()
        name = check_header_value(" ".join((data.get("name") or "").split()), "name", 200)
    except MailError as error:
        raise InvitationError(str(error)) from error
    if not name:
        raise InvitationError(_("Give the substitute's name."))
    if email == (invitation.person.email or "").lower():
        raise InvitationError(_("Please nominate someone else: this is your own e-mail address."))
    pending = db.session.scalar(sa.select(Nomination).where(
        Nomination.invitation_id == invitation.id, Nomination.email == email,
        Nomination.status == NominationStatus.PENDING.value))
    if pending is not None:
        raise InvitationError(_("You have already nominated %(name)s; the organizers will reply.", name=pending.name))
    nomination = Nomination(invitation_id=invitation.id, name=name, email=email,
                            position=" ".join((data.get("position") or "").split())[:300],
                            organization=" ".join((data.get("organization") or "").split())[:300])
    db.session.add(nomination)
    record("invitation.nominate", nomination, actor_label=VIA_LINK,
           changes={"name": [None, name], "email": [None, email]})
    if invitation.status in {"invited", "tentative", "accepted"}:
        answer(invitation, InvitationStatus.DECLINED.value, reason=f"Nominated a substitute: {name}",
               today=today)
    return nomination


def decide_nomination(nomination: Nomination, accept: bool, *, actor) -> Invitation | None:
    """Accept (the substitute gets a planned invitation of their own, replacing the nominator) or refuse."""
    if nomination.status != NominationStatus.PENDING.value:
        raise InvitationError("This nomination was already decided.")
    nomination.decided_at = utcnow()
    nomination.decided_by_id = actor_id(actor)
    original = nomination.invitation
    result = None
    if accept:
        person = find_person_by_email(nomination.email) or create_person(
            {"name": nomination.name, "email": nomination.email, "position": nomination.position,
             "organization_name": nomination.organization}, actor=actor)
        if person.id is not None and person.id in on_list_person_ids(original.convening):
            raise InvitationError(f"{person.name} is already on the guest list.")
        result = create_invitation(original.convening, person, role=original.role,
                                   priority=Priority.FIRST_CHOICE.value, actor=actor, replaces=original,
                                   via=f"nominated by {original.person.name}")
        nomination.result_invitation_id = result.id
    nomination.status = NominationStatus.ACCEPTED.value if accept else NominationStatus.REFUSED.value
    record("invitation.nomination_decided", nomination, actor=actor, changes={"status": ["pending", nomination.status]})
    return result
