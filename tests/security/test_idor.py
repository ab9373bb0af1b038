"""Object-level access: changing an id in a URL or a form, or using one invitee's link for another.

Convening A is organized by `organizer`; `other_organizer` organizes convening B only.
"""
import sqlalchemy as sa

from convene.extensions import db
from convene.models import ActionItem, Invitation, Person
from tests.security.world import build_world


def _page(client, url, **kw) -> tuple[int, str]:
    response = client.get(url, **kw)
    return response.status_code, response.get_data(as_text=True)


def test_other_organizer_sees_no_private_field_of_a_person_of_another_convening(client, make, sign_in):
    world = build_world(make)
    sign_in(world.other_organizer)
    for url, expected in ((f"/people/{world.person.id}", 200), (f"/people/{world.person.id}/edit", 403)):
        status, page = _page(client, url)
        assert status == expected, url  # the edit form: another team's invitee (test_directory_and_series.py)
        assert "secret-diet-a" not in page and "secret-access-a" not in page
        assert 'name="nationality"' not in page and 'name="gender"' not in page
    # nor those of their own invitee who has not answered through their link yet (tests/security/test_sensitive_data.py)
    assert "secret-diet-b" not in _page(client, f"/people/{world.other_person.id}")[1]


def test_other_organizer_cannot_set_private_fields_through_the_edit_form(client, make, sign_in):
    world = build_world(make)
    sign_in(world.other_organizer)
    person = world.person
    response = client.post(f"/people/{person.id}/edit", data={
        "name": person.name, "email": person.email, "sector": "", "country": "", "timezone": "",
        "gender": "man", "nationality": "FR", "dietary_needs": "changed", "access_needs": "changed",
        "version": str(person.version)})
    assert response.status_code in (302, 200, 403)
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert (person.gender, person.nationality, person.dietary_needs) == ("woman", "KE", "secret-diet-a")


def test_other_organizer_cannot_reach_the_guest_list_invitations_or_next_steps_of_a(client, make, sign_in):
    world = build_world(make)
    sign_in(world.other_organizer)
    a, inv, action = world.convening.id, world.invitation.id, world.action.id
    for url in (f"/convenings/{a}", f"/convenings/{a}/guests", f"/convenings/{a}/guests/{inv}",
                f"/convenings/{a}/guests/status", f"/convenings/{a}/next-steps", f"/next-steps/{action}",
                f"/convenings/{a}/agenda", f"/convenings/{a}/balance", f"/convenings/{a}/notes"):
        assert client.get(url).status_code == 404, url
    # B's own guest list with A's invitation id in the URL: still nothing
    b = world.other_convening.id
    assert client.get(f"/convenings/{b}/guests/{inv}").status_code == 404
    assert client.post(f"/convenings/{b}/guests/{inv}/offline", data={"answer": "declined"}).status_code == 404
    assert client.post(f"/convenings/{b}/guests/{inv}/reissue").status_code == 404


def test_lists_and_exports_of_another_organizer_leave_out_convening_a(client, make, sign_in):
    world = build_world(make)
    sign_in(world.other_organizer)
    hidden = [world.convening.title, world.action.text, world.person.email]
    for url in ("/", "/convenings/", "/next-steps/", "/next-steps/export.csv", "/next-steps/export.ics", "/outbox"):
        status, page = _page(client, url)
        assert status == 200, url
        leaked = [text for text in hidden[:2] if text in page]
        assert not leaked, f"{url} shows {leaked}"
    status, page = _page(client, "/outbox")
    assert world.person.email not in page


def test_person_page_lists_only_the_next_steps_and_convenings_the_viewer_may_see(client, make, sign_in):
    world = build_world(make)
    sign_in(world.other_organizer)
    status, page = _page(client, f"/people/{world.person.id}")
    assert status == 200
    assert world.action.text not in page, "next steps of convening A leak through the person page"
    assert world.convening.title not in page


def test_ids_of_a_in_a_form_posted_to_b_change_nothing(client, make, sign_in):
    world = build_world(make)
    sign_in(world.other_organizer)
    b = world.other_convening.id
    client.post(f"/convenings/{b}/guests/bulk", data={"invitation_ids": str(world.invitation.id), "action": "remove", "confirmed": "1"})
    client.post(f"/convenings/{b}/guests/attendance", data={"invitation_ids": str(world.invitation.id),
                                                           "status": "no_show"})
    client.post("/next-steps/bulk", data={"ids": str(world.action.id), "op": "status", "confirmed": "1", "status": "dropped",
                                          "note": "x"})
    db.session.expire_all()
    assert db.session.get(Invitation, world.invitation.id).status == "accepted"
    assert db.session.get(ActionItem, world.action.id).status == "open"


def test_a_personal_link_opens_only_its_own_invitation(app, make):
    world = build_world(make)
    client = app.test_client()
    mine, theirs = world.tokens["rsvp"], world.other_tokens["rsvp"]
    status, page = _page(client, f"/my/{theirs}")
    assert status == 200 and world.other_convening.title in page and world.convening.title not in page
    response = client.post(f"/my/{theirs}", data={"answer": "declined", "reason": "",
                                                     "version": str(world.other_invitation.version),
                                                     "invitation_id": str(world.invitation.id)})
    assert response.status_code in (302, 409, 422)
    db.session.expire_all()
    assert db.session.get(Invitation, world.invitation.id).status == "accepted"  # A's untouched
    # B's link with A's objects in the rest of the URL
    assert client.get(f"/my/{theirs}/notes/{world.session.id}").status_code in (403, 404)
    assert client.get(f"/my/{theirs}/review/{world.brief.id}").status_code in (403, 404)
    assert client.get(f"/my/{theirs}/sessions/{world.session.uid}.ics").status_code == 404
    # an owner link shows only that owner's next steps
    status, page = _page(client, f"/my-next-steps/{world.other_tokens['owner']}")
    assert status == 200 and world.other_action.text in page and world.action.text not in page
    # the export through a link holds that person only
    export = client.post(f"/my/{theirs}/export").get_data(as_text=True)
    assert world.other_person.email in export and world.person.email not in export and "secret-diet-a" not in export


def test_a_link_of_one_purpose_does_not_open_another(app, make):
    world = build_world(make)
    client = app.test_client()
    assert client.get(f"/my/{world.tokens['feed']}").status_code == 404
    assert client.get(f"/reset-password/{world.tokens['rsvp']}").status_code == 410
    assert client.get(f"/my-next-steps/{world.tokens['rsvp']}").status_code == 404


def test_revoked_links_stop_working(client, make, sign_in):
    world = build_world(make)
    sign_in(world.organizer)
    old = world.tokens["rsvp"]
    assert client.get(f"/my/{old}").status_code == 200
    response = client.post(f"/convenings/{world.convening.id}/guests/{world.invitation.id}/reissue")
    assert response.status_code == 302
    assert client.get(f"/my/{old}").status_code == 410


def test_staff_never_see_individual_private_fields(client, make, sign_in):
    world = build_world(make)
    sign_in(world.staff)
    for url in (f"/people/{world.person.id}", f"/people/{world.person.id}/edit",
                f"/convenings/{world.convening.id}/guests"):
        status, page = _page(client, url)
        assert status == 200, url
        assert "secret-diet-a" not in page and "secret-access-a" not in page, url
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) >= 2
