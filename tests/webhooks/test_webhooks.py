"""Webhooks: URL safety, signed deliveries to a real loopback HTTP server, retries with backoff, the admin pages."""
from __future__ import annotations

import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from convene.agenda import versions
from convene.briefs import services as briefs
from convene.convenings import services as convenings
from convene.db_types import utcnow
from convene.extensions import db
from convene.webhooks import delivery, services
from convene.webhooks.models import Webhook, WebhookDelivery
from convene.webhooks.safety import UnsafeURL, check_url


class Receiver:
    """A loopback HTTP server that answers with the queued statuses (then 200) and keeps what it got."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/convene?source=test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def loopback_allowed(app):
    """This test's own server is on loopback: allow exactly that network, retry at once."""
    saved = {k: app.config[k] for k in ("WEBHOOK_ALLOWED_NETWORKS", "WEBHOOK_RETRY_BASE", "WEBHOOK_MAX_ATTEMPTS")}
    app.config.update(WEBHOOK_ALLOWED_NETWORKS=["127.0.0.0/8"], WEBHOOK_RETRY_BASE=0, WEBHOOK_MAX_ATTEMPTS=3)
    yield
    app.config.update(saved)


def _hook(url, events=("brief.published",)):
    hook, secret = services.create_webhook({"url": url, "events": list(events)}, actor=None)
    db.session.commit()
    return hook, secret


@pytest.mark.parametrize("url, words", [
    ("ftp://example.org/x", "http:// or https://"),
    ("http://127.0.0.1:8080/", "loopback, private or reserved"),
    ("http://localhost/", "loopback, private or reserved"),
    ("http://10.1.2.3/", "loopback, private or reserved"),
    ("http://192.168.0.10/", "loopback, private or reserved"),
    ("http://169.254.169.254/latest/meta-data", "loopback, private or reserved"),
    ("http://[::1]/", "loopback, private or reserved"),
    ("http://[::ffff:127.0.0.1]/", "loopback, private or reserved"),
    ("http://0.0.0.0/", "loopback, private or reserved"),
    ("http://user:pw@example.org/", "no user name"),
    ("http://no-such-host.invalid/", "does not resolve"),
])
def test_unsafe_urls_are_refused(app, url, words):
    with pytest.raises(UnsafeURL, match=words):
        check_url(url)


def test_the_allow_list_of_hosts_limits_registration(app):
    app.config["WEBHOOK_ALLOWED_HOSTS"] = ["hooks.partner.example"]
    try:
        with pytest.raises(UnsafeURL, match="WEBHOOK_ALLOWED_HOSTS"):
            check_url("https://example.org/")
    finally:
        app.config["WEBHOOK_ALLOWED_HOSTS"] = []


def test_a_configured_network_is_allowed(app, loopback_allowed):
    assert check_url(" http://127.0.0.1:9/x ") == "http://127.0.0.1:9/x"


def test_signed_delivery_is_retried_with_backoff_until_it_succeeds(app, make, loopback_allowed):
    with Receiver(statuses=[500, 503]) as receiver:
        hook, secret = _hook(receiver.url)
        brief = make.brief(status="approved", title="Fisheries and ports", summary="Text", url="https://example.org/full")
        briefs.change_status(brief, "published", actor=None)
        db.session.commit()
        for expected_attempts in (1, 2, 3):
            delivery.deliver_due()
            row = db.session.scalar(sa.select(WebhookDelivery))
            db.session.refresh(row)
            assert row.attempts == expected_attempts
        assert row.status == "delivered" and row.last_status_code == 200
    assert len(receiver.received) == 3
    headers, body = receiver.received[-1]
    assert headers["Convene-Event"] == "brief.published" and headers["Convene-Delivery"] == str(row.id)
    assert services.verify(secret, headers["Convene-Signature"], body, now=int(time.time()))
    assert not services.verify(secret, headers["Convene-Signature"], body + b" ", now=int(time.time()))
    assert not services.verify("whsec_wrong", headers["Convene-Signature"], body, now=int(time.time()))
    assert receiver.received[0][1] == body  # every attempt sends the same event (same id)
    assert b'"title":"Fisheries and ports"' in body and b'"slug":"brief-' in body


def test_backoff_waits_and_gives_up_after_the_last_attempt(app, make, loopback_allowed):
    app.config["WEBHOOK_RETRY_BASE"] = 60
    with Receiver(statuses=[500, 500, 500]) as receiver:
        hook, _secret = _hook(receiver.url)
        services.send_test(hook, actor=None)
        db.session.commit()
        assert delivery.deliver_due() == (0, 1)
        row = db.session.scalar(sa.select(WebhookDelivery))
        db.session.refresh(row)
        assert row.status == "pending" and row.next_attempt_at > utcnow() + timedelta(seconds=50)
        assert delivery.deliver_due() == (0, 0)  # not due yet
        for _ in range(2):
            row.next_attempt_at = utcnow()
            db.session.commit()
            delivery.deliver_due()
            db.session.refresh(row)
        assert row.status == "failed" and row.attempts == 3 and "HTTP" not in row.last_error
    assert len(receiver.received) == 3


def test_a_refused_connection_is_logged_and_retried(app, make, loopback_allowed):
    hook, _ = _hook("http://127.0.0.1:9/closed")  # the discard port: nothing listens
    services.send_test(hook, actor=None)
    db.session.commit()
    assert delivery.deliver_due() == (0, 1)
    row = db.session.scalar(sa.select(WebhookDelivery))
    assert row.status == "pending" and row.last_status_code is None and row.last_error


