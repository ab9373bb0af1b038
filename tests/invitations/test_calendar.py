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
                           data={"invitation_ids": [str(invitation.id)], "action": "remove"})
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
