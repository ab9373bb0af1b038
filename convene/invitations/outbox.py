"""Personal RSVP links and queuing a message to an invitee.

E-mail goes through the outbox (`mail.services.queue_message`) in the same transaction as
the status change it reports, so an invitation is marked sent exactly when its message is queued.
"""
from __future__ import annotations

from ..mail.services import MailError, check_header_value, normalise_address, queue_message
from ..mail.wording import RenderedMessage
from . import links
from .lifecycle import InvitationError
from .models import Invitation


def rsvp_link(invitation: Invitation, *, revoke_previous: bool = False) -> str:
    """The invitee's one lasting personal link (links.py); revoke_previous is the organizers' reissue."""
    if revoke_previous:
        links.end_home_link(invitation, "reissued")
    return links.home_url(invitation)


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
