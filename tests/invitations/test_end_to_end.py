"""The whole cycle over real SMTP: send → worker delivers → follow the link → accept → calendar e-mail."""
from datetime import datetime, time

from icalendar import Calendar

from convene.extensions import db
from convene.invitations.models import Invitation
from convene.mail.worker import deliver_pending

from .conftest import link_path


def _calendar_part(message):
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part
    return None


def test_invitation_rsvp_and_calendar_over_real_smtp(app, client, make, convening, smtp_sink):
    person = make.person(name="Amina Mohammed", email="amina@example.org")
    invitation = make.invitation(convening, person)
    invitation_id = invitation.id
    response = client.post(f"/convenings/{convening.id}/guests/bulk",
                           data={"invitation_ids": [str(invitation_id)], "action": "send", "confirmed": "1"})
    assert response.status_code == 302
    assert deliver_pending() == (1, 0)

    [message] = smtp_sink.to("amina@example.org")
    assert str(message["Subject"]).startswith("Please reply by ")
    assert "Atrocity Prevention Roundtable" in str(message["Subject"])
    text = message.get_body(preferencelist=("plain",)).get_content()
    path = link_path(text)

    db.session.expire_all()
    before = db.session.get(Invitation, invitation_id)
    before_state = (before.status, before.version, before.responded_at)
    page = client.get(path)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Atrocity Prevention Roundtable" in body and "Airlie Center" in body
    assert "Not for attribution" in body
    assert page.headers["Cache-Control"] == "no-store"
    db.session.expire_all()
    after = db.session.get(Invitation, invitation_id)
    assert (after.status, after.version, after.responded_at) == before_state  # GET changed nothing

    response = client.post(path, data={"answer": "accepted", "version": str(after.version)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Invitation, invitation_id).status == "accepted"

    assert deliver_pending() == (1, 0)
    confirmation = smtp_sink.to("amina@example.org")[-1]
    assert str(confirmation["Subject"]).startswith("Confirmed:")
    part = _calendar_part(confirmation)
    assert part is not None
    assert part.get_param("method") == "REQUEST"
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    assert str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == convening.ical_uid
    assert int(event["SEQUENCE"]) == 0
    # From the start of the first day, in the convening's zone, busy, already accepted, no reply asked.
    assert event.decoded("DTSTART") == datetime.combine(convening.starts_on, time.min, convening.zone)
    assert str(event["TRANSP"]) == "OPAQUE"
    assert (event["ATTENDEE"].params["PARTSTAT"], event["ATTENDEE"].params["RSVP"]) == ("ACCEPTED", "FALSE")
    # The link in the confirmation still opens the page (changing the answer until reply-by).
    assert client.get(link_path(confirmation.get_body(preferencelist=("plain",)).get_content())).status_code == 200
