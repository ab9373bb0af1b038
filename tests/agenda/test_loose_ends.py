"""Issue 14, item 5: a withdrawn or late-declining person's agenda roles are shown to the organizer
with a one-step reassign or remove (before, they stayed chair or rapporteur with no warning)."""
import sqlalchemy as sa

from convene.agenda import loose_ends
from convene.extensions import db
from convene.models import AuditEvent, Invitation, SessionRole

BANNER = "held by people who are no longer coming"


def _invitation(convening, person):
    return db.session.scalar(sa.select(Invitation).where(Invitation.convening_id == convening.id,
                                                         Invitation.person_id == person.id))


def _roles(session_id):
    return sorted(db.session.execute(sa.select(SessionRole.person_id, SessionRole.role)
                                     .where(SessionRole.session_id == session_id)).all())


def test_withdrawing_a_chair_shows_the_role_and_reassigns_it_in_one_step(client, setup, make):
    convening, (amina, bo, carla) = setup["convening"], setup["guests"]
    opening = make.agenda_session(convening, title="Opening plenary")
    make.session_role(opening, amina, "chair")
    make.session_role(opening, carla, "speaker")
    db.session.commit()
    guests = f"/convenings/{convening.id}/guests"
    assert BANNER not in client.get(guests).get_data(as_text=True)

    invitation = _invitation(convening, amina)
    assert client.post(f"{guests}/bulk", data={"invitation_ids": [str(invitation.id)],
                                               "action": "remove", "confirmed": "1"}).status_code == 302
    assert "1 agenda role is held by people who are no longer coming" in client.get(guests).get_data(as_text=True)
    assert BANNER in client.get(f"/convenings/{convening.id}/agenda").get_data(as_text=True)

    page = client.get(f"/convenings/{convening.id}/agenda/loose-ends").get_data(as_text=True)
    [open_role] = loose_ends.loose_roles(convening)
    assert (open_role.person.id, open_role.role.role, open_role.status) == (amina.id, "chair", "withdrawn")
    assert "Opening plenary" in page and "Amina Diallo" in page and "(withdrawn)" in page
    response = client.post(f"/convenings/{convening.id}/agenda/loose-ends/{open_role.role.id}",
                           data={"action": "reassign", "person_id": str(bo.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert _roles(opening.id) == sorted([(bo.id, "chair"), (carla.id, "speaker")])
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "agenda_session.update")) == 1
    assert BANNER not in client.get(guests).get_data(as_text=True)


def test_a_late_decline_through_the_link_shows_up_and_the_role_can_be_removed(client, setup, make, rsvp_token, app):
    convening, (amina, bo, carla) = setup["convening"], setup["guests"]
    wrap_up = make.agenda_session(convening, title="Wrap-up")
    make.session_role(wrap_up, carla, "rapporteur")
    db.session.commit()
    invitation = _invitation(convening, carla)
    token = rsvp_token(invitation)
    attendee = app.test_client()
    answer = attendee.post(f"/my/{token}", data={"answer": "declined", "reason": "Travel cancelled",
                                                 "version": str(invitation.version)})
    assert answer.status_code == 302
    db.session.expire_all()
    assert _invitation(convening, carla).status == "declined"
    assert "1 agenda role is" in client.get(f"/convenings/{convening.id}/agenda").get_data(as_text=True)
    [open_role] = loose_ends.loose_roles(convening)
    assert open_role.status == "declined"
    response = client.post(f"/convenings/{convening.id}/agenda/loose-ends/{open_role.role.id}",
                           data={"action": "remove"}, follow_redirects=True)
    assert response.status_code == 200 and "No role is left open" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _roles(wrap_up.id) == []


def test_a_bad_choice_says_why_and_changes_nothing(client, setup, make):
    convening, (amina, bo, carla) = setup["convening"], setup["guests"]
    session = make.agenda_session(convening, title="Session A")
    make.session_role(session, amina, "chair")
    make.invitation(convening, make.person(name="Gone Too"), status="declined")
    _invitation(convening, amina).status = "declined"
    db.session.commit()
    [open_role] = loose_ends.loose_roles(convening)
    url = f"/convenings/{convening.id}/agenda/loose-ends/{open_role.role.id}"
    outsider = make.person(name="Not On The List")
    for data in ({"action": "reassign", "person_id": str(outsider.id)}, {"action": "reassign", "person_id": ""},
                 {"action": "reassign", "person_id": "x"}, {"action": "shred"}):
        response = client.post(url, data=data)
        assert response.status_code == 422, data
        assert "Choose someone on the guest list" in response.get_data(as_text=True) or data["action"] == "shred"
    db.session.expire_all()
    assert _roles(session.id) == [(amina.id, "chair")]
    # a role that is not open (Bo is coming) is refused too
    make.session_role(session, bo, "speaker")
    db.session.commit()
    bo_role = db.session.scalar(sa.select(SessionRole.id).where(SessionRole.person_id == bo.id))
    assert client.post(f"/convenings/{convening.id}/agenda/loose-ends/{bo_role}",
                       data={"action": "remove"}).status_code == 422
    assert (bo.id, "speaker") in _roles(session.id)


def test_people_coming_again_or_on_the_conference_list_are_not_loose(setup, make):
    convening, (amina, bo, carla) = setup["convening"], setup["guests"]
    dialogue = make.dialogue(convening, title="Dialogue")
    session = make.agenda_session(dialogue, title="Dialogue session")
    make.session_role(session, bo, "moderator")
    make.invitation(dialogue, bo, status="declined")  # declined the dialogue, still accepted for the conference
    db.session.commit()
    assert loose_ends.loose_roles(dialogue) == [] and loose_ends.count(dialogue) == 0


def test_the_page_and_banner_use_a_fixed_number_of_queries(client, setup, make, count_queries):
    convening = setup["convening"]

    def add_gone(n):
        for i in range(n):
            person = make.person(name=f"Gone {i}")
            make.invitation(convening, person, status="withdrawn")
            make.session_role(make.agenda_session(convening, title=f"S{i}"), person, "speaker")
        db.session.commit()

    add_gone(1)
    with count_queries() as few:
        assert client.get(f"/convenings/{convening.id}/agenda/loose-ends").status_code == 200
    add_gone(6)
    with count_queries() as many:
        page = client.get(f"/convenings/{convening.id}/agenda/loose-ends").get_data(as_text=True)
    assert page.count('name="action" value="remove"') == 7
    assert many.count == few.count


def test_only_the_convenings_organizers_see_and_settle_loose_ends(client, setup, make, sign_in, app):
    convening, (amina, *_) = setup["convening"], setup["guests"]
    make.session_role(make.agenda_session(convening), amina, "chair")
    _invitation(convening, amina).status = "withdrawn"
    db.session.commit()
    role_id = loose_ends.loose_roles(convening)[0].role.id
    other = app.test_client()
    sign_in(make.user("organizer"), target=other)
    assert other.get(f"/convenings/{convening.id}/agenda/loose-ends").status_code == 404
    assert other.post(f"/convenings/{convening.id}/agenda/loose-ends/{role_id}",
                      data={"action": "remove"}).status_code == 404
    assert len(loose_ends.loose_roles(convening)) == 1
