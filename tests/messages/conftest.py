"""An organizer's convening in a series, invitees in French and English, and reading the outbox."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.invitations.conftest import outbox  # noqa: F401  (re-exported for the tests here)


@pytest.fixture
def organizer(make, sign_in):
    return sign_in(make.user("organizer"))


@pytest.fixture
def series(make):
    return make.series(name="Strategy for Peace")


@pytest.fixture
def convening(make, organizer, series):
    return make.convening(organizers=[organizer], series=series, reply_by=date.today() + timedelta(days=30),
                          venue="Airlie Center", title="Atrocity Prevention Roundtable", status="open")


@pytest.fixture
def invited(make, convening):
    """Two invitees who have not answered: one reads French, one English."""
    french = make.invitation(convening, make.person(name="Amélie Diallo", preferred_language="fr"), status="invited")
    english = make.invitation(convening, make.person(name="Brian Osei", preferred_language="en"), status="invited")
    return {"fr": french, "en": english}
