"""The outbox pages: who sees which messages, filters, fixed query count, detail and retry."""
from __future__ import annotations

import sqlalchemy as sa

from convene.extensions import db
from convene.mail.models import OutboxMessage
from convene.models import AuditEvent

from .conftest import small_calendar


def test_organizers_see_their_convenings_admins_all_staff_none(client, make, sign_in, queue):
    organizer, other = make.user("organizer"), make.user("organizer")
    mine = make.convening(organizers=[organizer])
    dialogue = make.dialogue(mine)
    theirs = make.convening(organizers=[other])
    queue(subject="About mine", convening_id=mine.id)
    queue(subject="About the dialogue", convening_id=dialogue.id)
    hidden = queue(subject="About theirs", convening_id=theirs.id)
    queue(subject="Account mail 42", kind="password_reset")

    sign_in(organizer)
    page = client.get("/outbox").get_data(as_text=True)
    assert "About mine" in page and "About the dialogue" in page
    assert "About theirs" not in page and "Account mail 42" not in page
    assert client.get(f"/outbox/{hidden.id}").status_code == 404
    assert client.post(f"/outbox/{hidden.id}/retry").status_code == 404

    sign_in(make.user("admin"))
    page = client.get("/outbox").get_data(as_text=True)
    assert all(s in page for s in ("About mine", "About the dialogue", "About theirs", "Account mail 42"))

    sign_in(make.user("staff"))
    assert client.get("/outbox").status_code == 403
    assert client.get(f"/outbox/{hidden.id}").status_code == 403


def test_anonymous_is_sent_to_sign_in(client, queue):
    row = queue()
    assert client.get("/outbox").status_code == 302
    assert client.get(f"/outbox/{row.id}").status_code == 302


def test_filters_by_status_kind_and_recipient(client, make, sign_in, queue):
    sign_in(make.user("admin"))
    sent = queue(subject="Already sent", kind="invitation", to_address="ana@example.org")
    sent.status = "sent"
    queue(subject="Reminder waiting", kind="reminder", to_address="bo@example.org")
    db.session.commit()
    page = client.get("/outbox?status=sent").get_data(as_text=True)
    assert "Already sent" in page and "Reminder waiting" not in page
    page = client.get("/outbox?kind=reminder").get_data(as_text=True)
    assert "Reminder waiting" in page and "Already sent" not in page
    page = client.get("/outbox?q=ANA@").get_data(as_text=True)
    assert "Already sent" in page and "Reminder waiting" not in page
    response = client.get("/outbox?status=nonsense&kind=%00&convening_id=x&page=-3")
    assert response.status_code == 200
    assert "not understood" in response.get_data(as_text=True)


def test_list_uses_a_fixed_number_of_queries(client, make, sign_in, queue, count_queries):
    organizer = sign_in(make.user("organizer"))
    convenings = [make.convening(organizers=[organizer]) for _ in range(3)]

    def measure() -> int:
        with count_queries() as counter:
            assert client.get("/outbox").status_code == 200
        return counter.count

    for convening in convenings[:1]:
        queue(convening_id=convening.id)
    few = measure()
    for n in range(30):
        queue(convening_id=convenings[n % 3].id)
    assert measure() == few
    assert few <= 5, few


def test_detail_shows_the_message_as_sent(app, client, make, sign_in, queue, smtp_sink):
    from convene.mail.worker import deliver_pending

    organizer = sign_in(make.user("organizer"))
    convening = make.convening(organizers=[organizer])
    row = queue(subject="Please answer: Roundtable", to_name="Ana <López>", convening_id=convening.id,
                text="Dear Ana,\nplease answer by 1 May.",
                html=('<p onclick="steal()">Dear Ana</p><script>alert(1)</script>'
                      '<a href="https://x.example/rsvp">Answer</a>'),
                calendar=small_calendar("REQUEST", uid="uid-detail@test"))
    deliver_pending()
    page = client.get(f"/outbox/{row.id}").get_data(as_text=True)
    assert "Please answer: Roundtable" in page
    assert row.message_id.replace("<", "&lt;").replace(">", "&gt;") in page
    assert "Dear Ana,\nplease answer by 1 May." in page
    assert "250" in page  # the server's answer
    # HTML: sanitized rendering (no script, no handler) plus the escaped source.
    assert "<script>" not in page and 'onclick="steal()"' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<a href="https://x.example/rsvp" rel="noopener noreferrer">Answer</a>' in page
    assert "METHOD:REQUEST" in page and "UID:uid-detail@test" in page
    assert "text/calendar; charset=utf-8; method=REQUEST</code>" in page
    assert "application/ics; method=REQUEST (attachment invite.ics)" in page
    # The Date shown is the one that was sent.
    [delivered] = smtp_sink.messages
    assert str(delivered["Date"]) in page


def test_retry_puts_a_failed_message_back_and_is_audited(client, make, sign_in, queue):
    organizer = sign_in(make.user("organizer"))
    convening = make.convening(organizers=[organizer])
    row = queue(convening_id=convening.id)
    row.status, row.attempts, row.last_error = "failed", 5, "550 5.1.1 user unknown"
    db.session.commit()
    page = client.get(f"/outbox/{row.id}").get_data(as_text=True)
    assert "Try sending again" in page and "550 5.1.1 user unknown" in page
    response = client.post(f"/outbox/{row.id}/retry")
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(OutboxMessage, row.id)
    assert (row.status, row.attempts) == ("pending", 0)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "mail.retry"))
    assert event.actor_id == organizer.id and event.object_id == row.id
    assert event.changes["status"] == ["failed", "pending"]
    # A message that did not fail cannot be retried.
    response = client.post(f"/outbox/{row.id}/retry", follow_redirects=True)
    assert "Only a message whose delivery failed" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "mail.retry")) == 1


def test_retry_needs_a_csrf_token_when_csrf_is_on(make_app, make):
    from convene.mail.services import queue_message

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        admin = make.user("admin")
        row = queue_message(to_address="a@example.org", subject="s", text="t")
        row.status = "failed"
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = admin.get_id()
            session["_fresh"] = True
        assert client.post(f"/outbox/{row.id}/retry").status_code == 400
        db.session.expire_all()
        assert db.session.get(OutboxMessage, row.id).status == "failed"
