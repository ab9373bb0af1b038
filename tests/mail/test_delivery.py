"""Queuing and delivering outbox messages to a real SMTP server."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from convene.db_types import utcnow
from convene.extensions import db
from convene.mail.models import OutboxMessage
from convene.mail.services import MailError, queue_message
from convene.mail.worker import deliver_pending, outage_wait

from .conftest import small_calendar


def fresh(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_delivers_headers_text_and_html(app, smtp_sink, queue):
    row = queue(to_address="Ana.Lopez@Example.org", to_name="Ana López", subject="Please answer: invitation",
                text="Dear Ana,\nplease reply.", html="<p>Dear Ana,</p><p>please <b>reply</b>.</p>")
    assert deliver_pending() == (1, 0)
    [delivered] = smtp_sink.messages
    assert delivered["Subject"] == "Please answer: invitation"
    assert delivered["To"].addresses[0].display_name == "Ana López"
    assert delivered["To"].addresses[0].addr_spec == "Ana.Lopez@example.org"
    assert delivered["From"] == app.config["MAIL_SENDER"]
    assert delivered["Message-ID"] == row.message_id
    assert delivered["Date"].datetime is not None
    assert len(delivered.get_all("MIME-Version")) == 1
    assert delivered.get_content_type() == "multipart/alternative"
    assert delivered.get_body(("plain",)).get_content().replace("\r\n", "\n").strip() == "Dear Ana,\nplease reply."
    assert "please <b>reply</b>" in delivered.get_body(("html",)).get_content()
    assert smtp_sink.envelopes[0] == ("convene@localhost", ["Ana.Lopez@example.org"])
    row = fresh(row.id)
    assert (row.status, row.attempts) == ("sent", 1)
    assert row.smtp_response.startswith("250") and "accepted" in row.smtp_response
    assert row.sent_at is not None


def test_raw_display_name_is_encoded_not_pasted(app, smtp_sink, queue):
    queue(to_name="Zoë, \"Chair\" <boss@evil.example>", to_address="zoe@example.org")
    deliver_pending()
    [delivered] = smtp_sink.messages
    [address] = delivered["To"].addresses
    assert address.addr_spec == "zoe@example.org"
    assert address.display_name == "Zoë, \"Chair\" <boss@evil.example>"
    assert smtp_sink.envelopes[0][1] == ["zoe@example.org"]


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_calendar_part_method_matches_ics(app, smtp_sink, queue, method):
    ics = small_calendar(method, uid="uid-123@test", sequence=2)
    queue(text="See the attached invitation.", html="<p>See the invitation.</p>", calendar=ics,
          calendar_method=method)
    deliver_pending()
    [delivered] = smtp_sink.messages
    assert delivered.get_content_type() == "multipart/mixed"
    alternative = next(delivered.iter_parts())
    assert alternative.get_content_type() == "multipart/alternative"
    types = [part.get_content_type() for part in alternative.iter_parts()]
    assert types == ["text/plain", "text/html", "text/calendar"]
    calendar_part = list(alternative.iter_parts())[2]
    assert calendar_part.get_param("method") == method
    assert calendar_part.get_content_charset() == "utf-8"
    parsed = Calendar.from_ical(calendar_part.get_content())
    assert parsed["METHOD"] == method == calendar_part.get_param("method")
    [event] = parsed.walk("VEVENT")
    assert (str(event["UID"]), int(event["SEQUENCE"])) == ("uid-123@test", 2)
    [attachment] = list(delivered.iter_attachments())
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_param("method") == method
    assert Calendar.from_ical(attachment.get_content())["METHOD"] == method


def test_calendar_method_is_read_from_the_calendar_and_must_agree(app):
    row = queue_message(to_address="a@example.org", subject="s", text="t", calendar=small_calendar("CANCEL"))
    assert row.calendar_method == "CANCEL"
    with pytest.raises(MailError, match="METHOD:REQUEST"):
        queue_message(to_address="a@example.org", subject="s", text="t", calendar=small_calendar("REQUEST"),
                      calendar_method="CANCEL")
    with pytest.raises(MailError, match="cannot be read"):
        queue_message(to_address="a@example.org", subject="s", text="t", calendar=b"not a calendar")


@pytest.mark.parametrize("bad", [
    {"subject": "Invitation\r\nBcc: everyone@example.org"},
    {"subject": "Invitation\nBcc: everyone@example.org"},
    {"subject": "Invitation\x00"},
    {"to_name": "Ana\r\nBcc: everyone@example.org"},
    {"to_name": "Ana\rX-Evil: 1"},
    {"to_address": "ana@example.org\r\nBcc: everyone@example.org"},
    {"to_address": "ana@example.org, everyone@example.org"},
    {"to_address": "not an address"},
    {"to_address": ""},
    {"subject": "   "},
])
def test_header_injection_and_bad_addresses_are_refused(app, bad):
    data = {"to_address": "ana@example.org", "subject": "Invitation", "text": "Hello", **bad}
    with pytest.raises(MailError) as error:
        queue_message(**data)
    assert isinstance(error.value, ValueError) and str(error.value)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_utf8_name_subject_and_international_domain(app, smtp_sink, queue):
    queue(to_address="juergen@exämple.org", to_name="Jürgen Groß", subject="Einladung — bitte antworten ✓")
    assert deliver_pending() == (1, 0)
    [delivered] = smtp_sink.messages
    assert delivered["Subject"] == "Einladung — bitte antworten ✓"
    assert delivered["To"].addresses[0].display_name == "Jürgen Groß"
    assert smtp_sink.envelopes[0][1] == ["juergen@xn--exmple-cua.org"]


def test_non_ascii_mailbox_goes_out_with_smtputf8(app, smtp_sink, queue):
    queue(to_address="jürgen@example.org", to_name='Jürgen "JJ" Groß')
    assert deliver_pending() == (1, 0)
    [delivered] = smtp_sink.messages
    assert smtp_sink.envelopes[0][1] == ["jürgen@example.org"]
    assert str(delivered["To"]) == '"Jürgen \\"JJ\\" Groß" <jürgen@example.org>'


def test_dedupe_key_prevents_double_queueing(app, smtp_sink):
    first = queue_message(to_address="a@example.org", subject="s", text="t", dedupe_key="invite:1:1")
    db.session.commit()
    again = queue_message(to_address="a@example.org", subject="s", text="t", dedupe_key="invite:1:1")
    other = queue_message(to_address="a@example.org", subject="s", text="t", dedupe_key="invite:1:2")
    db.session.commit()
    assert again.id == first.id and other.id != first.id
    assert deliver_pending() == (2, 0)
    assert len(smtp_sink.messages) == 2


def test_message_ids_are_unique_and_stable(app, smtp_sink, queue):
    rows = [queue() for _ in range(3)]
    assert len({row.message_id for row in rows}) == 3
    deliver_pending()
    assert {m.get_content_type() for m in smtp_sink.messages} == {"text/plain"}, "no HTML: a single part"
    assert sorted(m["Message-ID"] for m in smtp_sink.messages) == sorted(r.message_id for r in rows)


def test_server_down_charges_no_attempt_and_backs_the_worker_off(app, queue, configure):
    configure(MAIL_PORT=1, MAIL_MAX_ATTEMPTS=2)  # nothing listens there
    rows = [queue() for _ in range(3)]
    for _ in range(4):  # more outages than attempts allowed: none is spent
        result = deliver_pending()
        assert result == (0, 3) and result.server_down
    for row in rows:
        row = fresh(row.id)
        assert (row.status, row.attempts, row.sent_at, row.locked_by) == ("pending", 0, None, None)
        assert "cannot connect" in row.last_error and "Connection refused" in row.last_error
        assert row.next_attempt_at <= utcnow(), "still due: it goes out as soon as the server is back"
    assert [outage_wait(n, poll=5) for n in (1, 2, 3, 10)] == [5, 10, 20, 300]


def test_a_temporary_refusal_is_retried_later_with_backoff(app, smtp_sink, queue, configure):
    async def busy(server, session, envelope, address, rcpt_options):
        return "451 4.7.1 Greylisted, try again later"
    smtp_sink.handle_RCPT = busy
    configure(MAIL_RETRY_BASE=60)
    row = queue()
    before = utcnow()
    assert deliver_pending() == (0, 1)
    row = fresh(row.id)
    assert (row.status, row.attempts, row.sent_at) == ("pending", 1, None)
    first_wait = row.next_attempt_at - before
    assert timedelta(seconds=55) < first_wait < timedelta(seconds=65)
    assert deliver_pending() == (0, 0), "not due again before the backoff"
    row.next_attempt_at = utcnow()
    db.session.commit()
    deliver_pending()
    row = fresh(row.id)
    assert row.attempts == 2
    assert timedelta(seconds=110) < row.next_attempt_at - utcnow() < timedelta(seconds=125)


def test_gives_up_after_max_attempts(app, smtp_sink, queue, configure):
    async def busy(server, session, envelope, address, rcpt_options):
        return "451 4.7.1 Greylisted, try again later"
    smtp_sink.handle_RCPT = busy
    configure(MAIL_RETRY_BASE=0)
    row = queue()
    for _ in range(app.config["MAIL_MAX_ATTEMPTS"]):
        deliver_pending()
    row = fresh(row.id)
    assert (row.status, row.attempts, row.sent_at) == ("failed", app.config["MAIL_MAX_ATTEMPTS"], None)
    assert deliver_pending() == (0, 0)


def test_recipient_rejected_fails_with_the_servers_answer(app, smtp_sink, queue):
    smtp_sink.refuse.add("nobody@example.org")
    refused = queue(to_address="nobody@example.org")
    accepted = queue(to_address="somebody@example.org")
    assert deliver_pending() == (1, 1)
    refused, accepted = fresh(refused.id), fresh(accepted.id)
    assert refused.status == "failed" and refused.attempts == 1 and refused.sent_at is None
    assert "550 5.1.1 Recipient address rejected: user unknown" in refused.last_error
    assert accepted.status == "sent", "the same connection carries on after a refusal"
    assert [m["To"].addresses[0].addr_spec for m in smtp_sink.messages] == ["somebody@example.org"]


def test_temporary_refusal_is_retried(app, smtp_sink, queue):
    async def busy(server, session, envelope, address, rcpt_options):
        return "451 4.7.1 Greylisted, try again later"
    smtp_sink.handle_RCPT = busy
    row = queue()
    deliver_pending()
    row = fresh(row.id)
    assert row.status == "pending" and "451 4.7.1 Greylisted" in row.last_error
    assert row.next_attempt_at > utcnow()
    assert smtp_sink.messages == []


def test_limit_and_order(app, smtp_sink, queue):
    rows = [queue() for _ in range(5)]
    assert deliver_pending(limit=2) == (2, 0)
    assert [m["Message-ID"] for m in smtp_sink.messages] == [r.message_id for r in rows[:2]]
    assert deliver_pending() == (3, 0)
    assert deliver_pending() == (0, 0)


def test_message_left_sending_by_a_dead_worker_is_reclaimed(app, smtp_sink, queue):
    row = queue()
    row.status, row.locked_by, row.locked_at, row.attempts = "sending", "dead:1:x", utcnow(), 1
    db.session.commit()
    assert deliver_pending() == (0, 0), "a recent lock is respected"
    row.locked_at = utcnow() - timedelta(seconds=app.config.get("MAIL_LOCK_TIMEOUT", 300) + 1)
    db.session.commit()
    assert deliver_pending() == (1, 0)
    row = fresh(row.id)
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(smtp_sink.messages) == 1


def test_nothing_is_marked_sent_when_rolled_back(app, smtp_sink):
    queue_message(to_address="a@example.org", subject="s", text="t")
    db.session.rollback()  # the caller's change failed: its message goes with it
    assert deliver_pending() == (0, 0)
    assert smtp_sink.messages == []


def test_erasing_a_person_blanks_their_messages_and_cancels_unsent_ones(app, make, smtp_sink, queue):
    from convene.mail.services import erase_person_messages

    person, other = make.person(name="Ana López"), make.person()
    sent = queue(to_address=person.email, to_name=person.name, person_id=person.id, text="Dear Ana")
    deliver_pending()
    waiting = queue(to_address=person.email, to_name=person.name, person_id=person.id,
                    calendar=small_calendar("REQUEST"))
    kept = queue(to_address=other.email, person_id=other.id)
    assert erase_person_messages(person.id, actor_label="test") == 2
    db.session.commit()
    assert deliver_pending() == (1, 0)
    sent, waiting, kept = fresh(sent.id), fresh(waiting.id), fresh(kept.id)
    assert (sent.status, sent.to_name, sent.text, sent.to_address) == ("sent", "", "", "erased@erased.invalid")
    assert (waiting.status, waiting.calendar) == ("failed", None)
    assert kept.status == "sent" and kept.to_address == other.email
    assert [m["To"].addresses[0].addr_spec for m in smtp_sink.messages] == [person.email, other.email]


@pytest.fixture
def auth_sink(app, configure):
    """An SMTP server that requires a login (user convene / password s3cret)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from tests.fixtures.smtp import Sink, free_port

    handler, port = Sink(), free_port()
    handler.logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"convene" and auth_data.password == b"s3cret"
        handler.logins.append((auth_data.login, ok))
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    # auth_required would make aiosmtpd warn about AUTH without TLS; the login is checked above.
    controller = Controller(handler, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    configure(MAIL_HOST="127.0.0.1", MAIL_PORT=port, MAIL_USER="convene", MAIL_PASSWORD="s3cret")
    yield handler
    controller.stop()


@pytest.mark.sqlite_only
def test_logs_in_when_a_user_is_configured(app, auth_sink, queue):
    queue()
    assert deliver_pending() == (1, 0)
    assert auth_sink.logins == [(b"convene", True)]
    assert len(auth_sink.messages) == 1


@pytest.mark.sqlite_only
def test_refused_login_is_recorded_and_retried(app, auth_sink, queue, configure):
    configure(MAIL_PASSWORD="wrong")
    row = queue()
    assert deliver_pending() == (0, 1)
    row = fresh(row.id)
    assert row.status == "pending" and "535" in row.last_error and "refused" in row.last_error
    assert auth_sink.logins and all(login == (b"convene", False) for login in auth_sink.logins)
    assert auth_sink.messages == []


@pytest.fixture
def tls_files(tmp_path):
    """A self-signed certificate for 127.0.0.1, made with the openssl command, trusted via SSL_CERT_FILE."""
    import os
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    old = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = str(cert)  # ssl.create_default_context() then trusts it
    yield cert, key
    if old is None:
        os.environ.pop("SSL_CERT_FILE", None)
    else:
        os.environ["SSL_CERT_FILE"] = old


@pytest.mark.sqlite_only
@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_delivers_over_tls(app, configure, queue, tls_files, mode):
    import ssl

    from aiosmtpd.controller import Controller

    from tests.fixtures.smtp import Sink, free_port

    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(*map(str, tls_files))
    handler, port = Sink(), free_port()
    if mode == "starttls":
        controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=server_context,
                                require_starttls=True)
    else:
        controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=server_context)
    controller.start()
    try:
        configure(MAIL_HOST="127.0.0.1", MAIL_PORT=port, MAIL_USE_STARTTLS=mode == "starttls",
                  MAIL_USE_SSL=mode == "ssl")
        queue()
        assert deliver_pending() == (1, 0)
        assert len(handler.messages) == 1
        configure(MAIL_USE_STARTTLS=False, MAIL_USE_SSL=False, MAIL_TIMEOUT=0.5)  # misconfigured: plain text
        row = queue()
        assert deliver_pending() == (0, 1)
        row = fresh(row.id)
        assert row.status == "pending", "a configuration problem is retried, not failed for good"
        assert row.last_error
        assert len(handler.messages) == 1
    finally:
        controller.stop()
