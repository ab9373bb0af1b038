"""Calendar e-mails (iTIP REQUEST and CANCEL) to invitees, and telling accepted invitees of changes.

One event per convening (its stored `ical_uid`), e-mailed to each person who accepts; every later
message about it to that person carries the same UID and a higher SEQUENCE (kept on the
invitation), the person's lasting personal link (links.py), and words rendered in their language.
The event spans the published agenda, never the draft (ics.builders.meeting_span).
"""
from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr

import sqlalchemy as sa
from flask import current_app

from ..agenda.models import AgendaVersion
from ..convenings.models import Convening
from ..db_types import utcnow
from ..extensions import db
from ..i18n.locale import attendee_language, language
from ..ics.builders import convening_itip, meeting_span
from ..messages.services import compose
from ..templating import date_range
from ..urls import absolute_url
from .invitation_template import venue_text
from .lifecycle import invitations_with_status
from .models import Invitation, InvitationStatus
from .outbox import queue_mail, rsvp_link, sendable_problem

Span = tuple[datetime, datetime]


def organizer_identity() -> tuple[str, str]:
    """(name, address) of the calendar ORGANIZER: the configured sender (MAIL_SENDER), whom the From
    header names too, so mail clients see the invitation come from its organizer.

    Read leniently: a sender without an address is refused when the message is sent (mail.message.
    sender), never here, where it would refuse the invitee's acceptance.
    """
    name, address = parseaddr(current_app.config.get("MAIL_SENDER") or "")
    return (name or "Convene"), (address if "@" in address else "convene@localhost")


def published_span(convening: Convening) -> Span:
    """What the convening's invitation spans now: its latest published agenda, else its dates."""
    snapshot = db.session.scalar(sa.select(AgendaVersion.snapshot).where(AgendaVersion.convening_id == convening.id)
                                 .order_by(AgendaVersion.number.desc()).limit(1))
    return meeting_span(convening, snapshot)


def next_sequence(invitation: Invitation) -> int:
    """The SEQUENCE of the next iTIP message to this invitee: never lower than one already sent."""
    base = invitation.convening.ical_sequence
    if invitation.ical_sent_at is None:
        return max(base, invitation.ical_sequence)
    return max(base, invitation.ical_sequence + 1)


def queue_itip(invitation: Invitation, method: str, *, message: str, kind: str, span: Span | None = None) -> bool:
    """E-mail the invitee an iTIP calendar (REQUEST or CANCEL) with the words of `message`
    (a folder of templates/mail/messages/); False when they have no usable address.

    `span` may be passed when many invitees get the same event (see published_span).
    """
    if sendable_problem(invitation) is not None:
        return False
    convening, person = invitation.convening, invitation.person
    sequence = next_sequence(invitation)
    organizer_name, organizer_email = organizer_identity()
    link = rsvp_link(invitation, revoke_previous=False) if method == "REQUEST" else None
    with language(attendee_language(person, convening)):  # the e-mail and its calendar file
        calendar = convening_itip(convening, person, method=method, sequence=sequence,
                                  organizer_email=organizer_email, organizer_name=organizer_name,
                                  base_url=absolute_url("dashboard.index"), span=span or published_span(convening))
        words = compose(message, convening, name=person.display_name, title=convening.title,
                        dates=date_range(convening.starts_on, convening.ends_on), venue=venue_text(convening),
                        attribution=convening.attribution_display, link=link)
    queue_mail(invitation, words, kind=kind, dedupe_key=f"itip:{invitation.id}:{sequence}", calendar=calendar,
               calendar_method=method)
    invitation.ical_sequence = sequence
    invitation.ical_sent_at = utcnow()
    return True


def _update_accepted(convening: Convening, message: str) -> int:
    """An iTIP REQUEST with a higher SEQUENCE to every accepted invitee (nobody else hears of it)."""
    span = published_span(convening)
    return sum(queue_itip(invitation, "REQUEST", message=message, kind="calendar_update", span=span)
               for invitation in invitations_with_status(convening, {InvitationStatus.ACCEPTED.value}))


def notify_convening_changed(convening: Convening) -> int:
    """The convening's dates, zone or venue changed: accepted invitees get the updated invitation."""
    return _update_accepted(convening, "convening_changed")


def notify_agenda_published(convening: Convening) -> int:
    """The agenda was published for the first time, or a publication moved the meeting's first or
    last session: accepted invitees get the invitation updated to the published times."""
    return _update_accepted(convening, "calendar_agenda_published")


def notify_convening_cancelled(convening: Convening) -> int:
    """E-mail an iTIP CANCEL to everyone who accepted or answered tentative."""
    sent = 0
    for invitation in invitations_with_status(convening, {"accepted", "tentative"}):
        sent += queue_itip(invitation, "CANCEL", message="convening_cancelled", kind="cancellation")
    return sent
