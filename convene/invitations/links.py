"""The attendee's personal links: one lasting page link per invitation, one feed per person and convening.

Every message to an invitee about a convening (invitation, confirmation, reminders, agenda notices,
notes shared for review, brief review) carries the same page link. It stops working only when the
organizers reissue it, when the attendee reports it forwarded, or when the retention rule ends it
(RETENTION_MONTHS after the convening). The calendar feed is a separate address, so renewing one
never touches the other unless the attendee asks for both.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from flask import current_app, render_template

from ..audit.services import record
from ..convenings.models import Convening
from ..mail.services import queue_message
from ..tokens import services as tokens
from ..tokens.models import Purpose
from ..urls import absolute_url, webcal
from .models import Invitation

#: Average month length, for turning RETENTION_MONTHS into an expiry date.
DAYS_PER_MONTH = 30.44


def link_expiry(convening: Convening) -> datetime:
    """Personal links end with the retention rule: RETENTION_MONTHS after the convening's last day."""
    months = int(current_app.config.get("RETENTION_MONTHS", 24))
    last_day = convening.ends_on + timedelta(days=round(months * DAYS_PER_MONTH) + 1)
    return datetime.combine(last_day, time.min, tzinfo=timezone.utc)


def home_token(invitation: Invitation) -> str:
    """The secret of the invitation's one lasting page link (issued the first time it is needed)."""
    return tokens.lasting(Purpose.RSVP, expires_at=link_expiry(invitation.convening), invitation_id=invitation.id)


def home_url(invitation: Invitation, endpoint: str = "invitations.rsvp", **values) -> str:
    """The absolute address of the attendee home (or another page under it) for e-mails."""
    return absolute_url(endpoint, token=home_token(invitation), **values)


def feed_token(invitation: Invitation) -> str:
    """The secret of the person's calendar feed for this convening (one per person and convening)."""
    return tokens.lasting(Purpose.FEED, expires_at=link_expiry(invitation.convening),
                          person_id=invitation.person_id, convening_id=invitation.convening_id)


def feed_urls(invitation: Invitation) -> dict[str, str]:
    """{'https': …, 'webcal': …} of the person's feed for this convening."""
    url = absolute_url("ics.feed", token=feed_token(invitation))
    return {"https": url, "webcal": webcal(url)}


def end_home_link(invitation: Invitation, because: str) -> int:
    """Switch off every page link of the invitation (the next message carries a new one)."""
    return tokens.revoke(Purpose.RSVP, because=because, invitation_id=invitation.id)


def renew_feed(invitation: Invitation, because: str = "replaced") -> dict[str, str]:
    """A new feed address for this person and convening; the old one answers 410."""
    tokens.revoke(Purpose.FEED, because=because, person_id=invitation.person_id,
                  convening_id=invitation.convening_id)
    return feed_urls(invitation)


def report_forwarded(invitation: Invitation, *, renew_calendar: bool) -> None:
    """The attendee says their link was forwarded: end it, e-mail a new one, optionally renew the feed."""
    end_home_link(invitation, "forwarded")
    if renew_calendar:
        renew_feed(invitation, "forwarded")
    person = invitation.person
    queue_message(to_address=person.email or "", to_name=person.display_name, kind="other",
                  subject=f"Your new personal link: {invitation.convening.title}"[:300],
                  text=render_template("emails/new_personal_link.txt", invitation=invitation, person=person,
                                       link=home_url(invitation), renew_calendar=renew_calendar),
                  convening_id=invitation.convening_id, invitation_id=invitation.id, person_id=person.id)
    record("invitation.link_forwarded", invitation, actor_label="attendee via personal link",
           changes={"calendar_renewed": [None, renew_calendar]})
