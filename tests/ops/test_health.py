"""/healthz and /readyz: JSON, honest about each dependency, no secrets, never rate-limited."""
from __future__ import annotations

from datetime import timedelta

import pytest

from convene.db_types import utcnow
from convene.extensions import db
from convene.mail.services import queue_message

ALL_SECRETS = ("test-secret-key-not-for-production", "postgresql", "sqlite", "127.0.0.1", "6379")


def _json(client, path):
    response = client.get(path)
    assert response.mimetype == "application/json"
    return response.status_code, response.get_json()


def _assert_no_secrets(body):
    text = str(body).lower()
    assert not any(secret in text for secret in ALL_SECRETS), text


def test_healthz_answers_without_touching_anything(client):
    assert _json(client, "/healthz") == (200, {"status": "ok"})


def test_readyz_is_ready_when_migrated_and_the_outbox_moves(client):
    status, body = _json(client, "/readyz")
    assert status == 200 and body["status"] == "ready"
    assert body["checks"]["database"]["ok"] and body["checks"]["outbox"]["ok"]
    _assert_no_secrets(body)


def test_readyz_refuses_an_unmigrated_or_outdated_database(client, stamp):
    stamp(None)
    status, body = _json(client, "/readyz")
    assert status == 503 and "not been migrated" in body["checks"]["database"]["detail"]
    stamp("0123456789ab")  # a revision this code does not have at its head
    status, body = _json(client, "/readyz")
    assert status == 503 and "not at head" in body["checks"]["database"]["detail"]
    _assert_no_secrets(body)


def test_readyz_reports_a_queue_the_workers_do_not_drain(app, client):
    message = queue_message(to_address="someone@example.org", subject="Hello", text="Hi")
    message.next_attempt_at = utcnow() - timedelta(seconds=app.config["READY_MAX_QUEUE_AGE"] + 60)
    db.session.commit()
    status, body = _json(client, "/readyz")
    assert status == 503 and not body["checks"]["outbox"]["ok"]
    assert "mail workers" in body["checks"]["outbox"]["detail"]
    message.next_attempt_at = utcnow() - timedelta(seconds=5)  # a message that just became due is fine
    db.session.commit()
    assert _json(client, "/readyz")[0] == 200


@pytest.mark.sqlite_only
def test_readyz_checks_redis_when_rate_limits_use_it(make_app):
    status, body = _json(make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379").test_client(), "/readyz")
    assert status == 200 and body["checks"]["redis"]["ok"]
    status, body = _json(make_app(RATELIMIT_STORAGE_URI="redis://:hunter2@127.0.0.1:1").test_client(), "/readyz")
    assert status == 503 and body["checks"]["redis"] == {"ok": False, "detail": "the rate-limit storage (Redis) does not answer"}
    assert "hunter2" not in str(body)


@pytest.mark.sqlite_only
def test_health_endpoints_are_never_rate_limited(make_app):
    client = make_app(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2/minute").test_client()
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
    assert client.get("/sign-in").status_code == 200
    assert client.get("/sign-in").status_code == 200
    assert client.get("/sign-in").status_code == 429  # the default limit does apply elsewhere
