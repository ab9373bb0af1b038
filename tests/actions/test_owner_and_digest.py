"""Owners report progress through a personal link; staff get a digest through the outbox."""
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from convene.actions.followup import send_staff_digest
from convene.db_types import utcnow
from convene.extensions import db
from convene.mail.models import OutboxMessage
from convene.models import ActionItem, ActionUpdate, AuditEvent
from convene.tokens import services as tokens


def _link(client, action_id):
    """A new link through "Create a new link to copy" (the page shows it once)."""
    response = client.post(f"/next-steps/{action_id}/owner-link/copy")
    page = response.get_data(as_text=True)
    return page.split('id="owner-link" type="text" readonly value="')[1].split('"')[0].replace("http://localhost", "")


def test_staff_issue_and_email_the_owner_link(client, make, sign_in):
    sign_in(make.user("staff"))
    person = make.person(name="Owner Person", email="owner@example.org")
    action = make.action(make.convening(), owner_person=person)
    response = client.post(f"/next-steps/{action.id}/owner-link", follow_redirects=True)
    assert "sent to Owner Person &lt;owner@example.org&gt;" in response.get_data(as_text=True)
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "owner_link"))
    assert message.to_address == "owner@example.org" and message.person_id == person.id
    path = message.text.split("http://localhost")[1].split()[0]
    assert client.application.test_client().get(path).status_code == 200
    # re-issuing revokes the previous link
    second = _link(client, action.id)
    anonymous = client.application.test_client()
    assert anonymous.get(path).status_code == 410
    assert anonymous.get(second).status_code == 200


