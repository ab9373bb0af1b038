"""Publishing numbered agenda versions: changelog, one role-aware e-mail per person, changes marked."""
from datetime import datetime, timezone

import sqlalchemy as sa
from icalendar import Calendar

from convene.extensions import db
from convene.agenda.models import AgendaSession, AgendaVersion
from convene.models import AuditEvent, Invitation
from convene.mail.models import OutboxMessage
from tests.agenda.conftest import session_form


def messages(kind="agenda_change"):
    """The agenda-change notices queued so far (the first publication also updates accepted
    invitees' calendar invitation: kind="calendar_update", see tests/invitations/test_calendar.py)."""
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)
                                   .order_by(OutboxMessage.id)))


def publish(client, convening, note="", notify="y"):
    return client.post(f"/convenings/{convening.id}/agenda/publish", data={"note": note, "notify": notify})


def test_publish_numbers_versions_and_lists_changes(client, setup, make):
    c = setup["convening"]
    keep = make.agenda_session(c, title="Keynote")
    move = make.agenda_session(c, title="Working lunch")
    drop = make.agenda_session(c, title="Boat trip")
    assert publish(client, c).status_code == 302
    assert publish(client, c).status_code == 303  # nothing changed: refused with a message
    client.post(f"/convenings/{c.id}/agenda/{move.id}/move", data={"day": "2031-03-09", "start_time": "14:00"})
    client.post(f"/convenings/{c.id}/agenda/{drop.id}/cancel")
    client.post(f"/convenings/{c.id}/agenda/new", data=session_form(title="Closing", day="2031-03-10"))
    review = client.get(f"/convenings/{c.id}/agenda/publish").get_data(as_text=True)
    assert "Working lunch" in review and "Boat trip" in review and "Keynote" not in review
    assert publish(client, c, note="Lunch moved to Sunday").status_code == 302
    db.session.expire_all()
    v2 = db.session.scalar(sa.select(AgendaVersion).where(AgendaVersion.number == 2))
    assert {e["title"]: e["change"] for e in v2.changes} == {
        "Working lunch": "moved", "Boat trip": "cancelled", "Closing": "added"}
    assert "moved from Sat 8 Mar 09:00 to Sun 9 Mar 14:00" in str(v2.changes)
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "agenda.publish")) == 2
    page = client.get(f"/convenings/{c.id}/agenda/versions").get_data(as_text=True)
    assert "Version 2" in page and "Lunch moved to Sunday" in page and "Chatham House Rule" in page
    assert keep.uid  # unchanged sessions keep their place silently


def test_draft_edits_stay_private_until_published(client, setup, make, rsvp_token):
    c = setup["convening"]
    make.agenda_session(c, title="Published talk")
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.person_id == setup["guests"][0].id))
    token = rsvp_token(invitation)
    page = client.get(f"/my/{token}/agenda").get_data(as_text=True)
    assert "not been published yet" in page and "Published talk" not in page
    publish(client, c, notify="")
    make.agenda_session(c, title="Secret draft")
    page = client.get(f"/my/{token}/agenda").get_data(as_text=True)
    assert "Published talk" in page and "Secret draft" not in page


