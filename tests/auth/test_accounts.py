"""Sign-in, sessions that can be ended everywhere, re-authentication, password reset, lockout."""
import re
import time
from datetime import timedelta

import sqlalchemy as sa

from convene.auth.models import User
from convene.db_types import utcnow
from convene.extensions import db
from convene.mail.models import OutboxMessage
from convene.models import AccessToken, AuditEvent
from tests.fixtures.factories import PASSWORD

NEW_PASSWORD = "a much longer new passphrase"


def _sign_in(client, user, password=PASSWORD):
    return client.post("/sign-in", data={"email": user.email, "password": password})


def _copy_session(source, target):
    """Give the second browser an exact copy of the first one's session cookie."""
    cookie = source.get_cookie("session")
    assert cookie is not None
    target.set_cookie("session", cookie.value)


def _is_signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_sign_in_starts_a_new_session(client, make):
    user = make.user("organizer")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    assert _sign_in(client, user).status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{user.id}:{user.session_secret}"


def test_sign_out_ends_every_copy_of_the_session(app, client, make):
    user = make.user("organizer")
    _sign_in(client, user)
    other = app.test_client()
    _copy_session(client, other)
    assert _is_signed_in(other)
    client.post("/sign-out")
    assert not _is_signed_in(client)
    assert not _is_signed_in(other)  # the copied cookie no longer works


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, make):
    user = make.user("organizer")
    _sign_in(client, user)
    other = app.test_client()
    _copy_session(client, other)
    response = client.post("/account", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                             "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert _is_signed_in(client)
    assert not _is_signed_in(other)


def test_disabling_an_account_ends_its_sessions(app, client, make):
    user = make.user("organizer")
    _sign_in(client, user)
    admin_client = app.test_client()
    _sign_in(admin_client, make.user("admin"))
    assert admin_client.post(f"/admin/users/{user.id}/active").status_code == 302
    assert not _is_signed_in(client)
    assert _sign_in(client, user).status_code == 200  # and cannot sign in again


def test_remember_cookie_also_dies_with_the_secret(app, client, make):
    user = make.user("organizer")
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    remember = client.get_cookie("remember_token")
    assert remember is not None and remember.http_only
    client.post("/sign-out")
    other = app.test_client()
    other.set_cookie("remember_token", remember.value)
    assert not _is_signed_in(other)


def test_email_and_password_changes_need_a_fresh_sign_in(client, make, sign_in):
    sign_in(make.user("organizer"), fresh=False)
    for path in ("/account", "/account/email"):
        response = client.get(path)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_email_change_needs_the_current_password_and_notifies_the_old_address(app, client, make):
    user = make.user("organizer")
    old = user.email
    _sign_in(client, user)
    other = app.test_client()
    _copy_session(client, other)
    wrong = client.post("/account/email", data={"current_password": "wrong password!!", "email": "new@example.org"})
    assert wrong.status_code == 200 and "not right" in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).email == old
    assert client.post("/account/email", data={"current_password": PASSWORD,
                                               "email": "New@Example.org"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "new@example.org"
    assert db.session.scalar(sa.select(OutboxMessage.to_address)) == old
    assert _is_signed_in(client) and not _is_signed_in(other)
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.email_change")) is not None


def _reset_link(client, email) -> str:
    client.post("/forgot-password", data={"email": email})
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "password_reset"))
    assert message is not None
    return re.search(r"http://localhost(/reset-password/\S+)", message.text).group(1)


def test_password_reset_by_emailed_link_is_single_use(app, client, make):
    user = make.user("organizer")
    _sign_in(client, user)
    stranger = app.test_client()
    path = _reset_link(stranger, user.email)
    token_part = path.rsplit("/", 1)[1]
    assert len(token_part) >= 43  # 32 random bytes, URL-safe base64
    assert db.session.scalar(sa.select(AccessToken.digest)) != token_part  # only the digest is stored
    page = stranger.get(path)
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)  # GET changed nothing
    response = stranger.post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(NEW_PASSWORD)
    assert stranger.get(path).status_code == 410  # used once
    assert stranger.post(path, data={"new_password": "x" * 20, "confirm": "x" * 20}).status_code == 410
    assert not _is_signed_in(client)  # the reset ended the old session


def test_reset_page_never_reveals_whether_an_account_exists(client, make):
    user = make.user("organizer")
    known = client.post("/forgot-password", data={"email": user.email}, follow_redirects=True)
    unknown = client.post("/forgot-password", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: r.get_data(as_text=True)  # noqa: E731
    assert strip(known) == strip(unknown)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 1


def test_reset_link_expires_after_an_hour(client, make):
    user = make.user("organizer")
    path = _reset_link(client, user.email)
    token = db.session.scalar(sa.select(AccessToken))
    assert timedelta(minutes=59) < token.expires_at - utcnow() <= timedelta(hours=1)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(path).status_code == 410


def test_reset_link_dies_when_the_password_changes_otherwise(client, make):
    user = make.user("organizer")
    path = _reset_link(client, user.email)
    user = db.session.get(User, user.id)
    user.set_password(NEW_PASSWORD)
    db.session.commit()
    assert client.get(path).status_code == 410


def test_a_new_reset_link_revokes_the_previous_one(client, make):
    user = make.user("organizer")
    first = _reset_link(client, user.email)
    db.session.execute(sa.delete(OutboxMessage))
    db.session.commit()
    second = _reset_link(client, user.email)
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_lockout_notice_reveals_nothing(client, make):
    user = make.user("organizer")
    for _ in range(5):
        _sign_in(client, user, "wrong password!!")
    locked = _sign_in(client, user)  # right password, but locked now
    unknown = client.post("/sign-in", data={"email": "nobody@example.org", "password": PASSWORD})
    assert locked.status_code == unknown.status_code == 200
    message = "do not match an active account"
    assert message in locked.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.locked")) is not None


def test_idle_timeout_signs_out(client, make, sign_in):
    sign_in(make.user("organizer"))
    assert client.get("/people/").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] = int(time.time()) - 61 * 60
    response = client.get("/people/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert client.get("/people/").status_code == 302


def test_activity_within_the_timeout_keeps_the_session(client, make, sign_in):
    sign_in(make.user("organizer"))
    with client.session_transaction() as session:
        session["last_seen"] = int(time.time()) - 59 * 60
    assert client.get("/people/").status_code == 200


def test_session_cookie_flags(make_app, make):
    user = make.user("organizer")
    for scheme, secure in (("http", False), ("https", True)):
        app = make_app(PREFERRED_URL_SCHEME=scheme)
        client = app.test_client()
        response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD, "remember": "y"},
                               base_url=f"{scheme}://localhost")
        cookies = response.headers.getlist("Set-Cookie")
        session_cookie = next(c for c in cookies if c.startswith("session="))
        remember_cookie = next(c for c in cookies if c.startswith("remember_token="))
        for cookie in (session_cookie, remember_cookie):
            assert "HttpOnly" in cookie
            assert ("Secure" in cookie) is secure
        assert "SameSite=Lax" in session_cookie
