"""Issue 13, finding 6: every audit event names a model as its object type, whatever was passed.

`flask_login.current_user` is a Werkzeug LocalProxy; passed to `record` as the object, it used
to be written as object type "LocalProxy", so filtering the trail by "User" missed it.
`AuditEvent.object_type` now refuses anything that is not a model's class name, so no event can
be written with another type, and `record` unwraps proxies.
"""
import pytest
import sqlalchemy as sa
from flask_login import current_user, login_user

from convene.audit.models import model_names
from convene.audit.services import record
from convene.extensions import db
from convene.models import AuditEvent


def _last(action: str) -> AuditEvent:
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id.desc())).first()


def test_issuing_a_feed_link_records_the_user_not_the_proxy(client, make, sign_in):
    staff = sign_in(make.user("staff"))
    assert client.post("/next-steps/feed-link").status_code == 302
    event = _last("action.feed_link")
    assert (event.object_type, event.object_id) == ("User", staff.id)


def test_signing_out_records_the_user_not_the_proxy(client, make, sign_in):
    user = sign_in(make.user("organizer"))
    client.post("/sign-out")
    event = _last("user.sign_out")
    assert (event.object_type, event.object_id, event.actor_id) == ("User", user.id, user.id)


def test_record_unwraps_current_user(app, make):
    user = make.user("staff")
    with app.test_request_context():
        login_user(user)
        event = record("test.proxy", current_user, actor=current_user)
    assert (event.object_type, event.object_id, event.actor_id) == ("User", user.id, user.id)
    db.session.rollback()


def test_an_event_cannot_name_anything_but_a_model(app, make):
    with pytest.raises(TypeError):
        record("test.not_a_model", object())
    with pytest.raises(ValueError):
        record("test.bad_type", None, object_type="LocalProxy")
    with pytest.raises(ValueError):
        AuditEvent(action="test.direct", object_type="Whatever")
    db.session.rollback()


def test_every_event_written_names_a_model(client, make, sign_in):
    """Events written by a spread of real requests all name a model (the validator makes any other fail)."""
    from tests.security.world import build_world

    world = build_world(make)
    sign_in(world.organizer)
    client.post("/next-steps/feed-link")
    client.post(f"/convenings/{world.convening.id}/guests/{world.invitation.id}/reissue")
    types = set(db.session.scalars(sa.select(AuditEvent.object_type).distinct()))
    assert types and types <= model_names() | {""}, types - model_names()
