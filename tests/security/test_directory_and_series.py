"""Issue 13, finding 4: organizers edit only what they run, and an absent field is never erased.

The rules live in convene/auth/policy.py: `manages_series` (admins, organizers of one of the
series' editions), `edits_person` (staff and admins; an organizer while every guest list the
person is on is one of theirs) and `edits_organization` (staff and admins). Edit views pass
`convene.forms.submitted_data(form)`, so a field missing from the request stays as it was.
"""
import sqlalchemy as sa

from convene.auth.policy import edits_organization, edits_person, manages_series
from convene.extensions import db
from convene.models import Organization, Person, Series
from tests.security.world import build_world


def _fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def test_series_are_edited_by_admins_and_organizers_of_their_editions_only(client, make, sign_in):
    world = build_world(make)
    own = make.series(name="A's own series", description="kept")
    world.convening.series = own
    db.session.commit()
    sign_in(world.other_organizer)
    assert client.get(f"/series/{own.id}/edit").status_code == 403
    assert client.post(f"/series/{own.id}/edit", data={"name": "Renamed by B"}).status_code == 403
    assert _fresh(Series, own.id).name == "A's own series"
    assert "/edit" not in client.get(f"/series/{own.id}").get_data(as_text=True).split("<main", 1)[-1]
    assert manages_series(world.organizer, own) and manages_series(world.admin, own)
    assert not manages_series(world.other_organizer, own) and not manages_series(world.staff, own)
    sign_in(world.organizer)
    assert client.post(f"/series/{own.id}/edit", data={"name": "Renamed by A"}).status_code == 302
    series = _fresh(Series, own.id)
    assert series.name == "Renamed by A" and series.description == "kept"  # absent: unchanged


def test_an_organizer_cannot_edit_a_person_on_another_teams_guest_list(client, make, sign_in):
    world = build_world(make)
    person = world.person  # on convening A's list only
    sign_in(world.other_organizer)
    assert client.get(f"/people/{person.id}/edit").status_code == 403
    response = client.post(f"/people/{person.id}/edit", data={
        "name": person.name, "email": "hijack@example.org", "version": str(person.version)})
    assert response.status_code == 403
    assert _fresh(Person, person.id).email == person.email
    # putting the person on B's own list as well grants nothing
    b = world.other_convening.id
    client.post(f"/convenings/{b}/guests/add", data={"person_ids": [str(person.id)], "role": "participant",
                                                     "priority": "first_choice"})
    assert not edits_person(world.other_organizer, _fresh(Person, person.id))
    assert client.get(f"/people/{person.id}/edit").status_code == 403
    # A's organizer, staff and admins may
    assert edits_person(world.organizer, _fresh(Person, person.id)) is False  # now on B's list too
    assert edits_person(world.staff, person) and edits_person(world.admin, person)


def test_an_organizer_edits_people_on_no_list_or_only_on_their_own(make):
    world = build_world(make)
    newcomer = make.person()
    assert edits_person(world.organizer, newcomer) and edits_person(world.other_organizer, newcomer)
    make.invitation(world.convening, newcomer)
    assert edits_person(world.organizer, newcomer) and not edits_person(world.other_organizer, newcomer)


def test_organizations_are_edited_by_staff_and_admins(client, make, sign_in):
    world = build_world(make)
    organization = world.organization
    for organizer in (world.organizer, world.other_organizer):
        sign_in(organizer)
        assert client.get(f"/organizations/{organization.id}/edit").status_code == 403
        assert client.post(f"/organizations/{organization.id}/edit", data={"name": "Renamed"}).status_code == 403
    assert _fresh(Organization, organization.id).name == organization.name
    assert edits_organization(world.staff) and edits_organization(world.admin)
    assert not edits_organization(world.organizer)


def test_a_partial_post_leaves_absent_fields_unchanged(client, make, sign_in):
    sign_in(make.user("staff"))
    organization = make.organization(name="Horn Network", sector="civil_society", country="KE")
    person = make.person(name="Amina", position="Director", country="KE", sector="civil_society",
                         bio="A bio", expertise="mediation", organization=organization)
    email = person.email
    response = client.post(f"/people/{person.id}/edit", data={"name": "Amina D.", "version": str(person.version)})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    person = _fresh(Person, person.id)
    assert person.name == "Amina D."
    assert (person.email, person.position, person.country, person.sector, person.bio, person.expertise) == (
        email, "Director", "KE", "civil_society", "A bio", "mediation")
    assert person.organization_id == organization.id
    response = client.post(f"/organizations/{organization.id}/edit", data={"name": "Horn Network (HN)"})
    assert response.status_code == 302
    organization = _fresh(Organization, organization.id)
    assert (organization.name, organization.sector, organization.country) == (
        "Horn Network (HN)", "civil_society", "KE")
