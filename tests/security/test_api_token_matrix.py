"""The token actor: every private API route × every account's personal API token.

A token acts exactly as its owner does on the HTML pages (auth.policy decides both), so the
second test compares each private route with the page that shows the same figures, actor by
actor: the token's code must be the page's code (401 stands for the page's sign-in redirect).
"""
from __future__ import annotations

import pytest

from convene.api import tokens as api_tokens
from convene.extensions import db
from tests.security.world import build_world, world_values

TOKEN_ACTORS = ("none", "revoked", "staff", "other_organizer", "organizer", "admin")

# route (path with {convening_id})            none   revoked staff other  org    admin
TOKEN_MATRIX = """
/api/v1/me                                    401    401    200    200    200    200
/api/v1/me/convenings/{convening_id}/guests   401    401    200    404    200    200
/api/v1/me/next-steps                         401    401    200    200    200    200
/api/v1/me/outbox                             401    401    403    200    200    200
"""

#: The HTML page each private route mirrors.
SAME_AS_PAGE = {
    "/api/v1/me/convenings/{convening_id}/guests": ["/convenings/{convening_id}/guests/status",
                                                     "/convenings/{convening_id}/balance"],
    "/api/v1/me/next-steps": ["/next-steps/"],
    "/api/v1/me/outbox": ["/outbox"],
}


@pytest.fixture
def token_world(app, make):
    world = build_world(make)
    secrets = {}
    for actor in ("staff", "other_organizer", "organizer", "admin"):
        _token, secrets[actor] = api_tokens.create(world.user(actor), f"{actor} token")
    revoked, secrets["revoked"] = api_tokens.create(world.organizer, "old")
    db.session.commit()
    api_tokens.revoke(world.organizer, revoked.id)
    db.session.commit()
    return world, secrets


def _headers(secrets, actor):
    return {"Authorization": f"Bearer {secrets[actor]}"} if actor in secrets else {}


def _rows():
    for line in TOKEN_MATRIX.strip().splitlines():
        path, *codes = line.split()
        yield path, tuple(codes)


def test_every_private_route_is_in_the_token_matrix(app):
    declared = {path for path, _ in _rows()}
    private = {rule.rule.replace("<int(max=2147483647):convening_id>", "{convening_id}") for rule in app.url_map.iter_rules()
               if rule.rule.startswith("/api/v1/me")}
    assert private == declared


def test_each_token_answers_as_the_matrix_says(app, token_world):
    world, secrets = token_world
    values = world_values(world)
    wrong = []
    for path, expected in _rows():
        url = path.format(**values)
        got = tuple(str(app.test_client().get(url, headers=_headers(secrets, actor)).status_code)
                    for actor in TOKEN_ACTORS)
        if got != expected:
            wrong.append(f"{path}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_a_token_gets_what_its_owner_gets_on_the_matching_page(app, token_world, sign_in):
    world, secrets = token_world
    values = world_values(world)
    for api_path, pages in SAME_AS_PAGE.items():
        for actor in ("staff", "other_organizer", "organizer", "admin"):
            api_code = app.test_client().get(api_path.format(**values), headers=_headers(secrets, actor)).status_code
            browser = app.test_client()
            sign_in(world.user(actor), target=browser)
            page_codes = {browser.get(page.format(**values)).status_code for page in pages}
            assert page_codes == {api_code}, f"{actor}: {api_path} answered {api_code}, its pages {page_codes}"


def test_a_session_cookie_does_not_open_private_routes(app, token_world, sign_in):
    world, _ = token_world
    browser = app.test_client()
    sign_in(world.admin, target=browser)
    assert browser.get("/api/v1/me").status_code == 401
