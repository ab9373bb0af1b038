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
    person = make.person(name="Kwabena Asare-Mensah")
    make.invitation(convening, person)
    response = client.post(f"/convenings/{convening.id}/guests/add", follow_redirects=True,
                           data={"person_ids": [str(person.id)], "role": "participant", "priority": "first_choice"})
    assert "Kwabena Asare-Mensah is already on the guest list." in response.get_data(as_text=True)
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
        "invitation_ids": [str(planned_id), str(invited_id)], "action": "remove", "confirmed": "1"})
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
    assert client.post(f"/convenings/{convening.id}/guests/bulk", data={"action": "send", "confirmed": "1"}).status_code == 403


def test_ids_of_another_convening_are_ignored(client, make, convening):
    other = make.convening()
    foreign = make.invitation(other)
    client.post(f"/convenings/{convening.id}/guests/bulk", data={"invitation_ids": [str(foreign.id)],
                                                                "action": "remove", "confirmed": "1"})
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


def _many(make, convening, n, **kw):
    for i in range(n):
        make.invitation(convening, make.person(name=f"Guest {i:03d}"), **kw)


def test_guest_list_pages_and_filters(client, make, convening):
    _many(make, convening, 105)
    make.invitation(convening, make.person(name="Zoe Reserve"), priority="reserve", reserve_rank=1)
    make.invitation(convening, make.person(name="Yan Accepted"), status="accepted")
    first = client.get(f"/convenings/{convening.id}/guests").get_data(as_text=True)
    assert first.count('name="invitation_ids"') == 100
    assert "107 on the list" in first and "Page 1 of 2" in first and "Zoe Reserve" not in first
    second = client.get(f"/convenings/{convening.id}/guests?page=2").get_data(as_text=True)
    assert second.count('name="invitation_ids"') == 7
    assert second.index("Guest 104") < second.index("Zoe Reserve")  # first choices, then reserves
    beyond = client.get(f"/convenings/{convening.id}/guests?page=9").get_data(as_text=True)
    assert "Zoe Reserve" in beyond  # past the end: the last page
    accepted = client.get(f"/convenings/{convening.id}/guests?status=accepted").get_data(as_text=True)
    assert "Yan Accepted" in accepted and "Guest 000" not in accepted and "1 of 107 match" in accepted
    reserves = client.get(f"/convenings/{convening.id}/guests?priority=reserve").get_data(as_text=True)
    assert "Zoe Reserve" in reserves and "Guest 000" not in reserves
    found = client.get(f"/convenings/{convening.id}/guests?find=guest+01").get_data(as_text=True)
    assert found.count('name="invitation_ids"') == 10  # Guest 010 … Guest 019
    wild = client.get(f"/convenings/{convening.id}/guests?find=%25&status=nonsense&page=x")
    assert wild.status_code == 200 and "No one on the guest list matches" in wild.get_data(as_text=True)


def test_bulk_action_returns_to_the_same_page_and_filters(client, make, convening):
    _many(make, convening, 3)
    planned = make.invitation(convening, make.person(name="Planned Person"))
    response = client.post(f"/convenings/{convening.id}/guests/bulk", data={
        "invitation_ids": [str(planned.id)], "action": "remove", "confirmed": "1", "status": "planned", "find": "planned",
        "page": "2", "priority": "bogus"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "status=planned" in location and "find=planned" in location and "page=2" in location
    assert "priority" not in location


def test_guest_list_query_count_does_not_grow_with_pages_or_filters(client, make, organizer, count_queries):
    counts = []
    for n in (30, 230):  # one page, and three: the count runs either way
        convening = make.convening(organizers=[organizer])
        _fill(make, convening, n)
        for query in ("", "?page=2", "?status=declined&priority=first_choice&find=a"):
            client.get(f"/convenings/{convening.id}/guests{query}")  # kept balance counts, as on any repeat
            with count_queries() as counter:
                assert client.get(f"/convenings/{convening.id}/guests{query}").status_code == 200
            counts.append((query, counter.count))
    assert counts[:3] == counts[3:], counts


def test_guest_rows_link_to_their_entries(client, make, convening):
    guests = [make.invitation(convening, make.person(name=f"Linked {i}")) for i in range(3)]
    page = client.get(f"/convenings/{convening.id}/guests").get_data(as_text=True)
    for invitation in guests:
        assert f'<a href="/convenings/{convening.id}/guests/{invitation.id}">' in page


def test_template_preview_offers_a_limited_list_and_finds_by_name(client, make, convening, count_queries):
    _many(make, convening, 60)
    target = make.invitation(convening, make.person(name="Zelda Target"), priority="reserve", reserve_rank=5)
    page = client.get(f"/convenings/{convening.id}/guests/template").get_data(as_text=True)
    assert page.count("<option ") == 50 and "Zelda Target" not in page
    found = client.get(f"/convenings/{convening.id}/guests/template?who=zelda").get_data(as_text=True)
    assert found.count("<option ") == 1 and "Dear Zelda Target" in found
    chosen = client.get(f"/convenings/{convening.id}/guests/template?preview={target.id}").get_data(as_text=True)
    assert "Dear Zelda Target" in chosen and chosen.count("<option ") == 51
    nobody = client.get(f"/convenings/{convening.id}/guests/template?who=nobody-at-all").get_data(as_text=True)
    assert "No invitee's name matches" in nobody and nobody.count("<option ") == 50
    other = make.invitation(make.convening(), make.person(name="Foreign Guest"))
    foreign = client.get(f"/convenings/{convening.id}/guests/template?preview={other.id}").get_data(as_text=True)
    assert "Foreign Guest" not in foreign
    counts = []
    for more in (0, 40):
        for i in range(more):
            make.invitation(convening, make.person(name=f"More {i}"))
        client.get(f"/convenings/{convening.id}/guests/template")
        with count_queries() as counter:
            client.get(f"/convenings/{convening.id}/guests/template")
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_adding_people_comes_back_to_the_whole_list(client, make, convening):
    """Issue 17, item 8: the add form's priority field was read as the list's filter ('First choice')."""
    ada = make.person(name="Ada Lovelace")
    make.invitation(convening, make.person(name="Ravi Reserve"), priority="reserve", reserve_rank=1)
    response = client.post(f"/convenings/{convening.id}/guests/add", data={
        "person_ids": [str(ada.id)], "role": "participant", "priority": "first_choice", "q": "lovelace"})
    location = response.headers["Location"]
    assert location == f"/convenings/{convening.id}/guests?q=lovelace"
    page = client.get(location).get_data(as_text=True)
    assert "Ravi Reserve" in page and "2 on the list" in page
