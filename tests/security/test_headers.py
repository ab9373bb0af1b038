"""Security headers on every HTML page, and the token-redacting access-log filter."""
import logging

import pytest

from convene.security import TokenRedactingFilter
from tests.security.world import build_world, routes, url_for_rule, world_values


#: Non-HTML documents meant for the public (published briefs, a series' stylesheet and logo), which shared caches may keep.
PUBLIC_DOCUMENTS = {"briefs.feed_atom", "briefs.public_file", "ics.public_agenda", "ics.public_session",
                    "api.publications", "api.publication", "api.convenings", "api.convening", "api.series_index",
                    "api.one_series", "api.openapi", "convenings.brand_css", "convenings.brand_logo"}


def _assert_secure_headers(response, where: str, https: bool = False):
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("Referrer-Policy") == "no-referrer", where
    assert "no-store" in headers.get("Cache-Control", ""), where
    if https:
        assert headers.get("Strict-Transport-Security", "").startswith("max-age=31536000"), where
    else:
        assert "Strict-Transport-Security" not in headers, where


def test_every_html_page_carries_the_security_headers(app, client, make, sign_in):
    """Every GET route, as an admin, with URL arguments pointing at real objects."""
    world = build_world(make)
    values = world_values(world)
    sign_in(world.admin)
    html_pages, problems = 0, []
    for rule, method in routes(app, methods=("GET",)):
        if rule.endpoint == "static":
            continue
        url = url_for_rule(rule, values)
        try:
            response = client.get(url)
            assert response.status_code < 500, f"{url} answered {response.status_code}"
            if response.mimetype == "text/html":
                html_pages += 1
                _assert_secure_headers(response, url)
            else:  # exports and feeds: never sniffed; personal ones never in a shared cache
                assert response.headers.get("X-Content-Type-Options") == "nosniff", url
                cache = response.headers.get("Cache-Control", "")
                if rule.endpoint in PUBLIC_DOCUMENTS:
                    assert cache, url
                else:
                    assert cache == "no-store" or cache.startswith("private"), f"{url}: Cache-Control {cache!r}"
        except Exception as error:  # collect every failing page, not just the first
            problems.append(f"{rule.endpoint} {url}: {type(error).__name__}: {error}")
    assert not problems, "\n".join(problems)
    assert html_pages >= 15


def test_error_pages_and_anonymous_pages_carry_them_too(client):
    for url in ("/sign-in", "/forgot-password", "/no-such-page", "/reset-password/not-a-token"):
        response = client.get(url)
        assert response.mimetype == "text/html"
        _assert_secure_headers(response, url)


def test_hsts_only_over_https(client):
    _assert_secure_headers(client.get("/sign-in", base_url="https://localhost"), "https", https=True)


def test_static_files_may_be_cached(client):
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


@pytest.mark.sqlite_only
def test_access_log_lines_never_hold_tokens(app, caplog):
    # one filter per logger: the app created last installed it (one app per process in production)
    assert any(isinstance(f, TokenRedactingFilter) for f in logging.getLogger("werkzeug").filters)
    assert any(isinstance(f, TokenRedactingFilter) for f in logging.getLogger("gunicorn.access").filters)
    line = '127.0.0.1 - - [01/Jan/2030] "%s %s HTTP/1.1" %s -'
    paths = ["/my/AbC_dEf-123", "/my/Secret123/agenda", "/my-next-steps/Secret456", "/feeds/Secret789.ics",
             "/reset-password/Secret000", "/my/Secret111?answer=yes"]
    logger = logging.getLogger("werkzeug")
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        for path in paths:
            logger.info(line, "GET", path, 200)
    text = caplog.text
    assert "Secret" not in text and "AbC_dEf" not in text
    assert text.count("[token]") == len(paths)
    assert "/sign-in" in TokenRedactingFilter([]).redact("/sign-in")


@pytest.mark.sqlite_only
def test_error_log_lines_never_hold_tokens_nor_do_their_tracebacks(app, caplog):
    """gunicorn's error log and Flask's print the failed request's path, and the exception may repeat it."""
    try:
        raise LookupError("no invitation for /my/Secret222")
    except LookupError:
        with caplog.at_level(logging.ERROR):
            logging.getLogger("gunicorn.error").exception("Error handling request %s %s", "POST", "/my/Secret333")
            app.logger.error("Exception on /my/Secret444/profile [POST]", exc_info=True)
    assert "Secret" not in caplog.text
    # two messages, and two tracebacks that each show the token twice (the source line and the error)
    assert caplog.text.count("[token]") == 6 and caplog.text.count("Traceback") == 2


def test_nul_characters_are_refused_before_any_area_sees_them(client, make, sign_in):
    import sqlalchemy as sa

    from convene.extensions import db
    from convene.models import Person

    sign_in(make.user("organizer"))
    response = client.post("/people/new", data={"name": "Nul\x00Person", "sector": "", "country": "",
                                                 "timezone": ""})
    assert response.status_code == 400
    assert "control character (NUL)" in response.get_data(as_text=True)
    assert client.get("/people/?q=a%00b").status_code == 200  # a search just ignores it
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 0
    assert client.post("/sign-in", data={"email": "a\x00@example.org", "password": "x"}).status_code == 400
