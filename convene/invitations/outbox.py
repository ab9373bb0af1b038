"""Personal RSVP links and queuing a message to an invitee.

E-mail goes through the outbox (`mail.services.queue_message`) in the same transaction as
the status change it reports, so an invitation is marked sent exactly when its message is queued.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from ..convenings.models import Convening
from ..mail.services import MailError, check_header_value, normalise_address, queue_message
from ..mail.wording import RenderedMessage
from ..tokens import services as tokens
from ..urls import absolute_url
from .lifecycle import InvitationError
from .models import Invitation


def link_expiry(convening: Convening) -> datetime:
    """Links stop working the day after the convening ends (a day's margin for every time zone)."""
    return datetime.combine(convening.ends_on + timedelta(days=2), time.min, tzinfo=timezone.utc)


def rsvp_link(invitation: Invitation, *, revoke_previous: bool) -> str:
    """Issue a personal RSVP token and return its absolute link.

    Re-issuing with revoke_previous makes every earlier link stop working (a leaked link);
    reminders and confirmations add a link without disabling the one in the invitation.
    """
    raw = tokens.issue("rsvp", invitation_id=invitation.id, expires_at=link_expiry(invitation.convening),
                       revoke_previous=revoke_previous)
    return absolute_url("invitations.rsvp", token=raw)


def sendable_problem(invitation: Invitation) -> str | None:
    """Why no e-mail can go to this invitee, or None."""
    person = invitation.person
    if person.erased_at is not None:
        return f"{person.name}: erased from the directory."
    if not person.email:
        return f"{person.name}: no e-mail address in the directory."
    try:
        normalise_address(person.email)
        check_header_value(person.display_name, "name", 200)
    except MailError as error:
        return f"{person.name!r}: {error}"
    return None


def queue_mail(invitation: Invitation, message: RenderedMessage, *, kind: str, dedupe_key: str,
               calendar: bytes | None = None, calendar_method: str | None = None):
    """Queue one rendered message to the invitee; a refused message raises InvitationError (nothing is marked)."""
    person = invitation.person
    try:
        return queue_message(to_address=person.email or "", to_name=person.display_name, subject=message.subject,
                             text=message.text, html=message.html, calendar=calendar,
                             calendar_method=calendar_method, kind=kind, convening_id=invitation.convening_id,
                             invitation_id=invitation.id, person_id=person.id, dedupe_key=dedupe_key)
    except MailError as error:
        raise InvitationError(f"Nothing was sent: the message to {person.name} could not be queued ({error}).") \
            from error
