import sqlalchemy as sa

from convene.audit.models import AuditEvent
from convene.extensions import db
from convene.invitations import invitation_template, lifecycle, sending
from convene.invitations.models import Invitation, InvitationStatusChange
from convene.tokens.models import AccessToken

from .conftest import link_path, outbox


def test_template_reports_unknown_placeholders_and_keeps_text(client, convening):
    response = client.post(f"/convenings/{convening.id}/guests/template", data={
        "subject": "Please reply by {reply_by}: {title}", "body": "Dear {name}, {rsvp_link} {name.__class__}"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Unknown placeholder {title}" in page
    assert "Unknown placeholder {name.__class__}" in page
    assert "{title}" in page  # what was typed is kept


def test_template_subject_must_ask_for_an_answer_and_body_needs_the_link(client, convening):
    response = client.post(f"/convenings/{convening.id}/guests/template", data={
        "subject": "Invitation to {convening}", "body": "Dear {name}"})
    page = response.get_data(as_text=True)
    assert "say that an answer is needed" in page and "include {rsvp_link}" in page


def test_template_subject_with_line_break_is_refused(client, convening):
    response = client.post(f"/convenings/{convening.id}/guests/template", data={
        "subject": "Please reply\r\nBcc: victim@example.org", "body": "{rsvp_link}"})
    assert response.status_code in (200, 422)
    assert "without control characters" in response.get_data(as_text=True)


def test_preview_for_one_invitee(client, make, convening):
    invitation = make.invitation(convening, make.person(name="Ban Ki-moon"))
    client.post(f"/convenings/{convening.id}/guests/template", data={
        "subject": "Please reply by {reply_by}: {convening}", "body": "Dear {name}, join us at {venue}: {rsvp_link}"})
    page = client.get(f"/convenings/{convening.id}/guests/template?preview={invitation.id}").get_data(as_text=True)
    assert "Dear Ban Ki-moon, join us at Airlie Center" in page
    assert "Please reply by " in page
    assert outbox() == []  # a preview issues no link and queues nothing


def test_send_marks_invited_issues_token_and_queues_in_one_transaction(client, make, convening):
    people = [make.person(name=f"Guest {i}") for i in range(3)]
    invitations = [make.invitation(convening, p) for p in people]
    ids = [i.id for i in invitations]
    response = client.post(f"/convenings/{convening.id}/guests/bulk",
                           data={"invitation_ids": [str(i) for i in ids], "action": "send", "confirmed": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert {db.session.get(Invitation, i).status for i in ids} == {"invited"}
    messages = outbox(kind="invitation")
    assert sorted(m.invitation_id for m in messages) == sorted(ids)
    assert all(m.dedupe_key.startswith("invitation:") for m in messages)
    assert all(m.subject.startswith("Please reply by ") for m in messages)
    tokens = db.session.scalars(sa.select(AccessToken)).all()
    assert len(tokens) == 3 and all(t.purpose == "rsvp" and t.expires_at is not None for t in tokens)
    assert all(t.expires_at.date() > convening.ends_on for t in tokens)
    changes = db.session.scalars(sa.select(InvitationStatusChange).where(
        InvitationStatusChange.to_status == "invited")).all()
    assert len(changes) == 3 and all(c.actor_id is not None for c in changes)
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "invitation.status")) == 3
    # Sending again does nothing: they are already invited.
    client.post(f"/convenings/{convening.id}/guests/bulk",
                data={"invitation_ids": [str(i) for i in ids], "action": "send", "confirmed": "1"})
    assert len(outbox(kind="invitation")) == 3


def test_malformed_email_and_line_break_in_name_are_skipped_not_marked(client, make, convening):
    bad_email = make.invitation(convening, make.person(name="No At Sign", email="not-an-address"))
    crlf = make.invitation(convening, make.person(name="Eve\r\nBcc: x@example.org", email="eve@example.org"))
    good = make.invitation(convening, make.person(name="Good Guest"))
    ids = (bad_email.id, crlf.id, good.id)
    response = client.post(f"/convenings/{convening.id}/guests/bulk", follow_redirects=True,
                           data={"invitation_ids": [str(i) for i in ids], "action": "send", "confirmed": "1"})
    page = response.get_data(as_text=True)
    assert "No At Sign" in page and "not a valid e-mail address" in page
    assert "one line" in page
    db.session.expire_all()
    assert [db.session.get(Invitation, i).status for i in ids] == ["planned", "planned", "invited"]
    assert [m.invitation_id for m in outbox()] == [good.id]


def test_send_without_reply_by_date_is_refused(client, make, organizer):
    convening = make.convening(organizers=[organizer])
    invitation = make.invitation(convening)
    response = client.post(f"/convenings/{convening.id}/guests/bulk", follow_redirects=True,
                           data={"invitation_ids": [str(invitation.id)], "action": "send", "confirmed": "1"})
    assert "Set a reply-by date" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).status == "planned"
    assert outbox() == []


def test_failed_queue_rolls_back_the_whole_batch(app, make, convening, organizer):
    """If the outbox refuses a message, no invitation of the batch is marked invited."""
    first = make.invitation(convening, make.person(name="First"))
    second = make.invitation(convening, make.person(name="S" * 190))
    template = invitation_template.template_for(convening)
    template.subject = "Please reply: {name} {name} {name}"  # the second subject is longer than the outbox accepts
    db.session.add(template)
    db.session.commit()
    try:
        sending.send_invitations(convening, [first, second], actor=organizer)
        raise AssertionError("expected InvitationError")
    except lifecycle.InvitationError as error:
        assert "Nothing was sent" in str(error)
    db.session.rollback()
    assert {db.session.get(Invitation, i).status for i in (first.id, second.id)} == {"planned"}
    assert outbox() == []


def test_reissue_revokes_earlier_link(client, make, convening):
    invitation = make.invitation(convening)
    client.post(f"/convenings/{convening.id}/guests/bulk",
                data={"invitation_ids": [str(invitation.id)], "action": "send", "confirmed": "1"})
    old_path = link_path(outbox()[0].text)
    assert client.get(old_path).status_code == 200
    response = client.post(f"/convenings/{convening.id}/guests/{invitation.id}/reissue")
    assert response.status_code == 302
    new_path = link_path(outbox()[-1].text)
    assert new_path != old_path
    assert client.get(old_path).status_code == 410
    assert client.get(new_path).status_code == 200


def test_template_saved_meanwhile_is_kept_and_the_form_can_overwrite_it_knowingly(client, convening):
    url = f"/convenings/{convening.id}/guests/template"
    text = {"subject": "Please reply by {reply_by}: {convening}", "body": "Dear {name}: {rsvp_link}"}
    assert client.post(url, data=text).status_code == 302
    opened = invitation_template.template_for(convening).version
    assert client.post(url, data={**text, "body": "Theirs {name}: {rsvp_link}", "version": opened}).status_code == 302
    response = client.post(url, data={**text, "body": "Mine {name}: {rsvp_link}", "version": opened})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Another organizer saved the template meanwhile" in page
    assert "Mine {name}" in page  # the text typed is kept
    db.session.expire_all()
    saved = invitation_template.template_for(convening)
    assert saved.body.startswith("Theirs") and f'value="{saved.version}"' in page
    again = client.post(url, data={**text, "body": "Mine {name}: {rsvp_link}", "version": saved.version})
    assert again.status_code == 302
