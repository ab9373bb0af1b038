"""The embedded sink + worker of `make run`, and `flask mail test` / `flask worker` via the CLI runner."""
from __future__ import annotations

import socket
import time
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from convene.extensions import db
from convene.mail.embedded import is_loopback, start_embedded, stop_embedded
from convene.mail.models import OutboxMessage
from tests.fixtures.smtp import free_port


@pytest.fixture
def embedded(app, configure, tmp_path):
    """Run start_embedded on a free port with the sink writing to tmp_path; stop it afterwards."""
    port = free_port()
    configure(MAIL_HOST="127.0.0.1", MAIL_PORT=port, MAIL_SINK_DIR=str(tmp_path / "sink"), MAIL_EMBEDDED_POLL=0.1)
    started = []

    def start():
        started.append(True)
        return start_embedded(app)
    yield start
    if started:
        stop_embedded()


def wait_for(condition, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    return condition()


def test_embedded_sink_and_worker_deliver_end_to_end(app, embedded, queue, tmp_path):
    row = queue(to_name="Ana López", subject="Please answer: Roundtable", text="Dear Ana")
    line = embedded()
    assert "local mail sink on 127.0.0.1" in line and "every 0.1 s" in line and "\n" not in line
    files = wait_for(lambda: sorted((tmp_path / "sink").glob("*.eml")))
    assert len(files) == 1 and files[0].name.endswith("-1.eml")
    saved = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert saved["Message-ID"] == row.message_id
    assert saved["To"].addresses[0].display_name == "Ana López"

    def sent():
        db.session.expire_all()
        return db.session.get(OutboxMessage, row.id).status == "sent"
    assert wait_for(sent)
    assert "Saved as" in db.session.get(OutboxMessage, row.id).smtp_response
    assert embedded().startswith("Mail: the embedded sink and worker are already running")


def test_embedded_carries_on_when_the_port_is_taken(app, embedded, configure):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        configure(MAIL_PORT=taken.getsockname()[1])
        line = embedded()
    assert "is taken" in line and "embedded worker delivering" in line


def test_embedded_only_for_loopback_and_when_enabled(app, configure):
    configure(MAIL_HOST="smtp.example.org", MAIL_PORT=587)
    assert "run `flask --app convene worker`" in start_embedded(app)
    configure(MAIL_HOST="127.0.0.1", MAIL_EMBEDDED=False)
    assert "embedded worker off" in start_embedded(app)
    stop_embedded()  # nothing was started: a no-op
    assert is_loopback("localhost") and is_loopback("127.0.0.2") and is_loopback("::1")
    assert not is_loopback("10.0.0.1") and not is_loopback("mail.example.org")


def test_mail_test_command_sends_directly(app, smtp_sink):
    result = app.test_cli_runner().invoke(args=["mail", "test", "admin@localhost"])
    assert result.exit_code == 0, result.output
    assert "The server answered: 250" in result.output
    [delivered] = smtp_sink.messages
    assert delivered["To"].addresses[0].addr_spec == "admin@localhost"
    assert delivered["Subject"] == "Convene test message"
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0, "not via the outbox"


def test_mail_test_command_reports_failures(app, smtp_sink, configure):
    runner = app.test_cli_runner()
    smtp_sink.refuse.add("nobody@example.org")
    result = runner.invoke(args=["mail", "test", "nobody@example.org"])
    assert result.exit_code != 0
    assert "550 5.1.1 Recipient address rejected" in result.output
    result = runner.invoke(args=["mail", "test", "not-an-address"])
    assert result.exit_code != 0 and "not a valid e-mail address" in result.output
    configure(MAIL_PORT=1)
    result = runner.invoke(args=["mail", "test", "ana@example.org"])
    assert result.exit_code != 0
    assert "cannot connect to 127.0.0.1:1" in result.output and "Connection refused" in result.output
    assert len(smtp_sink.messages) == 0


def test_worker_command_once(app, smtp_sink, queue):
    queue()
    queue()
    result = app.test_cli_runner().invoke(args=["worker", "--once", "--batch", "1"])
    assert result.exit_code == 0, result.output
    assert "Worker stopped: 2 sent, 0 not sent" in result.output
    assert len(smtp_sink.messages) == 2
