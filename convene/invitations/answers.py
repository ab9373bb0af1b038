"""Invitees' answers (through their link, or recorded offline by an organizer) and their own details."""
from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit.services import apply_changes, record
from ..convenings.models import Convening, ConveningStatus
from ..editing import check_version
from ..extensions import db
from ..people.models import Gender, Person, Sector
from ..people.services import change_organization
from ..templating import long_date
from .calendar_mail import queue_itip
from .confirmation import confirmed_by_invitee
from .lifecycle import VIA_LINK, InvitationError, change_status
from .models import ANSWERED, Invitation, InvitationStatus

#: Channels an organizer may record an offline reply from.
OFFLINE_CHANNELS = {"phone": "phone call", "letter": "letter", "email": "e-mail to the organizers",
                    "in_person": "in person", "other": "other"}


def meeting_over(invitation: Invitation, today: date | None = None) -> bool:
    """True once answers are over: the invitation was never sent or was withdrawn, or the meeting is past."""
    convening = invitation.convening
    return invitation.status in {"attended", "no_show", "planned", "withdrawn"} or convening.status in {
        ConveningStatus.HELD.value, ConveningStatus.CLOSED.value} or (today or date.today()) > convening.ends_on


def answer_closed_reason(invitation: Invitation, today: date | None = None) -> str | None:
    """Why the invitee can no longer answer through their link, or None while they can."""
    today = today or date.today()
    convening = invitation.convening
    if invitation.status == InvitationStatus.WITHDRAWN.value:
        return _("This invitation has been withdrawn by the organizers.")
    if meeting_over(invitation, today):
        return _("The meeting has taken place; answers are closed.")
    if invitation.status in ANSWERED and convening.reply_by and today > convening.reply_by:
        return _("The reply-by date (%(date)s) has passed, so your answer can no longer be changed here. "
                 "Please write to the organizers.", date=long_date(convening.reply_by))
    return None


def _seats_left(convening: Convening) -> int | None:
    if convening.capacity is None:
        return None
    if db.session.get_bind().dialect.name == "postgresql":  # serialise acceptances for the last seats
        db.session.execute(sa.select(Convening.id).where(Convening.id == convening.id).with_for_update())
    taken = db.session.scalar(sa.select(sa.func.count(Invitation.id)).where(
        Invitation.convening_id == convening.id, Invitation.status == InvitationStatus.ACCEPTED.value))
    return convening.capacity - (taken or 0)


def answer(invitation: Invitation, new_status: str, *, reason: str = "", actor=None, via: str = VIA_LINK,
           seen_version: int | None = None, today: date | None = None, offline: bool = False) -> bool:
    """Record accept / tentative / decline; acceptance e-mails the calendar, leaving sends a CANCEL.

    Through the personal link the rules of answer_closed_reason apply; an organizer recording an
    offline reply (offline=True) may record it at any time before attendance is marked.
    """
    check_version(invitation, seen_version)
    if new_status not in ANSWERED:
        raise InvitationError(_("Choose accept, tentative or decline."))
    reason = " ".join((reason or "").split())[:1000]
    closed = answer_closed_reason(invitation, today)
    if closed and not (offline and invitation.status in {"invited", *ANSWERED}):
        raise InvitationError(closed)
    before = invitation.status
    if new_status == before:
        if new_status == InvitationStatus.DECLINED.value and reason != invitation.decline_reason:
            record("invitation.decline_reason", invitation, actor=actor, actor_label=via,
                   changes={"decline_reason": [invitation.decline_reason, reason]})
            invitation.decline_reason = reason
        if not offline:
            confirmed_by_invitee(invitation)
        return False
    if new_status == InvitationStatus.ACCEPTED.value:
        left = _seats_left(invitation.convening)
        if left is not None and left <= 0:
            raise InvitationError(_("All seats are taken. Please answer “tentative” and the organizers will "
                                    "contact you if a place becomes free."))
    change_status(invitation, new_status, actor=actor, via=via)
    invitation.decline_reason = reason if new_status == InvitationStatus.DECLINED.value else ""
    _calendar_after_answer(invitation, before, new_status)
    if not offline:  # the invitee's own answer, through their link (after the versioned flush)
        confirmed_by_invitee(invitation)
    return True


def _calendar_after_answer(invitation: Invitation, before: str, after: str) -> None:
    if after == InvitationStatus.ACCEPTED.value:
        queue_itip(invitation, "REQUEST", message="invitation_confirmed", kind="confirmation")
    elif before == InvitationStatus.ACCEPTED.value and after == InvitationStatus.DECLINED.value:
        queue_itip(invitation, "CANCEL", message="answer_withdrawn", kind="cancellation")


def record_offline_reply(invitation: Invitation, new_status: str, *, channel: str, note: str, actor,
                         seen_version: int | None = None) -> bool:
    """An answer received by phone, letter or e-mail, recorded by an organizer on the invitee's behalf."""
    if channel not in OFFLINE_CHANNELS:
        raise InvitationError("Choose how the reply was received.")
    note = " ".join((note or "").split())[:200]
    via = f"recorded by organizer: {OFFLINE_CHANNELS[channel]}" + (f" ({note})" if note else "")
    if invitation.status == InvitationStatus.PLANNED.value:
        change_status(invitation, InvitationStatus.INVITED.value, actor=actor, via=via)
    return answer(invitation, new_status, reason=note if new_status == "declined" else "", actor=actor, via=via,
                  seen_version=seen_version, offline=True)


PROFILE_FIELDS = ("position", "country", "sector", "gender", "gender_self_described", "nationality",
                  "dietary_needs", "access_needs", "listing_consent")


def update_profile(person: Person, data: dict[str, Any], *, seen_version: int | None = None,
                   actor_label: str = VIA_LINK) -> dict[str, list]:
    """The invitee confirms or corrects their own details (sensitive values are masked in the audit)."""
    check_version(person, seen_version)
    clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    for key in ("country", "nationality", "sector", "gender"):
        clean[key] = (clean.get(key) or None)
        if clean[key] and key in ("country", "nationality"):
            clean[key] = clean[key].upper()
    if clean.get("sector") and clean["sector"] not in {s.value for s in Sector}:
        raise InvitationError(_("Choose a sector from the list."))
    if clean.get("gender") and clean["gender"] not in {g.value for g in Gender}:
        raise InvitationError(_("Choose a gender from the list."))
    if clean.get("gender") != Gender.SELF_DESCRIBED.value:
        clean["gender_self_described"] = ""
    changes = apply_changes(person, clean, PROFILE_FIELDS)
    if "organization_name" in clean:
        changes.update(change_organization(person, clean["organization_name"]))
    if changes:
        record("person.update", person, actor_label=actor_label, changes=changes)
    return changes
