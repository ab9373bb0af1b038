"""Abuse limits on sign-in, password reset and every token link, on in-memory and Redis storage."""
import uuid

import pytest
import redis

from convene.extensions import limiter
from flask_limiter.util import get_qualified_name

from convene.security import TOKEN_FAILURE_LIMIT, TOKEN_LIMIT, succeeded, token_endpoints
from convene.tokens import services as tokens
from convene.extensions import db
from tests.fixtures.factories import PASSWORD
from tests.security.world import build_world

pytestmark = pytest.mark.sqlite_only  # the limiter's storage matters here, not the database
REDIS_URI = "redis://127.0.0.1:6379"


@pytest.fixture(params=["memory://", REDIS_URI])
def limited_client(request, app, make_app):
    """A client of an app with rate limiting on, with its own key prefix; the limiter is restored afterwards.

    The `limiter` object is shared by every app in the process, so its state is saved and put back.
    """
    saved = {name: getattr(limiter, name) for name in ("enabled", "_storage", "_limiter", "_key_prefix")}
    prefix = f"convene-test-{uuid.uuid4().hex[:12]}"
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=request.param, RATELIMIT_KEY_PREFIX=prefix)
    limiter._key_prefix = prefix  # Flask-Limiter keeps the first prefix it saw; each run needs its own
    try:
        yield limited.test_client()
    finally:
        if request.param == REDIS_URI:
            connection = redis.Redis.from_url(REDIS_URI)
            keys = list(connection.scan_iter(f"*{prefix}*"))
            if keys:
                connection.delete(*keys)
            assert not list(connection.scan_iter(f"*{prefix}*"))
            connection.close()
        else:
            limiter.reset()
        for name, value in saved.items():
            setattr(limiter, name, value)


def _assert_styled_429(response):
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "<h1>Too many attempts</h1>" in page and "wait a minute" in page
    assert "Retry-After" in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_sign_in_is_limited_to_ten_attempts_a_minute(limited_client, make):
    user = make.user("organizer")
    for _ in range(10):
        assert limited_client.post("/sign-in", data={"email": user.email, "password": "wrong password!"}).status_code == 200
    _assert_styled_429(limited_client.post("/sign-in", data={"email": user.email, "password": PASSWORD}))
    assert limited_client.get("/sign-in").status_code == 200  # the page itself stays reachable


def test_password_reset_requests_are_limited(limited_client, make):
    for _ in range(5):
        assert limited_client.post("/forgot-password", data={"email": "x@example.org"}).status_code == 302
    _assert_styled_429(limited_client.post("/forgot-password", data={"email": "x@example.org"}))


def test_guessing_tokens_is_stopped_but_real_links_keep_working(limited_client, make):
    user = make.user("organizer")
    raw = tokens.issue("reset", user_id=user.id)
    db.session.commit()
    for _ in range(25):  # successes do not count against the failure limit
        assert limited_client.get(f"/reset-password/{raw}").status_code == 200
    failures = int(TOKEN_FAILURE_LIMIT.split("/")[0])
    for n in range(failures):
        assert limited_client.get(f"/reset-password/guess{n}").status_code == 410
    _assert_styled_429(limited_client.get("/reset-password/guess-again"))
    _assert_styled_429(limited_client.get("/reset-password/guess-once-more"))


def test_a_valid_link_is_never_blocked_by_failures_from_the_same_address(limited_client, make):
    """Issue 13, finding 5: behind a venue's shared Wi-Fi, others' mistyped links lock nobody out."""
    world = build_world(make)
    valid = f"/my/{world.tokens['rsvp']}"
    failures = int(TOKEN_FAILURE_LIMIT.split("/")[0])
    for n in range(failures + 15):  # well past the failure limit, and past RSVP_LIMIT's share of it
        assert limited_client.get(f"/my/mistyped-{n}").status_code in (404, 429)
    _assert_styled_429(limited_client.get("/my/mistyped-again"))
    for _ in range(3):
        assert limited_client.get(valid).status_code == 200
    # and a working link whose form has a mistake is not a failed look-up either
    assert limited_client.post(valid, data={"answer": "nonsense"}).status_code in (400, 422)


def test_failures_on_one_address_do_not_count_against_another(limited_client, make):
    failures = int(TOKEN_FAILURE_LIMIT.split("/")[0])
    for n in range(failures):
        limited_client.get(f"/my/mistyped-{n}", environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert limited_client.get("/my/x", environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 429
    assert limited_client.get("/my/x", environ_base={"REMOTE_ADDR": "192.0.2.11"}).status_code == 404


def test_every_token_route_is_rate_limited(app):
    """Routes other areas add with <token> in the URL are wrapped automatically."""
    endpoints = token_endpoints(app)
    assert "auth.reset_password" in endpoints
    for endpoint in endpoints:
        view = app.view_functions[endpoint]
        assert getattr(view, "__wrapper-limiter-instance", None) == limiter, endpoint
        groups = limiter.limit_manager._decorated_limits[get_qualified_name(view)]
        assert TOKEN_LIMIT in {str(group.limit_provider) for group in groups}, endpoint
        # no limit on a token route may count failed look-ups: those have a counter of their own
        assert all(group.deduct_when is succeeded for group in groups), endpoint
    assert endpoints.keys() <= app.extensions["token_endpoints"]
