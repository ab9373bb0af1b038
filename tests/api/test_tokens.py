"""Personal API tokens: created on the account page, shown once, stored hashed, revocable, audited."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from convene.api import tokens
from convene.api.models import ApiToken
from convene.audit.models import AuditEvent
from convene.extensions import db
from convene.tokens.services import digest_of


def _create_on_page(client, name="CRM sync") -> str:
    html = client.post("/account/api-tokens", data={"name": name}).get_data(as_text=True)
    return html.split('<code class="secret">', 1)[1].split("</code>", 1)[0]


def test_a_token_is_shown_once_stored_as_a_digest_and_audited(client, make, sign_in):
    organizer = sign_in(make.user("organizer"))
    secret = _create_on_page(client)
    assert secret.startswith("cvn_") and len(secret) > 40
    token = db.session.scalar(sa.select(ApiToken))
    assert token.digest == digest_of(secret) and secret not in (token.prefix, token.name)
    listing = client.get("/account/api-tokens").get_data(as_text=True)
    assert "CRM sync" in listing and token.prefix in listing and secret not in listing
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.actor_id == organizer.id)).all()
    assert "api_token.create" in actions


def test_a_nameless_token_is_refused_with_a_message(client, make, sign_in):
    sign_in(make.user("staff"))
    response = client.post("/account/api-tokens", data={"name": "  "})
    assert response.status_code == 400 and "Give the token a name" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_using_a_token_records_last_use_and_revoking_ends_it(client, make, sign_in):
    organizer = sign_in(make.user("organizer"))
    secret = _create_on_page(client)
    reader = client.application.test_client()
    response = reader.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and response.get_json()["email"] == organizer.email
    assert response.headers["Cache-Control"] == "private, no-cache"
    token = db.session.scalar(sa.select(ApiToken))
    db.session.refresh(token)
    assert token.last_used_at is not None
    assert client.post(f"/account/api-tokens/{token.id}/revoke").status_code == 302
    response = reader.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401 and "Bearer" in response.headers["WWW-Authenticate"]
    assert response.get_json()["error"] == "Not signed in"
    assert "api_token.revoke" in db.session.scalars(sa.select(AuditEvent.action)).all()


def test_another_accounts_token_cannot_be_revoked(client, make, sign_in):
    owner = make.user("organizer")
    token, _ = tokens.create(owner, "mine")
    db.session.commit()
    sign_in(make.user("organizer"))
    assert client.post(f"/account/api-tokens/{token.id}/revoke").status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


def test_a_deactivated_account_token_stops_working(app, make):
    user = make.user("staff")
    _token, secret = tokens.create(user, "script")
    db.session.commit()
    user.active = False
    db.session.commit()
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_guest_figures_follow_the_pages_staff_see_small_cells_suppressed(app, make):
    organizer, staff = make.user("organizer"), make.user("staff")
    convening = make.convening(organizers=[organizer])
    for n in range(3):
        make.invitation(convening, make.person(gender="woman"), status="accepted")
    make.invitation(convening, status="declined")
    secrets = {}
    for user in (organizer, staff):
        _t, secrets[user.role] = tokens.create(user, "figures")
    db.session.commit()
    url = f"/api/v1/me/convenings/{convening.id}/guests"
    as_org = app.test_client().get(url, headers={"Authorization": f"Bearer {secrets['organizer']}"}).get_json()
    as_staff = app.test_client().get(url, headers={"Authorization": f"Bearer {secrets['staff']}"}).get_json()
    counts = {s["status"]: s["count"] for s in as_org["statuses"]}
    assert counts["accepted"] == 3 and counts["declined"] == 1
    assert as_org["balance"]["small_cells_suppressed"] is False
    assert as_staff["balance"]["small_cells_suppressed"] is True
    cells = [c for d in as_staff["balance"]["dimensions"] for s in d["stages"] for c in s["cells"]]
    hidden = ("fewer than 5", "not shown")
    assert any(c["count"] in hidden for c in cells)
    assert all(c["count"] in hidden or c["count"] == 0 or c["count"] >= 5 for c in cells)


def test_next_steps_carry_owner_due_date_and_status(app, make):
    organizer = make.user("organizer")
    convening = make.convening(organizers=[organizer])
    owner = make.person(name="Owner Person")
    make.action(convening, text="Draft the memo", owner_person_id=owner.id, due_on=date.today() - timedelta(days=1))
    _t, secret = tokens.create(organizer, "crm")
    db.session.commit()
    body = app.test_client().get("/api/v1/me/next-steps", headers={"Authorization": f"Bearer {secret}"}).get_json()
    step = body["items"][0]
    assert step["owner"] == {"kind": "person", "name": "Owner Person"}
    assert step["status"] == "open" and step["overdue"] is True and step["convening"]["id"] == convening.id


def test_outbox_state_is_scoped_to_the_organizers_convenings(app, make):
    from convene.mail.services import queue_message

    organizer = make.user("organizer")
    mine, theirs = make.convening(organizers=[organizer]), make.convening()
    for convening in (mine, theirs):
        queue_message(to_address="guest@example.org", subject=f"About {convening.title}", text="Hello",
                      convening_id=convening.id, kind="invitation")
    _t, secret = tokens.create(organizer, "mail")
    db.session.commit()
    body = app.test_client().get("/api/v1/me/outbox", headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert body["counts"]["pending"] == 1 and [m["convening"]["id"] for m in body["items"]] == [mine.id]
    bad = app.test_client().get("/api/v1/me/outbox?status=lost", headers={"Authorization": f"Bearer {secret}"})
    assert bad.status_code == 400 and "status must be one of" in bad.get_json()["message"]


def test_a_token_the_service_refuses_is_shown_under_its_field_and_nothing_is_saved(client, make, sign_in):
    """The request edge answers the service's TokenError: the page again, 400, the message under the name."""
    staff = sign_in(make.user("staff"))
    for n in range(tokens.MAX_LIVE_TOKENS):
        tokens.create(staff, f"script {n}")
    db.session.commit()
    response = client.post("/account/api-tokens", data={"name": "one too many"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and f"already have {tokens.MAX_LIVE_TOKENS} live tokens" in page
    assert 'id="name-error">You already have' in page  # under the name field, not flashed
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == tokens.MAX_LIVE_TOKENS


def test_revoking_another_accounts_token_is_a_404_page_that_says_so(client, make, sign_in):
    other = make.user("staff")
    token, _ = tokens.create(other, "theirs")
    db.session.commit()
    sign_in(make.user("organizer"))
    response = client.post(f"/account/api-tokens/{token.id}/revoke")
    assert response.status_code == 404 and "no such token on your account" in response.get_data(as_text=True)
    assert db.session.get(ApiToken, token.id).revoked_at is None
