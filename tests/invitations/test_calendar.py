import pytest
from icalendar import Calendar

from convene.convenings import services as convening_services
from convene.extensions import db
from convene.invitations import answers, calendar_mail, sending
from convene.invitations.models import Invitation

from .conftest import outbox


def _ics(message):
    calendar = Calendar.from_ical(message.calendar)
    [event] = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), int(event["SEQUENCE"]), str(event["UID"]), event


def _accepted(make, convening, organizer, name="Accepted Guest"):
    invitation = make.invitation(convening, make.person(name=name))
    sending.send_invitations(convening, [invitation], actor=organizer)
    answers.answer(invitation, "accepted")
    db.session.commit()
    return invitation


def test_acceptance_queues_request_with_invitations_sequence(make, convening, organizer):
    invitation = _accepted(make, convening, organizer)
    [message] = outbox(kind="confirmation")
    method, sequence, uid, event = _ics(message)
    assert (method, sequence, uid) == ("REQUEST", 0, convening.ical_uid)
    assert message.calendar_method == "REQUEST"
    assert invitation.ical_sequence == 0 and invitation.ical_sent_at is not None
    assert "ATTENDEE" in event and "ORGANIZER" in event


def test_convening_change_sends_update_with_higher_sequence_to_accepted_only(make, convening, organizer):
    accepted = _accepted(make, convening, organizer)
    declined = make.invitation(convening, make.person(name="Declined Guest"))
    sending.send_invitations(convening, [declined], actor=organizer)
    answers.answer(declined, "declined")
    db.session.commit()
    # Editing the venue queues the update itself, in the same transaction as the edit.
    convening_services.update_convening(convening, {"venue": "Geneva Palais", "version": convening.version},
                                        actor=organizer)
    db.session.commit()
    [update] = outbox(kind="calendar_update")
    method, sequence, uid, event = _ics(update)
    assert update.invitation_id == accepted.id
    assert (method, uid) == ("REQUEST", convening.ical_uid)
    assert sequence == 1 and sequence >= convening.ical_sequence
    assert "Geneva Palais" in str(event["LOCATION"])
    # A second notification without a change still never repeats a SEQUENCE.
    calendar_mail.notify_convening_changed(convening)
    db.session.commit()
    assert [_ics(m)[1] for m in outbox(kind="calendar_update")] == [1, 2]


def test_declining_after_accepting_sends_cancel(make, convening, organizer):
    invitation = _accepted(make, convening, organizer)
    answers.answer(invitation, "declined", reason="Illness")
    db.session.commit()
    [cancel] = outbox(kind="cancellation")
    method, sequence, uid, event = _ics(cancel)
    assert (method, sequence, uid) == ("CANCEL", 1, convening.ical_uid)
    assert str(event["STATUS"]) == "CANCELLED"


