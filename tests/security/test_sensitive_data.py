"""Finding 1 of issue 13: an organizer cannot grant themself sight of someone's self-identified data.

Who may see individual gender, nationality, dietary and access needs is decided in one place,
`convene.auth.policy.sees_sensitive_fields`: admins, and organizers of a convening for which the
person themself answered or gave their details through their personal link. Every organizer
action (adding to the guest list, inviting, recording a reply by phone, marking attendance)
leaves it unchanged.
"""
import sqlalchemy as sa

from convene.auth.policy import sees_sensitive_fields
from convene.extensions import db
from convene.models import Invitation
from tests.security.world import build_world

SECRETS = ("secret-diet-a", "secret-access-a")


def _leaks(client, person_id) -> list[str]:
    pages = [client.get(f"/people/{person_id}"), client.get(f"/people/{person_id}/edit")]
    # the edit form is refused outright for another team's invitee (tests/security/test_directory_and_series.py)
    assert pages[0].status_code == 200 and pages[1].status_code in (200, 403)
    text = "".join(p.get_data(as_text=True) for p in pages)
    return [s for s in SECRETS if s in text] + (['name="gender"'] if 'name="gender"' in text else [])


def _invitation(convening, person):
    return db.session.scalar(sa.select(Invitation).where(Invitation.convening_id == convening.id,
                                                         Invitation.person_id == person.id))


def test_an_organizer_cannot_see_sensitive_data_by_putting_people_on_their_own_list(client, make, sign_in):
    """The exploit path of the probe: add several people as 'planned', read their pages, remove them."""
    world = build_world(make)
    bystander = make.person(dietary_needs="secret-diet-c", gender="woman")
    sign_in(world.other_organizer)
    b = world.other_convening.id
    response = client.post(f"/convenings/{b}/guests/add", data={
        "person_ids": [str(world.person.id), str(bystander.id)], "role": "participant", "priority": "first_choice"})
    assert response.status_code == 302
    invitation = _invitation(world.other_convening, world.person)
    assert invitation is not None and invitation.status == "planned"
    assert not _leaks(client, world.person.id)
    assert "secret-diet-c" not in client.get(f"/people/{bystander.id}").get_data(as_text=True)
    # recording an answer "received by phone" is still the organizer's own doing
    client.post(f"/convenings/{b}/guests/{invitation.id}/offline", data={
        "offline-answer": "accepted", "offline-channel": "phone", "offline-note": "",
        "offline-version": str(invitation.version)})
    db.session.expire_all()
    assert _invitation(world.other_convening, world.person).status == "accepted"
    assert not _leaks(client, world.person.id)
    # the edit form neither shows nor takes the fields
    assert not sees_sensitive_fields(world.other_organizer, world.person)


def test_the_invitees_own_answer_through_their_link_opens_their_data_to_that_conventions_organizers(
        app, client, make, sign_in):
    world = build_world(make)
    assert not sees_sensitive_fields(world.other_organizer, world.other_person)  # invited, no answer yet
    rsvp = app.test_client()
    token = world.other_tokens["rsvp"]
    response = rsvp.post(f"/my/{token}", data={"answer": "accepted", "reason": "",
                                                 "version": str(world.other_invitation.version)})
    assert response.status_code == 302
    db.session.expire_all()
    assert sees_sensitive_fields(world.other_organizer, world.other_person)
    assert not sees_sensitive_fields(world.organizer, world.other_person)  # another convening's organizer
    assert not sees_sensitive_fields(world.staff, world.other_person)
    sign_in(world.other_organizer)
    assert "secret-diet-b" in client.get(f"/people/{world.other_person.id}").get_data(as_text=True)


def test_the_invitee_confirming_their_details_also_opens_them(app, make):
    world = build_world(make)
    token = world.other_tokens["rsvp"]
    page = app.test_client().get(f"/my/{token}").get_data(as_text=True)
    assert "person_version" in page
    person = world.other_person
    response = app.test_client().post(f"/my/{token}/profile", data={
        "position": person.position or "", "country": "", "sector": "", "gender": "man",
        "gender_self_described": "", "nationality": "BR", "dietary_needs": "secret-diet-b",
        "access_needs": "secret-access-b", "organization_name": "", "person_version": str(person.version)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.expire_all()
    assert sees_sensitive_fields(world.other_organizer, world.other_person)


def test_admins_always_and_anonymous_never(make):
    world = build_world(make)
    assert sees_sensitive_fields(world.admin, world.other_person)
    from flask_login import AnonymousUserMixin
    assert not sees_sensitive_fields(AnonymousUserMixin(), world.person)
