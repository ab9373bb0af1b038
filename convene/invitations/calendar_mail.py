"""Calendar e-mails (iTIP REQUEST and CANCEL) to invitees, and telling accepted invitees of changes."""
from __future__ import annotations

from email.utils import parseaddr

from flask import current_app

from ..convenings.models import Convening
from ..db_types import utcnow
from ..ics.builders import convening_itip
from ..mail.wording import render_message
from ..templating import date_range
from ..urls import absolute_url
from .invitation_template import venue_text
from .lifecycle import invitations_with_status
from .models import Invitation, InvitationStatus
from .outbox import queue_mail, rsvp_link, sendable_problem


def _organizer_identity(convening: Convening) -> tuple[str, str]:
    """(name, address) that calendar ORGANIZER and replies use: the configured sender."""
    name, address = parseaddr(current_app.config.get("MAIL_SENDER") or "")
    return (name or "Convene"), (address or "convene@localhost")


def next_sequence(invitation: Invitation) -> int:
    """The SEQUENCE of the next iTIP message to this invitee: never lower than one already sent."""
    base = invitation.convening.ical_sequence
    if invitation.ical_sent_at is None:
        return max(base, invitation.ical_sequence)
    return max(base, invitation.ical_sequence + 1)


def queue_itip(invitation: Invitation, method: str, *, message: str, kind: str) -> bool:
    """E-mail the invitee an iTIP calendar (REQUEST or CANCEL) with the words of `message`
    (a folder of templates/mail/messages/); False when they have no usable address."""
    if sendable_problem(invitation) is not None:
        return False
    convening, person = invitation.convening, invitation.person
    sequence = next_sequence(invitation)
    organizer_name, organizer_email = _organizer_identity(convening)
    calendar = convening_itip(convening, person, method=method, sequence=sequence,
                              organizer_email=organizer_email, organizer_name=organizer_name,
                              base_url=absolute_url("dashboard.index"))
    link = rsvp_link(invitation, revoke_previous=False) if method == "REQUEST" else None
    words = render_message(message, name=person.display_name, title=convening.title,
                           dates=date_range(convening.starts_on, convening.ends_on), venue=venue_text(convening),
                           attribution=convening.attribution_text, link=link)
    queue_mail(invitation, words, kind=kind, dedupe_key=f"itip:{invitation.id}:{sequence}", calendar=calendar,
               calendar_method=method)
    invitation.ical_sequence = sequence
    invitation.ical_sent_at = utcnow()
    return True


def notify_convening_changed(convening: Convening) -> int:
    """E-mail every accepted invitee an iTIP REQUEST with a higher SEQUENCE (dates, venue changed)."""
    sent = 0
    for invitation in invitations_with_status(convening, {InvitationStatus.ACCEPTED.value}):
        sent += queue_itip(invitation, "REQUEST", message="convening_changed", kind="calendar_update")
    return sent


def notify_convening_cancelled(convening: Convening) -> int:
    """E-mail an iTIP CANCEL to everyone who accepted or answered tentative."""
    sent = 0
    for invitation in invitations_with_status(convening, {"accepted", "tentative"}):
        sent += queue_itip(invitation, "CANCEL", message="convening_cancelled", kind="cancellation")
    return sent
