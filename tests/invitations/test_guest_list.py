import sqlalchemy as sa

from convene.audit.models import AuditEvent
from convene.extensions import db
from convene.invitations.models import Invitation, InvitationStatusChange

from .conftest import outbox


def test_search_and_add_people_from_directory(client, make, convening):
    ada = make.person(name="Ada Lovelace", position="Minister")
    make.person(name="Grace Hopper")
    page = client.get(f"/convenings/{convening.id}/guests?q=lovelace").get_data(as_text=True)
    assert "Ada Lovelace" in page and "Grace Hopper" not in page
    response = client.post(f"/convenings/{convening.id}/guests/add",
                           data={"person_ids": [str(ada.id)], "role": "speaker", "priority": "first_choice"})
    assert response.status_code == 302
    invitation = db.session.scalar(sa.select(Invitation))
    assert (invitation.person_id, invitation.role, invitation.status) == (ada.id, "speaker", "planned")
    change = db.session.scalar(sa.select(InvitationStatusChange))
    assert (change.from_status, change.to_status) == (None, "planned")
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "invitation.create")) is not None
    page = client.get(f"/convenings/{convening.id}/guests?q=lovelace").get_data(as_text=True)
    assert "already on the list" in page


def test_duplicate_invitee_is_refused_with_message(client, make, convening):
    person = make.person(name="Kofi Annan")
    make.invitation(convening, person)
    response = client.post(f"/convenings/{convening.id}/guests/add", follow_redirects=True,
                           data={"person_ids": [str(person.id)], "role": "participant", "priority": "first_choice"})
    assert "Kofi Annan is already on the guest list." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 1


def test_reserves_get_ranks_in_order(client, make, convening):
    people = [make.person() for _ in range(3)]
    client.post(f"/convenings/{convening.id}/guests/add",
                data={"person_ids": [str(p.id) for p in people], "role": "participant", "priority": "reserve"})
    ranks = sorted(db.session.scalars(sa.select(Invitation.reserve_rank)))
    assert ranks == [1, 2, 3]


def test_remove_deletes_planned_and_withdraws_sent(client, make, convening):
    planned = make.invitation(convening)
    invited = make.invitation(convening, status="invited", invited_at=planned.created_at)
    planned_id, invited_id = planned.id, invited.id
    response = client.post(f"/convenings/{convening.id}/guests/bulk", data={
        "invitation_ids": [str(planned_id), str(invited_id)], "action": "remove"})
    assert response.status_code == 302
    db.session.expunge_all()
    assert db.session.get(Invitation, planned_id) is None
    assert db.session.get(Invitation, invited_id).status == "withdrawn"


def test_other_organizer_gets_404_and_staff_read_only(client, make, sign_in):
    owner = make.user("organizer")
    convening = make.convening(organizers=[owner])
    make.invitation(convening, make.person(name="Visible Person"))
    sign_in(make.user("organizer"))
    assert client.get(f"/convenings/{convening.id}/guests").status_code == 404
    assert client.get(f"/convenings/{convening.id}/guests/status").status_code == 404
    sign_in(make.user("staff"))
    page = client.get(f"/convenings/{convening.id}/guests")
    assert page.status_code == 200 and "Visible Person" in page.get_data(as_text=True)
    assert "Add people from the directory" not in page.get_data(as_text=True)
    assert client.post(f"/convenings/{convening.id}/guests/bulk", data={"action": "send"}).status_code == 403


def test_ids_of_another_convening_are_ignored(client, make, convening):
    other = make.convening()
    foreign = make.invitation(other)
    client.post(f"/convenings/{convening.id}/guests/bulk", data={"invitation_ids": [str(foreign.id)],
                                                                "action": "remove"})
    db.session.expire_all()
    assert db.session.get(Invitation, foreign.id) is not None


def test_dialogue_has_its_own_guest_list(client, make, convening):
    dialogue = make.dialogue(convening, title="Roundtable B")
    make.invitation(dialogue, make.person(name="Dialogue Guest"))
    page = client.get(f"/convenings/{convening.id}/guests").get_data(as_text=True)
    assert "Roundtable B" in page and "Dialogue Guest" not in page
    assert "Dialogue Guest" in client.get(f"/convenings/{dialogue.id}/guests").get_data(as_text=True)


def _fill(make, convening, n):
    for i in range(n):
        organization = make.organization()
        status = ("planned", "invited", "accepted", "declined", "tentative")[i % 5]
        make.invitation(convening, make.person(organization=organization), status=status,
                        priority="reserve" if i % 7 == 0 else "first_choice")


def test_guest_list_and_status_board_use_a_fixed_number_of_queries(client, make, organizer, count_queries):
    counts = {}
    for n in (5, 50):
        convening = make.convening(organizers=[organizer])
        _fill(make, convening, n)
        for path in ("guests", "guests/status", "guests/reminders"):
            with count_queries() as counter:
                assert client.get(f"/convenings/{convening.id}/{path}").status_code == 200
            counts.setdefault(path, []).append(counter.count)
    for path, (small, large) in counts.items():
        assert small == large, (path, small, large)
    assert outbox() == []


def test_empty_posts_give_a_message_never_a_500(client, convening):
    for path, expected in (("guests/bulk", "Tick at least one person on the list"),
                           ("guests/add", "Tick at least one person to add"),
                           ("guests/attendance", "Tick at least one person first")):
        response = client.post(f"/convenings/{convening.id}/{path}", data={}, follow_redirects=True)
        assert response.status_code == 200, path
        assert expected in response.get_data(as_text=True)