def test_withdrawing_an_accepted_invitee_sends_cancel_and_their_link_says_so(client, make, convening, organizer):
    """Issue 14: a withdrawn invitee's link shows a clear page saying what happened, and nothing else
    (before, the link was revoked and answered 410 "revoked by the organizers")."""
    invitation = _accepted(make, convening, organizer)
    make.agenda_session(convening, title="Opening plenary")
    response = client.post(f"/convenings/{convening.id}/guests/bulk",
                           data={"invitation_ids": [str(invitation.id)], "action": "remove", "confirmed": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).status == "withdrawn"
    [cancel] = outbox(kind="cancellation")
    assert _ics(cancel)[0] == "CANCEL"
    link = outbox(kind="invitation")[0].text
    from .conftest import link_path
    attendee = client.application.test_client()
    page = attendee.get(link_path(link))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "The organizers have withdrawn this invitation." in text
    assert 'name="answer"' not in text and "/agenda" not in text.split("</nav>")[-1]
    agenda = attendee.get(link_path(link) + "/agenda").get_data(as_text=True)
    assert "Opening plenary" not in agenda


def test_convening_cancelled_sends_cancel_to_accepted_and_tentative(make, convening, organizer):
    _accepted(make, convening, organizer, "One")
    tentative = make.invitation(convening, make.person(name="Two"))
    sending.send_invitations(convening, [tentative], actor=organizer)
    answers.answer(tentative, "tentative")
    assert calendar_mail.notify_convening_cancelled(convening) == 2
    db.session.commit()
    assert {_ics(m)[0] for m in outbox(kind="cancellation")} == {"CANCEL"}


# --- issue 14 item 4: calendar messages that calendars accept as they are -------------------

from datetime import date, datetime, timedelta, timezone  # noqa: E402
from email import message_from_bytes, policy  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from convene.agenda import notify, versions  # noqa: E402
from convene.mail.message import build_message  # noqa: E402

from .conftest import link_path  # noqa: E402


@pytest.fixture
def geneva(make, organizer):
    """Three days in Geneva, starting sixty days from now."""
    start = date.today() + timedelta(days=60)
    return make.convening(organizers=[organizer], starts_on=start, ends_on=start + timedelta(days=2),
                          timezone="Europe/Zurich", venue="Palais Wilson", title="Geneva Dialogue",
                          reply_by=date.today() + timedelta(days=30))


def _event(message):
    """METHOD and the one VEVENT of a queued message's calendar, parsed independently of Convene."""
    calendar = Calendar.from_ical(message.calendar)
    assert calendar.get_missing_tzids() == set()
    [event] = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


def _with_status(make, convening, organizer, status, name):
    invitation = make.invitation(convening, make.person(name=name))
    sending.send_invitations(convening, [invitation], actor=organizer)
    answers.answer(invitation, status)
    db.session.commit()
    return invitation


def test_acceptance_request_is_accepted_asks_no_reply_is_busy_from_the_sender_over_the_days(
        app, make, geneva, organizer, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SENDER", "Geneva Secretariat <secretariat@convene.example.org>")
    # A draft session on the first afternoon only: the invitation must not shrink to it.
    make.agenda_session(geneva, starts_at=datetime.combine(geneva.starts_on, datetime.min.time(), timezone.utc)
                        + timedelta(hours=13), ends_at=datetime.combine(geneva.starts_on, datetime.min.time(),
                                                                        timezone.utc) + timedelta(hours=15))
    invitation = _with_status(make, geneva, organizer, "accepted", "Accepted Guest")
    [message] = outbox(kind="confirmation")
    method, event = _event(message)
    assert method == "REQUEST" == message.calendar_method
    attendee = event["ATTENDEE"]
    assert str(attendee) == f"mailto:{invitation.person.email}"
    assert (attendee.params["PARTSTAT"], attendee.params["RSVP"]) == ("ACCEPTED", "FALSE")
    assert str(event["TRANSP"]) == "OPAQUE"
    assert str(event["ORGANIZER"]) == "mailto:secretariat@convene.example.org"
    assert event["ORGANIZER"].params["CN"] == "Geneva Secretariat"
    zone = ZoneInfo("Europe/Zurich")
    assert event.decoded("DTSTART") == datetime.combine(geneva.starts_on, datetime.min.time(), zone)
    assert event.decoded("DTEND") == datetime.combine(geneva.ends_on + timedelta(days=1), datetime.min.time(), zone)
    assert str(event["UID"]) == geneva.ical_uid and event["SEQUENCE"] == 0
    # The e-mail as sent: From is the organizer, and the text/calendar part's method is the METHOD.
    mime = message_from_bytes(build_message(message).as_bytes(), policy=policy.default)
    assert "secretariat@convene.example.org" in mime["From"]
    [part] = [p for p in mime.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"


def _publish(convening, organizer):
    """Publish as the publish page does with "E-mail the people affected" ticked."""
    version, _ = versions.publish(convening, actor=organizer)
    notify.notify_publication(convening, version)
    db.session.commit()


def test_first_publication_updates_accepted_only_same_uid_higher_sequence_same_link(
        client, make, geneva, organizer):
    accepted = _with_status(make, geneva, organizer, "accepted", "Attending Guest")
    _with_status(make, geneva, organizer, "declined", "Declined Guest")
    _with_status(make, geneva, organizer, "tentative", "Tentative Guest")
    [confirmation] = outbox(kind="confirmation")
    first_day = datetime.combine(geneva.starts_on, datetime.min.time(), timezone.utc)
    make.agenda_session(geneva, starts_at=first_day + timedelta(hours=7), ends_at=first_day + timedelta(hours=9))
    last = make.agenda_session(geneva, starts_at=first_day + timedelta(days=2, hours=12),
                               ends_at=first_day + timedelta(days=2, hours=14))
    db.session.commit()
    assert outbox(kind="calendar_update") == []  # draft edits are nobody's business
    _publish(geneva, organizer)
    [update] = outbox(kind="calendar_update")
    assert update.invitation_id == accepted.id
    method, event = _event(update)
    _, before = _event(confirmation)
    assert method == "REQUEST" and str(event["UID"]) == str(before["UID"]) == geneva.ical_uid
    assert event["SEQUENCE"] == before["SEQUENCE"] + 1
    assert (event["ATTENDEE"].params["PARTSTAT"], event["ATTENDEE"].params["RSVP"]) == ("ACCEPTED", "FALSE")
    assert event.decoded("DTSTART").astimezone(timezone.utc) == first_day + timedelta(hours=7)
    assert event.decoded("DTEND").astimezone(timezone.utc) == first_day + timedelta(days=2, hours=14)
    # The update carries the same lasting personal link as the invitation and the confirmation.
    [invitation_mail] = [m for m in outbox(kind="invitation") if m.invitation_id == accepted.id]
    assert link_path(update.text) == link_path(confirmation.text) == link_path(invitation_mail.text)
    assert client.get(link_path(update.text)).status_code == 200
    # A later publication that keeps the first and last session sends nothing more…
    make.agenda_session(geneva, starts_at=first_day + timedelta(days=1, hours=8),
                        ends_at=first_day + timedelta(days=1, hours=9))
    _publish(geneva, organizer)
    assert len(outbox(kind="calendar_update")) == 1
    # …one that moves the last session does, with a higher SEQUENCE again.
    last.ends_at = first_day + timedelta(days=2, hours=16)
    db.session.commit()
    _publish(geneva, organizer)
    updates = outbox(kind="calendar_update")
    assert [_event(m)[1]["SEQUENCE"] for m in updates] == [1, 2]
    assert _event(updates[-1])[1].decoded("DTEND").astimezone(timezone.utc) == first_day + timedelta(days=2, hours=16)


def test_date_change_updates_the_span_and_a_withdrawal_cancels(make, geneva, organizer):
    accepted = _with_status(make, geneva, organizer, "accepted", "Attending Guest")
    new_end = geneva.ends_on + timedelta(days=1)
    convening_services.update_convening(geneva, {"ends_on": new_end, "version": geneva.version}, actor=organizer)
    db.session.commit()
    [update] = outbox(kind="calendar_update")
    method, event = _event(update)
    assert (method, event["SEQUENCE"]) == ("REQUEST", 1)
    assert event.decoded("DTEND") == datetime.combine(new_end + timedelta(days=1), datetime.min.time(),
                                                      ZoneInfo("Europe/Zurich"))
    answers.answer(accepted, "declined", reason="Cannot travel")
    db.session.commit()
    [cancel] = outbox(kind="cancellation")
    method, event = _event(cancel)
    assert (method, str(event["UID"]), event["SEQUENCE"]) == ("CANCEL", geneva.ical_uid, 2)
    # Declined now: a later change reaches nobody.
    convening_services.update_convening(geneva, {"venue": "Another hall", "version": geneva.version}, actor=organizer)
    db.session.commit()
    assert len(outbox(kind="calendar_update")) == 1


def test_the_update_is_in_the_attendee_language(make, geneva, organizer):
    invitation = _with_status(make, geneva, organizer, "accepted", "Awa Ndiaye")
    invitation.person.preferred_language = "fr"
    db.session.commit()
    convening_services.update_convening(geneva, {"venue": "Palais des Nations", "version": geneva.version},
                                        actor=organizer)
    db.session.commit()
    [update] = outbox(kind="calendar_update")
    assert update.subject.startswith("Mis à jour : Geneva Dialogue")
    assert "Bonjour Awa Ndiaye," in update.text and "Lieu : " in update.text
    assert "votre lien personnel" in update.text
