"""PROXY_HOPS: behind a trusted reverse proxy, rate limits count the real client, never a spoofed one."""
import uuid

import pytest

from convene.extensions import limiter

pytestmark = pytest.mark.sqlite_only  # what is tested is the WSGI layer, not the database


@pytest.fixture
def limited_app(app, make_app):
    """make(hops) -> an app with rate limiting on and PROXY_HOPS=hops, with its own limiter prefix."""
    def make(hops: int):
        prefix = f"convene-proxy-{uuid.uuid4().hex[:12]}"
        built = make_app(RATELIMIT_ENABLED=True, RATELIMIT_KEY_PREFIX=prefix, PROXY_HOPS=hops)
        limiter._key_prefix = prefix
        return built
    yield make
    limiter.reset()


def _sign_in_attempt(client, forwarded_for: str):
    return client.post("/sign-in", data={"email": "nobody@example.org", "password": "wrong password!"},
                       headers={"X-Forwarded-For": forwarded_for})


def test_behind_one_proxy_each_client_has_its_own_limit(limited_app):
    client = limited_app(1).test_client()
    for _ in range(10):
        assert _sign_in_attempt(client, "203.0.113.7").status_code == 200
    assert _sign_in_attempt(client, "203.0.113.7").status_code == 429
    # Another visitor behind the same proxy is not locked out by the first one's attempts.
    assert _sign_in_attempt(client, "198.51.100.23").status_code == 200


def test_a_client_cannot_prepend_addresses_to_dodge_the_limit(limited_app):
    client = limited_app(1).test_client()
    # The proxy appends the real address; only the last (trusted) hop is believed.
    for n in range(10):
        assert _sign_in_attempt(client, f"192.0.2.{n}, 203.0.113.7").status_code == 200
    assert _sign_in_attempt(client, "192.0.2.99, 203.0.113.7").status_code == 429


def test_without_proxy_hops_forwarded_headers_are_ignored(limited_app):
    client = limited_app(0).test_client()
    for n in range(10):
        assert _sign_in_attempt(client, f"203.0.113.{n}").status_code == 200
    assert _sign_in_attempt(client, "203.0.113.200").status_code == 429


def test_behind_a_proxy_the_forwarded_scheme_is_believed(limited_app):
    app = limited_app(1)
    seen = {}

    @app.get("/_scheme_probe")
    def probe():
        from flask import request
        seen["scheme"], seen["remote"] = request.scheme, request.remote_addr
        return "ok"
    app.test_client().get("/_scheme_probe", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})
    assert seen == {"scheme": "https", "remote": "203.0.113.7"}
