"""Foundation pages: who may open what, and CSRF."""
import pytest
import sqlalchemy as sa

from convene.extensions import db
from convene.models import Person
from tests.fixtures.factories import PASSWORD

PAGES = ["/", "/convenings/", "/series/", "/people/", "/organizations/", "/account"]


@pytest.mark.parametrize("path", PAGES + ["/convenings/new", "/people/new", "/admin/users", "/admin/audit"])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("role", ["organizer", "staff", "admin"])
def test_every_role_can_browse(client, make, sign_in, role):
    sign_in(make.user(role))
    for path in PAGES:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("role,path,expected", [
    ("staff", "/convenings/new", 403), ("organizer", "/admin/users", 403), ("staff", "/admin/audit", 403),
    ("organizer", "/admin/audit", 403), ("admin", "/admin/users", 200), ("staff", "/series/new", 403),
])
def test_wrong_role_gets_403(client, make, sign_in, role, path, expected):
    sign_in(make.user(role))
    assert client.get(path).status_code == expected


def test_sign_in_with_password_then_sign_out(client, make):
    user = make.user("organizer", email="olu@example.org")
    page = client.post("/sign-in", data={"email": "OLU@example.org", "password": PASSWORD})
    assert page.status_code == 302
    assert client.get("/convenings/").status_code == 200
    client.post("/sign-out")
    assert client.get("/convenings/").status_code == 302
    assert user.id


def test_wrong_password_says_nothing_about_the_account(client, make):
    make.user("organizer", email="olu@example.org")
    known = client.post("/sign-in", data={"email": "olu@example.org", "password": "nope"}).get_data(as_text=True)
    unknown = client.post("/sign-in", data={"email": "nobody@example.org", "password": "nope"}).get_data(as_text=True)
    assert "do not match" in known and "do not match" in unknown


@pytest.mark.sqlite_only
def test_csrf_is_enforced_when_enabled(make_app, make):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    user = make.user("organizer")
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    response = client.post("/people/new", data={"name": "Forged"})
    assert response.status_code == 400
    assert "Form expired" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 0


def test_unknown_ids_give_styled_404(client, make, sign_in):
    sign_in(make.user("admin"))
    for path in ["/convenings/987654", "/people/987654", "/series/987654", "/organizations/987654/edit"]:
        response = client.get(path)
        assert response.status_code == 404
        assert "Not found" in response.get_data(as_text=True)
