"""A convening with people in every status, speakers and a rapporteur in its agenda, and PDF bytes."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from convene.db_types import utcnow
from tests.briefs.conftest import make_pdf




@pytest.fixture
def pdf():
    return make_pdf()


@pytest.fixture
def guests(make):
    """Convening A (organizer `org`) with: Ana accepted (speaker), Ben accepted (no e-mail), Chloé invited
    (rapporteur), Dan declined, Eve planned, Fay withdrawn, Gus attended; convening B of `other`."""
    org, other = make.user("organizer"), make.user("organizer")
    convening = make.convening(organizers=[org], title="Water Roundtable", venue="Hotel Lac", city="Geneva",
                               country="CH", status="open")
    other_convening = make.convening(organizers=[other])
    people = {}
    for key, name, status, extra in (
            ("ana", "Ana Alves", "accepted", {}), ("ben", "Ben Bauer", "accepted", {"email": None}),
            ("chloe", "Chloé Colin", "invited", {"preferred_language": "fr"}), ("dan", "Dan Diaz", "declined", {}),
            ("eve", "Eve Evans", "planned", {}), ("fay", "Fay Fox", "withdrawn", {}),
            ("gus", "Gus Grant", "attended", {})):
        person = make.person(name=name, **extra)
        people[key] = make.invitation(convening, person, status=status,
                                      invited_at=None if status == "planned" else utcnow())
    session = make.agenda_session(convening, title="Opening")
    make.session_role(session, people["ana"].person, "speaker")
    make.session_role(session, people["chloe"].person, "rapporteur")
    stranger = make.invitation(other_convening, status="accepted", invited_at=utcnow())
    return SimpleNamespace(org=org, other=other, convening=convening, other_convening=other_convening,
                           stranger=stranger, session=session, **people)
