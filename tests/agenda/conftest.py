"""Helpers for agenda tests: a convening with an organizer and a guest list."""
from datetime import date, datetime, timezone

import pytest

from convene.extensions import db
from convene.tokens import services as tokens


@pytest.fixture
def setup(make, sign_in):
    """An organizer (signed in), a 3-day convening in New York and three accepted guests."""
    organizer = sign_in(make.user("organizer"))
    convening = make.convening(organizers=[organizer], starts_on=date(2031, 3, 8), ends_on=date(2031, 3, 10),
                               timezone="America/New_York", venue="Airlie", attribution_rule="chatham_house")
    guests = [make.person(name=n, listing_consent=c, timezone=tz) for n, c, tz in
              (("Amina Diallo", True, "Africa/Dakar"), ("Bo Chen", False, ""), ("Carla Ruiz", True, ""))]
    for guest in guests:
        make.invitation(convening, guest, status="accepted")
    return {"organizer": organizer, "convening": convening, "guests": guests}


@pytest.fixture
def rsvp_token(app):
    """rsvp_token(invitation) → a raw RSVP token, as the invitations area would e-mail it."""
    def issue(invitation):
        raw = tokens.issue("rsvp", invitation_id=invitation.id)
        db.session.commit()
        return raw
    return issue


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def session_form(**overrides):
    data = {"title": "Opening plenary", "kind": "plenary", "day": "2031-03-08", "start_time": "09:00",
            "end_time": "10:30", "timezone": "America/New_York", "room": "Main hall",
            "description": "Welcome", "open_to_all": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