def test_one_role_aware_message_per_person_with_updated_calendar(client, setup, make):
    c = setup["convening"]
    amina, bo, carla = setup["guests"]
    outsider = make.person(name="Dana Staff")
    make.invitation(c, outsider, status="declined")
    s1 = make.agenda_session(c, title="Atrocity risk", room="A", starts_at=datetime(2031, 3, 8, 16, tzinfo=timezone.utc))
    s2 = make.agenda_session(c, title="Closed-door drafting", open_to_all=False,
                             starts_at=datetime(2031, 3, 8, 20, tzinfo=timezone.utc))
    make.session_role(s1, amina, "rapporteur")
    make.session_role(s2, amina, "chair")
    make.session_role(s2, bo, "participant")
    publish(client, c)
    first = messages()
    assert sorted(m.to_address for m in first) == sorted(p.email for p in (amina, bo, carla))
    # The three accepted guests' calendar invitation now spans the published sessions; the declined
    # outsider hears nothing.
    assert sorted(m.to_address for m in messages("calendar_update")) == sorted(p.email for p in (amina, bo, carla))
    assert all(m.kind == "agenda_change" and m.calendar_method == "PUBLISH" for m in first)
    carla_msg = next(m for m in first if m.to_address == carla.email)
    assert "Closed-door drafting" not in carla_msg.text  # not open to her
    # Move one session and cancel the other, then publish once: still one message each.
    client.post(f"/convenings/{c.id}/agenda/{s1.id}/move", data={"day": "2031-03-08", "start_time": "14:00"})
    client.post(f"/convenings/{c.id}/agenda/{s2.id}/cancel")
    publish(client, c)
    second = messages()[len(first):]
    assert len(second) == 3 and len({m.to_address for m in second}) == 3
    text = next(m for m in second if m.to_address == amina.email).text
    assert "Your session as rapporteur, “Atrocity risk”, moved to Saturday 8 March at 14:00 (was Saturday 8 March at 11:00)" in text
    assert "Your session as chair, “Closed-door drafting”, has been cancelled" in text
    assert "(version 2)" in text and "/feeds/" in text and "webcal://" in text
    bo_text = next(m for m in second if m.to_address == bo.email).text
    assert "“Closed-door drafting” has been cancelled" in bo_text and "Your session as" not in bo_text
    cal = Calendar.from_ical(next(m for m in second if m.to_address == amina.email).calendar)
    assert cal["METHOD"] == "PUBLISH" and cal.get_missing_tzids() == set()
    events = {str(e["UID"]): e for e in cal.events}
    db.session.expire_all()
    assert events[s1.uid]["SEQUENCE"] == db.session.get(AgendaSession, s1.id).ical_sequence >= 1
    assert str(events[s2.uid]["STATUS"]) == "CANCELLED"
    assert not any(m.to_address == outsider.email for m in messages())


def test_publishing_without_notifying_queues_nothing(client, setup, make):
    make.agenda_session(setup["convening"])
    publish(client, setup["convening"], notify="")
    assert messages() == [] and messages("calendar_update") == []


def test_attendee_sees_what_changed_since_the_version_they_saw(client, setup, make, rsvp_token):
    c = setup["convening"]
    a = make.agenda_session(c, title="Unchanged")
    b = make.agenda_session(c, title="Will move", starts_at=datetime(2031, 3, 8, 18, tzinfo=timezone.utc))
    publish(client, c, notify="")
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.person_id == setup["guests"][1].id))
    token = rsvp_token(invitation)
    client.get(f"/my/{token}/agenda")  # a GET never records anything
    assert client.post(f"/my/{token}/agenda/seen").status_code == 302
    client.post(f"/convenings/{c.id}/agenda/{b.id}/move", data={"day": "2031-03-09", "start_time": "10:00"})
    publish(client, c, notify="")
    page = client.get(f"/my/{token}/agenda").get_data(as_text=True)
    assert "1 session changed since you last marked the agenda as seen (version 1)" in page
    start = page.index(f'id="s-{b.uid}"')
    assert "Moved since you last looked" in page[start:page.index("</tr>", start)]
    start = page.index(f'id="s-{a.uid}"')
    unchanged = page[start:page.index("</tr>", start)]  # its own row
    assert "since you last looked" not in unchanged
    client.post(f"/my/{token}/agenda/seen")
    assert "since you last looked" not in client.get(f"/my/{token}/agenda").get_data(as_text=True)


def test_public_changelog(client, setup, make):
    c = setup["convening"]
    make.agenda_session(c, title="Opening")
    publish(client, c, notify="")
    assert client.get(f"/c/{c.slug}/agenda/changes").status_code == 404  # not public yet
    client.post(f"/convenings/{c.id}/agenda/settings", data={"public": "y"})
    client.post(f"/convenings/{c.id}/agenda/new", data=session_form(title="Added later", day="2031-03-09"))
    publish(client, c, notify="", note="Added a session")
    client.get("/")  # sign-out is not needed: the public pages ignore the session
    page = client.get(f"/c/{c.slug}/agenda/changes").get_data(as_text=True)
    assert "Version 2" in page and "Added later" in page and "Chatham House Rule" in page
