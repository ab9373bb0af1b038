"""Where a series' look shows beyond pages: the next e-mail (over real SMTP), badges and name tents (PDF),
and the one lookup per request that keeps list pages at a fixed number of queries."""
from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from convene.convenings import brand, logos
from convene.correspondence import services as correspondence
from convene.correspondence.services import Draft
from convene.extensions import db
from convene.mail.worker import deliver_pending
from convene.invitations.models import Invitation
from convene.invitations.reminders import send_reminder
from convene.mail.models import OutboxMessage
from convene.messages.kinds import KINDS
from convene.messages.preview import preview
from convene.messages.services import save_text
from tests.convenings.test_brand import image_bytes

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None and not __import__("os").environ.get("CI"),
                                   reason="poppler-utils (pdftotext) is not installed")


@pytest.fixture
def uploads(app, tmp_path):
    before = app.config.get("UPLOADS_DIR")
    app.config["UPLOADS_DIR"] = str(tmp_path)
    yield tmp_path
    app.config["UPLOADS_DIR"] = before


@pytest.fixture
def branded(make, sign_in, uploads):
    """A series with its own look (logo included), an edition organized by the signed-in organizer."""
    organizer = sign_in(make.user("organizer"))
    series = make.series(name="Strategy for Peace")
    convening = make.convening(organizers=[organizer], series=series, title="Strategy for Peace 2031",
                               starts_on=date.today() + timedelta(days=60), ends_on=date.today() + timedelta(days=61),
                               reply_by=date.today() + timedelta(days=30), status="open")
    logo = image_bytes("PNG")
    swap = brand.save_brand(series, {"organization": "Foundation for Peaceful Futures", "accent": "#8a1538",
                                     "footer": "Rue de la Paix 1, 1202 Geneva", "contact": "events@fpf.example"},
                            actor=organizer, logo=logo)
    logos.write(swap.new, logo)
    db.session.commit()
    return {"organizer": organizer, "series": series, "convening": convening}


def test_the_next_invitation_carries_the_foundations_name_footer_and_contact(client, make, branded, smtp_sink):
    convening = branded["convening"]
    person = make.person(name="Amina Mohammed", email="amina@example.org")
    french = make.person(name="Jeanne Martin", email="jeanne@example.org", preferred_language="fr")
    ids = [str(make.invitation(convening, p).id) for p in (person, french)]
    response = client.post(f"/convenings/{convening.id}/guests/bulk",
                           data={"invitation_ids": ids, "action": "send", "confirmed": "1"})
    assert response.status_code == 302
    assert deliver_pending() == (2, 0)

    [message] = smtp_sink.to("amina@example.org")
    text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert text.rstrip().endswith("-- \nFoundation for Peaceful Futures\nRue de la Paix 1, 1202 Geneva\n"
                                  "Contact: events@fpf.example")
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "background:#8a1538" in html and "Foundation for Peaceful Futures</p>" in html
    assert "Contact: events@fpf.example" in html and "<img" not in html  # no remote image in mail
    # The invitation is in the language of the text the organizer wrote (English here); a reminder is in
    # the invitee's own language, and so is its footer.
    invitation = db.session.get(Invitation, int(ids[1]))
    assert send_reminder(invitation)
    db.session.commit()
    reminder = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "reminder")).one()
    assert reminder.text.rstrip().endswith("Contact : events@fpf.example") and "Foundation for Peaceful" in reminder.html


def test_mail_of_an_unbranded_convening_is_as_before(client, make, sign_in):
    organizer = sign_in(make.user("organizer"))
    convening = make.convening(organizers=[organizer], reply_by=date.today() + timedelta(days=30))
    invitation = make.invitation(convening, make.person(email="someone@example.org"))
    client.post(f"/convenings/{convening.id}/guests/bulk", data={"invitation_ids": [str(invitation.id)],
                                                                 "action": "send", "confirmed": "1"})
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert "-- \n" not in message.text and "Contact" not in message.text
    assert "background:" not in message.html


@needs_poppler
def test_badges_and_name_tents_carry_the_organization_name(client, make, branded, tmp_path):
    convening = branded["convening"]
    make.invitation(convening, make.person(name="Amina Mohammed"), status="accepted")
    for what in ("badges", "name-tents"):
        response = client.get(f"/convenings/{convening.id}/printables/{what}.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        path = tmp_path / f"{what}.pdf"
        path.write_bytes(response.data)
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
        words = " ".join(text.split())  # lines wrap inside a badge or a tent's face
        assert "Foundation for Peaceful Futures" in words and "Amina Mohammed" in words
        images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True).stdout
        assert "image" in images  # the logo, inlined (never fetched)


def test_participant_list_page_shows_the_look(client, make, branded):
    page = client.get(f"/convenings/{branded['convening'].id}/printables/participants").get_data(as_text=True)
    assert "Foundation for Peaceful Futures</a>" in page and "/brand/" in page


def test_one_lookup_per_request_whatever_the_number_of_rows(client, make, branded, count_queries):
    """The look of a series is read once per request: an attendee agenda with more convenings or
    sessions costs no more queries for it."""
    convening = branded["convening"]
    assert convening.series_id  # loaded before counting
    with count_queries() as counter:
        for _ in range(5):
            assert brand.brand_for(convening) is brand.brand_for(convening)
    assert counter.count <= 1


def test_a_text_the_organizers_wrote_is_signed_too(make, branded):
    """The series' own reminder text (messages area) ends with the same signature as the default wording."""
    convening = branded["convening"]
    save_text(KINDS["reminder"], {"subject": "Please reply", "body": "Dear {name}, reply here: {rsvp_link}"},
              branded["organizer"], "en", series=branded["series"])
    invitation = make.invitation(convening, make.person(name="Bo Chen", email="bo@example.org"), status="invited")
    assert send_reminder(invitation)
    db.session.commit()
    reminder = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "reminder")).one()
    assert reminder.text.startswith("Dear Bo Chen, reply here: ")
    assert reminder.text.rstrip().endswith("Foundation for Peaceful Futures\nRue de la Paix 1, 1202 Geneva\n"
                                           "Contact: events@fpf.example")
    assert "background:#8a1538" in reminder.html and "Contact: events@fpf.example" in reminder.html


def test_the_messages_preview_shows_the_signature_readers_get(make, branded):
    words = preview(KINDS["reminder"], "en", None, convening=branded["convening"])
    assert words.text.rstrip().endswith("Contact: events@fpf.example")
    assert "Foundation for Peaceful Futures" in words.html


def test_a_message_written_to_participants_is_signed_with_the_look(make, branded):
    """Issue 17's done-when: after setting the look, the next e-mail (here one written on the compose page) carries it."""
    invitation = make.invitation(branded["convening"], make.person(name="Ama Mensah"), status="accepted")
    words = correspondence.preview(Draft.of("Dinner", "Hi {name}", "en", False), branded["convening"], invitation, [])
    assert words.text.rstrip().endswith("Contact: events@fpf.example")
    assert "Foundation for Peaceful Futures\nRue de la Paix 1, 1202 Geneva" in words.text
    assert "#8a1538" in words.html and "Foundation for Peaceful Futures" in words.html
