"""A series' sender name and reply-to: checked when saved, applied by the worker to every mail about its
convenings (the From address stays the configured sender's)."""
from __future__ import annotations

from email.utils import parseaddr

import sqlalchemy as sa

from convene.audit.models import AuditEvent
from convene.extensions import db
from convene.invitations import reminders
from convene.mail.worker import deliver_pending

from .conftest import outbox


def _save(client, series, **data):
    return client.post(f"/series/{series.id}/messages/sender", data=data, follow_redirects=True)


def test_the_sender_name_and_reply_to_reach_a_real_smtp_server(app, client, series, convening, invited, smtp_sink):
    page = _save(client, series, from_name="Strategy for Peace Secretariat", reply_to="secretariat@example.org")
    assert "Sender saved." in page.get_data(as_text=True)
    db.session.expire_all()
    reminders.send_reminder(invited["en"])
    db.session.commit()
    (row,) = outbox(kind="reminder")
    assert (row.from_name, row.reply_to) == ("Strategy for Peace Secretariat", "secretariat@example.org")
    assert deliver_pending() == (1, 0)
    (message,) = smtp_sink.messages
    name, address = parseaddr(str(message["From"]))
    assert name == "Strategy for Peace Secretariat"
    assert address == parseaddr(app.config["MAIL_SENDER"])[1]  # the configured address, for SPF and DKIM
    assert str(message["Reply-To"]) == "secretariat@example.org"
    assert smtp_sink.envelopes[0][0] == address
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "series.mail_sender")).one()
    assert event.changes["mail_reply_to"] == ["", "secretariat@example.org"]


def test_mail_of_a_convening_outside_the_series_keeps_the_site_sender(app, make, organizer, series, smtp_sink):
    series.mail_from_name, series.mail_reply_to = "Series Name", "series@example.org"
    other = make.convening(organizers=[organizer], status="open")
    invitation = make.invitation(other, make.person(), status="invited")
    db.session.commit()
    reminders.send_reminder(invitation)
    db.session.commit()
    deliver_pending()
    (message,) = smtp_sink.messages
    assert str(message["From"]) == app.config["MAIL_SENDER"] and message["Reply-To"] is None


def test_a_bad_sender_is_refused_with_a_message_and_nothing_is_saved(client, series, convening):
    page = _save(client, series, from_name="Secretariat\r\nBcc: victim@example.org", reply_to="")
    assert "Sender name: write it on one line" in page.get_data(as_text=True)
    page = _save(client, series, from_name="Secretariat", reply_to="not an address")
    assert "Reply-to:" in page.get_data(as_text=True) and "is not a valid e-mail address" in page.get_data(as_text=True)
    db.session.expire_all()
    assert (series.mail_from_name, series.mail_reply_to) == ("", "")
    assert not db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "series.mail_sender")).all()


def test_the_series_messages_page_shows_the_sender_form(client, series, convening):
    page = client.get(f"/series/{series.id}/messages").get_data(as_text=True)
    assert "Save the sender" in page and "Reply-to address" in page
