"""Each area writes an audit event, with the actor, for the changes people make through its pages."""
import sqlalchemy as sa

from convene.audit.models import AuditEvent
from convene.extensions import db
from tests.security.test_hostile_input import FormParser
from tests.security.world import build_world


def submit(client, page_url, /, **values):
    """Fill the first POST form of the page with its own defaults plus the given values, and send it."""
    parser = FormParser()
    parser.feed(client.get(page_url).get_data(as_text=True))
    form = next(f for f in parser.forms if not f["action"].endswith("/sign-out"))
    data = {**form["fixed"], **{name: "" for name in form["text"]}, **values}
    return client.post(form["action"] or page_url, data=data)


def _event(prefix, object_type):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.startswith(prefix),
                                                          AuditEvent.object_type == object_type)
                              .order_by(AuditEvent.id.desc())).first()


def test_an_invitees_answer_is_audited(client, make):
    world = build_world(make)
    response = client.post(f"/my/{world.tokens['rsvp']}", data={"answer": "declined", "reason": "",
                                                                   "version": str(world.invitation.version)})
    assert response.status_code == 302
    event = _event("invitation.status", "Invitation")
    assert event.object_id == world.invitation.id and event.actor_id is None
    assert "link" in event.actor_label and event.changes["status"] == ["accepted", "declined"]


def test_agenda_changes_are_audited(client, make, sign_in):
    world = build_world(make)
    sign_in(world.organizer)
    day = world.convening.starts_on.isoformat()
    response = submit(client, f"/convenings/{world.convening.id}/agenda/new", title="Opening plenary", day=day,
                      start_time="09:00", end_time="10:00", end_day="", room="Hall",
                      timezone=world.convening.timezone)
    assert response.status_code == 302, [l for l in response.get_data(as_text=True).splitlines() if "error" in l]
    event = _event("agenda_session.create", "AgendaSession")
    assert event.actor_id == world.organizer.id


def test_next_step_changes_are_audited(client, make, sign_in):
    world = build_world(make)
    sign_in(world.organizer)
    response = submit(client, f"/convenings/{world.convening.id}/next-steps", text="Draft the joint memo",
                      due_on="", rationale="", new_themes="")
    assert response.status_code == 302, [l for l in response.get_data(as_text=True).splitlines() if "error" in l]
    event = _event("action.create", "ActionItem")
    assert event.actor_id == world.organizer.id


def test_brief_changes_are_audited(client, make, sign_in):
    world = build_world(make)
    sign_in(world.staff)
    response = submit(client, "/briefs/new", title="Preventing atrocities: options", publisher="", authors="",
                      published_on="", url="", new_themes="", summary="")
    assert response.status_code == 302, [l for l in response.get_data(as_text=True).splitlines() if "error" in l]
    event = _event("brief.create", "Brief")
    assert event.actor_id == world.staff.id
