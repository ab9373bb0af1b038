"""Cross-site request forgery: with CSRF protection on (as in production), a POST without the
form's token is refused with a clear page, whoever sends it, including through personal links."""
import re

import sqlalchemy as sa

from convene.extensions import db
from convene.models import Invitation, Person
from tests.fixtures.factories import PASSWORD
from tests.security.world import build_world, world_values


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_posts_without_the_form_token_are_refused(make_app, make):
    world = build_world(make)
    values = world_values(world)
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    refused = client.post("/sign-in", data={"email": world.admin.email, "password": PASSWORD})
    assert refused.status_code == 400 and "Form expired" in refused.get_data(as_text=True)
    page = client.get("/sign-in").get_data(as_text=True)
    assert client.post("/sign-in", data={"email": world.admin.email, "password": PASSWORD,
                                         "csrf_token": _token(page)}).status_code == 302
    assert client.post("/people/new", data={"name": "Forged", "sector": "", "country": "",
                                            "timezone": ""}).status_code == 400
    assert client.post("/sign-out").status_code == 400  # a forged sign-out is refused too
    rsvp = f"/my/{values['tokens']['rsvp']}"
    assert app.test_client().post(rsvp, data={"answer": "declined"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Invitation, world.invitation.id).status == "accepted"
    assert db.session.scalar(sa.select(sa.func.count(Person.id)).where(Person.name == "Forged")) == 0
