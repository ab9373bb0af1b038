"""Issue 13, finding 8: a personal link is not shown on screen as a side effect of sending it.

"E-mail a new link" confirms to whom it went and never shows the link (nor puts it in the
flash message, which travels in the session cookie). Seeing a link to pass it on by hand is a
separate action, "Create a new link to copy", recorded in the audit trail as such.
"""
import base64
import zlib

import sqlalchemy as sa

from convene.extensions import db
from convene.mail.models import OutboxMessage
from convene.models import AuditEvent


def _cookie_text(client) -> str:
    """The session cookie's payload, decoded (Flask signs it but does not encrypt it)."""
    cookie = client.get_cookie("session")
    if cookie is None:
        return ""
    payload = cookie.value.split(".")[0 if not cookie.value.startswith(".") else 1]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return (zlib.decompress(raw) if cookie.value.startswith(".") else raw).decode("utf-8", "replace")


def test_sending_the_owner_link_confirms_the_recipient_without_the_link(client, make, sign_in):
    sign_in(make.user("staff"))
    person = make.person(name="Owner Person", email="owner@example.org")
    action = make.action(make.convening(), owner_person=person)
    response = client.post(f"/next-steps/{action.id}/owner-link")
    assert response.status_code == 302
    in_cookie = _cookie_text(client)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "owner_link"))
    link_path = "/my-next-steps/" + message.text.split("/my-next-steps/")[1].split()[0]
    assert "sent to Owner Person" in page
    assert link_path not in page and "/my-next-steps/" not in page
    assert "/my-next-steps/" not in in_cookie
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "action.owner_link"


def test_copying_a_link_is_its_own_audited_action(client, make, sign_in):
    staff = sign_in(make.user("staff"))
    person = make.person(name="Owner Person", email="owner@example.org")
    action = make.action(make.convening(), owner_person=person)
    response = client.post(f"/next-steps/{action.id}/owner-link/copy")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "/my-next-steps/" in page
    assert "/my-next-steps/" not in _cookie_text(client)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "action.owner_link_copy"))
    assert event is not None and event.actor_id == staff.id and event.object_id == person.id
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0  # nothing e-mailed
