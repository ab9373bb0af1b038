"""Every e-mail an invitee, attendee, next-step owner or reviewer gets is in their language.

Each message is queued the way Convene queues it (the areas' own functions), for a person who chose
French or Spanish; the outbox then holds no English sentence of the catalog in its subject or body.
A person who chose nothing reads the convening's language, else English.
"""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from convene.actions import followup
from convene.agenda import notify
from convene.agenda.versions import AgendaVersion
from convene.briefs.review import send_review_links
from convene.extensions import db
from convene.invitations import links as invitation_links
from convene.invitations.calendar_mail import queue_itip
from convene.invitations.reminders import send_reminder
from convene.mail.models import OutboxMessage
from convene.notes import services as notes
from tests.i18n.test_attendee_pages import english_left
from tests.ics.test_http import publish

#: Every calendar message to an invitee: (message folder, iTIP method).
CALENDAR_MESSAGES = (("invitation_confirmed", "REQUEST"), ("convening_changed", "REQUEST"),
                     ("invitation_withdrawn", "CANCEL"), ("answer_withdrawn", "CANCEL"),
                     ("convening_cancelled", "CANCEL"))


def queue_every_attendee_message(client, make, sign_in, language):
    """Queue each kind of message to one person who reads `language`; returns their outbox."""
    organizer = sign_in(make.user("organizer"))
    soon = date.today() + timedelta(days=30)
    convening = make.convening(organizers=[organizer], title="Sahel Dialogue", starts_on=soon,
                               ends_on=soon + timedelta(days=1), reply_by=soon - timedelta(days=5),
                               venue="Hotel Terrou-Bi", city="Dakar", country="SN", timezone="Africa/Dakar",
                               attribution_rule="chatham_house")
    person = make.person(name="Awa Ndiaye", preferred_language=language)
    invitation = make.invitation(convening, person, status="invited")
    session = make.agenda_session(convening, title="Plenario", room="Salle A")
    make.session_role(session, person, "rapporteur")
    db.session.commit()
    send_reminder(invitation)
    invitation.status = "accepted"
    for message, method in CALENDAR_MESSAGES:
        queue_itip(invitation, method, message=message, kind="calendar_update")
    db.session.commit()  # the requests below write too (SQLite allows one writer)
    publish(client, convening)
    version = db.session.scalar(sa.select(AgendaVersion).where(AgendaVersion.convening_id == convening.id))
    notify.notify_publication(convening, version)
    session.room = "Salle B"
    session.title = "Plenario (nuevo)"
    db.session.commit()
    client.post(f"/convenings/{convening.id}/agenda/publish", data={"notify": "y"})
    brief = make.brief(title="Memo", convenings=[convening], status="review")
    send_review_links(brief, organizer, lambda i: invitation_links.home_url(i, "briefs.review_list"))
    make.action(convening, text="Call the envoy", owner_person_id=person.id)
    followup.issue_owner_link(person, organizer)
    note = notes.start_note(session, organizer)
    notes.save_revision(note, summary="S", body="B", base=None, actor=organizer)
    notes.change_status(note, "shared", organizer)
    notes.tell_participants(note)
    db.session.commit()
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.person_id == person.id)))


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_attendee_message_is_in_their_language(client, make, sign_in, language):
    messages = queue_every_attendee_message(client, make, sign_in, language)
    kinds = {m.kind for m in messages}
    assert {"reminder", "calendar_update", "agenda_change", "owner_link", "notes_shared"} <= kinds
    assert len(messages) >= 11, [m.subject for m in messages]
    for message in messages:
        assert english_left(f"{message.subject}\n{message.text}", language) == [], message.subject
    agenda_file = next(m.calendar for m in messages if m.kind == "agenda_change").decode().replace("\r\n ", "")
    words = {"fr": ("Rapporteur·se: Awa Ndiaye", "Programme : http", "mon programme"),
             "es": ("Relator/a: Awa Ndiaye", "Programa: http", "mi programa")}[language]
    assert all(w in agenda_file for w in words), agenda_file  # the attached file speaks the same language
    assert "Agenda: http" not in agenda_file and "my agenda" not in agenda_file


def test_the_convenings_language_when_the_person_chose_none(client, make, sign_in):
    organizer = sign_in(make.user("organizer"))
    convening = make.convening(organizers=[organizer], reply_by=date.today() + timedelta(days=9))
    invitation = make.invitation(convening, make.person(name="Kofi Mensah"), status="invited")
    convening.default_language = "es"
    db.session.commit()
    send_reminder(invitation)
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "reminder"))
    assert message.subject.startswith("Recordatorio") and "Estimado/a Kofi Mensah:" in message.text
    invitation.person.preferred_language = "fr"
    send_reminder(invitation)
    latest = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert latest.subject.startswith("Rappel") and "Bonjour Kofi Mensah," in latest.text