def test_a_hook_whose_address_is_no_longer_allowed_is_not_called(app, make, loopback_allowed):
    with Receiver() as receiver:
        hook, _ = _hook(receiver.url)
        services.send_test(hook, actor=None)
        db.session.commit()
        app.config["WEBHOOK_ALLOWED_NETWORKS"] = []
        delivery.deliver_due()
    assert receiver.received == []
    assert "loopback" in db.session.scalar(sa.select(WebhookDelivery.last_error))


def test_events_are_queued_by_the_changes_that_cause_them(app, make, loopback_allowed):
    organizer = make.user("organizer")
    _hook("http://127.0.0.1:9/", events=[e for e in ("brief.published", "brief.updated", "agenda.published",
                                                       "convening.dates_changed")])
    convening = make.convening(organizers=[organizer])
    make.agenda_session(convening)
    versions.publish(convening, actor=organizer)
    convenings.update_convening(convening, {"starts_on": convening.starts_on + timedelta(days=1),
                                            "ends_on": convening.ends_on + timedelta(days=1)}, actor=organizer)
    brief = make.brief(convenings=[convening], status="approved", url="https://example.org/full")
    briefs.change_status(brief, "published", actor=organizer)
    briefs.update_brief(brief, {"title": "A better title"}, actor=organizer)
    briefs.update_brief(make.brief(status="draft"), {"title": "Draft only"}, actor=organizer)  # not public: no event
    db.session.commit()
    events = db.session.scalars(sa.select(WebhookDelivery.event).order_by(WebhookDelivery.id)).all()
    assert events == ["agenda.published", "convening.dates_changed", "brief.published", "brief.updated"]
    moved = db.session.scalars(sa.select(WebhookDelivery.body).where(
        WebhookDelivery.event == "convening.dates_changed")).one()
    assert '"previous":{"ends_on"' in moved and convening.slug in moved


def test_a_switched_off_hook_gets_nothing(app, make):
    hook = Webhook(url="https://example.org/", events=["brief.published"], secret="s", active=False)
    db.session.add(hook)
    db.session.commit()
    assert services.emit("brief.published", {}) == 0


def test_admin_pages_show_the_secret_once_and_send_a_test_event(app, client, make, sign_in, loopback_allowed):
    sign_in(make.user("admin"))
    response = client.post("/admin/webhooks", data={"url": "http://127.0.0.1:9/in", "description": "site",
                                                    "events": ["brief.published"]})
    assert response.status_code == 201
    hook = db.session.scalar(sa.select(Webhook))
    assert hook.secret in response.get_data(as_text=True)
    assert hook.secret not in client.get("/admin/webhooks").get_data(as_text=True)
    assert hook.secret not in client.get(f"/admin/webhooks/{hook.id}").get_data(as_text=True)
    assert client.post(f"/admin/webhooks/{hook.id}/test").status_code == 302
    assert db.session.scalar(sa.select(WebhookDelivery.event)) == "ping"
    assert "ping" in client.get(f"/admin/webhooks/{hook.id}").get_data(as_text=True)


def test_a_private_address_is_refused_in_the_form(app, client, make, sign_in):
    sign_in(make.user("admin"))
    response = client.post("/admin/webhooks", data={"url": "http://10.0.0.5/x", "events": ["brief.published"]})
    assert response.status_code == 400 and "private" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Webhook.id))) == 0


def test_refusals_are_shown_under_the_field_they_concern(app, client, make, sign_in):
    """The request edge puts UnsafeURL under the address and WebhookError under the events; nothing is saved."""
    sign_in(make.user("admin"))
    page = client.post("/admin/webhooks", data={"url": "http://127.0.0.1:9/x", "events": ["brief.published"]})
    assert page.status_code == 400 and 'id="url-error">' in page.get_data(as_text=True)
    page = client.post("/admin/webhooks", data={"url": "https://93.184.216.34/x"})  # a public address, no event
    assert page.status_code == 400
    assert '</ul><p class="error">Choose at least one event to send.</p></fieldset>' in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Webhook.id))) == 0


def test_the_worker_an_operator_runs_delivers_queued_webhooks(app, make, loopback_allowed):
    """`flask --app convene worker` (deploy/systemd/convene-mail@.service) sends webhooks in the same loop as mail."""
    with Receiver() as receiver:
        hook, secret = _hook(receiver.url)
        brief = make.brief(status="approved", title="Ports and fisheries", summary="Text", url="https://example.org/p")
        briefs.change_status(brief, "published", actor=None)
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "webhooks: 1 delivered, 0 not delivered" in result.output
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    assert headers["Convene-Event"] == "brief.published" and b'"title":"Ports and fisheries"' in body
    assert services.verify(secret, headers["Convene-Signature"], body, now=int(time.time()))
    db.session.expire_all()
    assert db.session.scalar(sa.select(WebhookDelivery.status)) == "delivered"


def test_an_idle_pass_writes_nothing_and_a_dead_workers_claim_comes_back(app, make, loopback_allowed, count_queries):
    """Every worker pass looks at the webhook queue; with nothing due it only reads (no write lock)."""
    with count_queries() as idle:
        assert delivery.deliver_due() == (0, 0)
    assert [s for s in idle.statements if s.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))] == []
    with Receiver() as receiver:
        hook, _ = _hook(receiver.url)
        services.send_test(hook, actor=None)
        db.session.commit()
        row = db.session.scalar(sa.select(WebhookDelivery))
        row.status, row.locked_by, row.attempts = "sending", "dead-worker", 1
        row.locked_at = utcnow() - timedelta(seconds=app.config["WEBHOOK_LOCK_TIMEOUT"] + 1)
        db.session.commit()
        assert delivery.deliver_due() == (1, 0)
    assert len(receiver.received) == 1
    db.session.expire_all()
    assert db.session.scalar(sa.select(WebhookDelivery.status)) == "delivered"
