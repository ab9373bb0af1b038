"""Hostile input on every form: never a 500, never unescaped output, nothing half-saved.

Every route that shows a form on GET and takes it back on POST is found from the URL map.
The form's fields are read from the page itself, every text field is filled with a
hypothesis-chosen string (script tags, CR/LF, NUL, a 1 MB string, right-to-left marks,
emoji, SQL metacharacters, or random text), and the POST must:
  * answer below 500;
  * never echo a markup payload unescaped;
  * when it does not succeed (no redirect), leave the database exactly as it was.
"""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convene.extensions import db
from tests.security.world import build_world, freeze, restore_rows, routes, snapshot_rows, url_for_rule

MARKUP = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "<svg/onload=alert(1)>"]
HOSTILE = [
    *MARKUP,
    "line one\r\nBcc: victim@example.org",
    "nul\x00byte",
    "x" * 1_000_000,
    "\u202egnp.exe\u202c \u200f\u200e",
    "😀👩🏽‍⚖️🇰🇪 \ufeff",
    "' OR '1'='1'; DROP TABLE people; --",
    "%' AND 1=1 -- \\ _ %",
    "{{ 7*7 }} {% raw %} ${7*7}",
    "../../../etc/passwd",
    "   ",
    "",
    "0", "-1", "99999999999999999999", "2030-02-30", "NaN",
]
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
HOSTILE_TEXT = st.one_of(
    st.sampled_from(HOSTILE),
    TEXT,
    st.builds(lambda a, b: a + b, st.sampled_from(MARKUP), TEXT),
)
#: Fields that must keep their value for the request to reach the form at all.
KEEP = {"csrf_token", "version"}
TEXT_TYPES = {None, "", "text", "email", "search", "url", "tel", "password", "date", "datetime-local", "time",
              "number", "month"}
#: Forms that are not about user data (the page's sign-out button in the header).
SKIP_ACTIONS = ("/sign-out",)


class FormParser(HTMLParser):
    """The POST forms of a page: action, text fields, and fixed values (hidden, selects, checkboxes)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self.forms.append({"action": a.get("action") or "", "text": [], "fixed": {}})
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "").lower()
            if kind == "hidden" or name in KEEP:
                form["fixed"][name] = a.get("value", "")
            elif kind in ("checkbox", "radio"):
                form["fixed"].setdefault(name, a.get("value", "y"))
            elif kind in TEXT_TYPES:
                form["text"].append(name)
        elif tag == "textarea" and name:
            form["text"].append(name)
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if "selected" in a or self._select not in form["fixed"]:
                form["fixed"][self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def form_routes(app) -> list[str]:
    """Endpoints that show a form on GET and take it on POST."""
    both = {}
    for rule, method in routes(app, methods=("GET", "POST")):
        both.setdefault(rule.endpoint, set()).add(method)
    return sorted(endpoint for endpoint, methods in both.items() if methods == {"GET", "POST"})


def _app_for_collection():
    from convene import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "collect", "TESTING": True})


FORM_ENDPOINTS = form_routes(_app_for_collection())
#: Who fills each form: token routes are answered through the attendee's link, sign-in pages anonymously.
ANONYMOUS = {"auth.sign_in", "auth.forgot_password"}


@pytest.fixture
def world_for_forms(app, make):
    return freeze(build_world(make), db.engine, app)


def _client(app, frozen, endpoint):
    client = app.test_client()
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    if endpoint not in ANONYMOUS and "token" not in rule.arguments:
        client.set_cookie("session", frozen.session_ids["admin"])
    return client, url_for_rule(rule, frozen.values)


def _target_form(page: str, url: str) -> dict | None:
    parser = FormParser()
    parser.feed(page)
    forms = [f for f in parser.forms if not f["action"].endswith(SKIP_ACTIONS) and f["text"]]
    same = [f for f in forms if f["action"] in ("", url, url.split("?")[0])]
    return (same or forms or [None])[0]


def _hostile_posts(app, frozen, client, endpoint, action, form, signed_in: str | None):
    """Post hypothesis-chosen hostile values into the form's text fields and check the three promises."""

    @settings(max_examples=8, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(values=st.lists(HOSTILE_TEXT, min_size=len(form["text"]), max_size=len(form["text"])))
    def post_hostile(values):
        data = {**form["fixed"], **dict(zip(form["text"], values))}
        before = snapshot_rows(db.engine)
        response = client.post(action, data=data)
        body = response.get_data(as_text=True)
        assert response.status_code < 500, f"{endpoint} answered {response.status_code}"
        for payload in MARKUP:
            if any(payload in v for v in values):
                assert payload not in body, f"{endpoint} echoed {payload!r} unescaped"
        # 201: accepted and answered in place (a new API token is shown once, never behind a redirect)
        if response.status_code in (201, 301, 302, 303) or response.mimetype != "text/html":
            restore_rows(db.engine, frozen.rows)  # it was accepted: start the next example afresh
            if signed_in:
                client.set_cookie("session", frozen.session_ids[signed_in])
        else:
            assert snapshot_rows(db.engine) == before, f"{endpoint} refused the input but changed the database"

    post_hostile()


@pytest.mark.parametrize("endpoint", FORM_ENDPOINTS)
def test_hostile_strings_in_every_form(app, world_for_forms, endpoint):
    frozen = world_for_forms
    client, url = _client(app, frozen, endpoint)
    page = client.get(url)
    if page.status_code != 200:
        pytest.fail(f"{endpoint}: the form page {url} answered {page.status_code} to the actor who fills it")
    form = _target_form(page.get_data(as_text=True), url)
    if form is None:
        pytest.skip(f"{endpoint}: the page has no form with text fields")  # e.g. a confirmation page
    signed_in = None if endpoint in ANONYMOUS or "token" in url_rule(app, endpoint).arguments else "admin"
    _hostile_posts(app, frozen, client, endpoint, form["action"] or url, form, signed_in)


def url_rule(app, endpoint):
    return next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)


def test_hostile_strings_in_forms_that_post_elsewhere(app, world_for_forms):
    """POST-only routes (answer forms on the RSVP page, remarks, progress notes...): their forms are
    found on the GET pages, as the admin and through the attendee's links."""
    frozen = world_for_forms
    post_only = {}
    for rule, method in routes(app, methods=("POST",)):
        if "GET" not in rule.methods and rule.endpoint not in ("auth.sign_out",):
            post_only[url_for_rule(rule, frozen.values)] = rule
    found: dict[str, tuple[dict, str | None]] = {}
    for rule, _ in routes(app, methods=("GET",)):
        if rule.endpoint == "static":
            continue
        signed_in = None if "token" in rule.arguments else "admin"
        client = app.test_client()
        if signed_in:
            client.set_cookie("session", frozen.session_ids[signed_in])
        response = client.get(url_for_rule(rule, frozen.values))
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = FormParser()
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            action = form["action"].split("#")[0]
            if action in post_only and form["text"] and action not in found:
                found[action] = (form, signed_in)
    assert len(found) >= 5, f"only {sorted(found)} of the POST-only forms were found"
    for action, (form, signed_in) in sorted(found.items()):
        client = app.test_client()
        if signed_in:
            client.set_cookie("session", frozen.session_ids[signed_in])
        _hostile_posts(app, frozen, client, post_only[action].endpoint, action, form, signed_in)