def test_owner_without_email_cannot_be_emailed(client, make, sign_in):
    sign_in(make.user("staff"))
    person = make.person(email=None)
    action = make.action(make.convening(), owner_person=person)
    response = client.post(f"/next-steps/{action.id}/owner-link", data={"send": "1"}, follow_redirects=True)
    assert "has no e-mail address" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_owner_page_shows_steps_and_posts_progress_without_account(client, make):
    person = make.person(name="Amina")
    convening = make.convening()
    open_step = make.action(convening, text="Convene the working group", owner_person=person, status="open")
    make.action(convening, text="Unreviewed draft", owner_person=person, status="draft")
    someone_elses = make.action(convening, text="Not yours", owner_person=make.person())
    raw = tokens.issue("owner", person_id=person.id)
    db.session.commit()
    url = f"/my-next-steps/{raw}"
    page = client.get(url)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert "Convene the working group" in text and "Unreviewed draft" not in text and "Not yours" not in text
    assert db.session.scalar(sa.select(sa.func.count(ActionUpdate.id))) == 0  # GET changed nothing

    assert client.post(url, data={"action_id": open_step.id, "note": "First meeting held"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ActionItem, open_step.id).status == "in_progress"  # a progress note starts the work
    assert "you wrote:</span> First meeting held" in client.get(url).get_data(as_text=True)  # the owner's own updates
    assert client.post(url, data={"action_id": open_step.id, "note": "", "mark_done": "y"}).status_code == 302
    db.session.expire_all()
    step = db.session.get(ActionItem, open_step.id)
    assert step.status == "done"
    updates = db.session.scalars(sa.select(ActionUpdate).where(ActionUpdate.action_id == step.id)
                                 .order_by(ActionUpdate.id)).all()
    assert [(u.note, u.new_status, u.author_person_id, u.author_user_id) for u in updates] == [
        ("First meeting held", "in_progress", person.id, None), ("", "done", person.id, None)]
    assert db.session.scalar(sa.select(AuditEvent.actor_label).where(AuditEvent.action == "action.status")) \
        .startswith("owner via personal link")

    # another owner's next step (IDOR), an empty report, and a bad token
    assert client.post(url, data={"action_id": someone_elses.id, "note": "hijack"}).status_code == 404
    assert client.post(url, data={"action_id": open_step.id, "note": ""}).status_code == 400
    assert client.get("/my-next-steps/not-a-real-token").status_code == 404
    tokens.revoke("owner", person_id=person.id)
    db.session.commit()
    assert client.get(url).status_code == 410
    assert client.post(url, data={"action_id": open_step.id, "note": "late"}).status_code == 410


def test_rsvp_token_does_not_open_owner_page(client, make):
    person = make.person()
    invitation = make.invitation(make.convening(), person)
    raw = tokens.issue("rsvp", invitation_id=invitation.id)
    db.session.commit()
    assert client.get(f"/my-next-steps/{raw}").status_code == 404


def test_staff_digest_reports_overdue_and_new_progress(make, app):
    staff, admin = make.user("staff"), make.user("admin")
    make.user("organizer")  # not staff: no digest
    make.user("staff", active=False)
    convening = make.convening(starts_on=date(2030, 1, 1))
    now = datetime(2030, 6, 1, 8, 0, tzinfo=timezone.utc)
    overdue = make.action(convening, text="Overdue step", due_on=date(2030, 5, 1), status="open")
    make.action(convening, text="Done step", due_on=date(2030, 5, 1), status="done")
    make.action(convening, text="Future step", due_on=date(2030, 7, 1), status="open")
    db.session.add(ActionUpdate(action=overdue, note="Old note", at=now - timedelta(days=30)))
    db.session.add(ActionUpdate(action=overdue, note="Fresh note", at=now - timedelta(days=1)))
    db.session.commit()
    assert send_staff_digest(now) == 2
    db.session.commit()
    messages = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert {m.to_address for m in messages} == {staff.email, admin.email}
    body = messages[0].text
    assert "Overdue step" in body and "Done step" not in body and "Future step" not in body
    assert "Fresh note" in body and "Old note" not in body
    assert all(m.kind == "staff_digest" for m in messages)

    # the next digest only reports progress notes since this one
    later = now + timedelta(days=1)
    db.session.add(ActionUpdate(action=overdue, note="Newest note", at=now + timedelta(hours=2)))
    db.session.commit()
    assert send_staff_digest(later) == 2
    db.session.commit()
    newest = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first().text
    assert "Newest note" in newest and "Fresh note" not in newest
    # running twice for the same minute does not queue twice
    send_staff_digest(later)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 4


def test_digest_with_nothing_to_report_sends_nothing(make, app):
    make.user("staff")
    assert send_staff_digest(utcnow()) == 0


def test_digest_cli(app, make):
    make.user("staff")
    make.action(make.convening(starts_on=date(2000, 1, 1)), due_on=date(2000, 2, 1), status="open")
    result = app.test_cli_runner().invoke(args=["next-steps", "digest"])
    assert result.exit_code == 0, result.output
    assert "Queued 1 digest e-mail in the outbox." in result.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 1


def test_owner_report_needs_csrf(make_app, make):
    app = make_app(WTF_CSRF_ENABLED=True)
    person = make.person()
    action = make.action(make.convening(), owner_person=person, status="open")
    raw = tokens.issue("owner", person_id=person.id)
    db.session.commit()
    client = app.test_client()
    assert client.get(f"/my-next-steps/{raw}").status_code == 200
    response = client.post(f"/my-next-steps/{raw}", data={"action_id": action.id, "note": "forged"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(ActionUpdate.id))) == 0


def test_an_invited_owner_gets_their_one_invitation_link_opening_on_their_next_steps(client, make, sign_in):
    """Issue 14: ownership mails reuse the person's one link for the convening; nothing is revoked."""
    from convene.invitations import links
    sign_in(make.user("staff"))
    person = make.person(name="Invited Owner", email="invited.owner@example.org")
    convening = make.convening()
    invitation = make.invitation(convening, person, status="attended")
    home = links.home_url(invitation)  # as in the invitation e-mail
    mine = make.action(convening, text="Draft the follow-up letter", owner_person=person, status="open")
    elsewhere = make.action(make.convening(), text="Another meeting's step", owner_person=person, status="open")
    db.session.commit()
    response = client.post(f"/next-steps/{mine.id}/owner-link", follow_redirects=True)
    assert "the same link as in their invitation" in response.get_data(as_text=True)
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "owner_link"))
    assert home + "/next-steps" in message.text and "no longer works" not in message.text
    path = (home + "/next-steps").split("http://localhost")[1]
    attendee = client.application.test_client()
    page = attendee.get(path).get_data(as_text=True)
    assert "Draft the follow-up letter" in page and "Another meeting's step" not in page
    assert 'aria-current="page">Next steps' in page  # one navigation with the rest of the home
    assert attendee.post(path, data={"action_id": mine.id, "note": "Letter drafted"}).status_code == 302
    assert attendee.post(path, data={"action_id": elsewhere.id, "note": "not from this home"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(ActionItem, mine.id).status == "in_progress"
    assert "you wrote:</span> Letter drafted" in attendee.get(path).get_data(as_text=True)
    # sending again sends the same link; the invitation page still opens
    client.post(f"/next-steps/{mine.id}/owner-link")
    texts = db.session.scalars(sa.select(OutboxMessage.text).where(OutboxMessage.kind == "owner_link")).all()
    assert len(texts) == 2 and all(home + "/next-steps" in t for t in texts)
    assert attendee.get(home.split("http://localhost")[1]).status_code == 200
