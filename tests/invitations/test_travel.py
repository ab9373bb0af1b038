"""Travel dates: the attendee gives them on their home page; the venue list shows them."""
import csv
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from convene.extensions import db
from convene.invitations import links as invitation_links
from convene.invitations.travel import TravelError, save_travel
from convene.models import AuditEvent

START = date.today() + timedelta(days=40)


@pytest.fixture
def attending(make):
    organizer = make.user("organizer")
    convening = make.convening(organizers=[organizer], starts_on=START, ends_on=START + timedelta(days=1))
    invitation = make.invitation(convening, make.person(name="Kofi Traveller", preferred_language="fr"),
                                 status="accepted")
    path = invitation_links.home_url(invitation).removeprefix("http://localhost")
    db.session.commit()
    return invitation, path, organizer


def test_attendee_gives_travel_dates_and_the_venue_list_shows_them(client, sign_in, attending):
    invitation, path, organizer = attending
    page = client.get(path).get_data(as_text=True)
    assert 'id="travel"' in page and 'name="arrives_on"' in page and 'type="date"' in page
    arrive, leave = START - timedelta(days=1), START + timedelta(days=2)
    response = client.post(path + "/travel", data={"arrives_on": arrive.isoformat(), "departs_on": leave.isoformat()})
    assert response.status_code == 302 and response.headers["Location"].endswith("#travel")
    db.session.expire_all()
    assert (invitation.arrives_on, invitation.departs_on) == (arrive, leave)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "invitation.travel"))
    assert event.changes["arrives_on"] == [None, arrive.isoformat()] and event.actor_id is None

    sign_in(organizer)
    csv_text = client.post(f"/convenings/{invitation.convening_id}/printables/venue-list",
                           data={"purpose": "Hotel rooms and meals at the venue", "file_format": "csv"}).get_data(as_text=True)
    row = next(csv.DictReader(io.StringIO(csv_text)))
    assert (row["Name"], row["Arrival"], row["Departure"]) == ("Kofi Traveller", arrive.isoformat(), leave.isoformat())
    html = client.post(f"/convenings/{invitation.convening_id}/printables/venue-list",
                       data={"purpose": "Hotel rooms and meals at the venue", "file_format": "html"}).get_data(as_text=True)
    assert "<th scope=\"col\">Arrival</th>" in html and "—" not in html.split("<tbody>")[1].split("</tr>")[0].split("</td>")[3]


def test_impossible_dates_are_refused_in_the_attendees_language_and_nothing_is_saved(client, attending):
    invitation, path, _ = attending
    response = client.post(path + "/travel", data={"arrives_on": (START + timedelta(days=1)).isoformat(),
                                                   "departs_on": START.isoformat()})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Votre départ ne peut pas précéder votre arrivée." in page
    assert client.post(path + "/travel", data={"arrives_on": "not a date"}).status_code == 422
    far = client.post(path + "/travel", data={"arrives_on": (START - timedelta(days=60)).isoformat()})
    assert far.status_code == 422
    db.session.expire_all()
    assert invitation.arrives_on is None and invitation.departs_on is None


def test_only_an_attendee_who_accepted_gives_travel_dates(make, attending):
    invitation, _, _ = attending
    invitation.status = "declined"
    with pytest.raises(TravelError):
        save_travel(invitation, START, START)
    invitation.status = "accepted"
    assert save_travel(invitation, None, START) is True
    assert save_travel(invitation, None, START) is False  # unchanged: nothing recorded


def test_travel_dates_are_in_the_attendees_data_export(client, attending):
    invitation, path, _ = attending
    client.post(path + "/travel", data={"arrives_on": START.isoformat()})
    exported = client.post(path + "/export").get_data(as_text=True)
    assert f'"arrives_on": "{START.isoformat()}"' in exported
