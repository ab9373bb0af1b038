"""The people directory: search, create, edit, and who sees sensitive fields."""
import sqlalchemy as sa

from convene.db_types import utcnow
from convene.extensions import db
from convene.models import AuditEvent, Organization, Person


def test_search_matches_name_organization_and_escapes_wildcards(client, make, sign_in):
    sign_in(make.user("staff"))
    org = make.organization(name="Horn of Africa Peace Network")
    make.person(name="Amal Abdi", organization=org)
    make.person(name="100% Someone")
    assert "Amal Abdi" in client.get("/people/?q=horn").get_data(as_text=True)
    page = client.get("/people/?q=%25").get_data(as_text=True)
    assert "100% Someone" in page and "Amal Abdi" not in page


def test_create_person_creates_organization_once(client, make, sign_in):
    sign_in(make.user("organizer"))
    for name, email in (("A One", "a@example.org"), ("B Two", "b@example.org")):
        response = client.post("/people/new", data={"name": name, "email": email, "organization_name": "New Org",
                                                     "sector": "academia", "country": "KE"})
        assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Organization.id))) == 1


def test_duplicate_email_is_an_inline_error(client, make, sign_in):
    sign_in(make.user("organizer"))
    make.person(email="taken@example.org")
    response = client.post("/people/new", data={"name": "X", "email": "TAKEN@example.org", "country": ""})
    assert response.status_code == 200
    assert "already has this email" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 1


def test_unknown_country_code_is_refused(client, make, sign_in):
    sign_in(make.user("organizer"))
    response = client.post("/people/new", data={"name": "X", "country": "XX"})
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 0


def test_sensitive_fields_only_for_organizers_of_their_convenings(client, make, sign_in):
    organizer = make.user("organizer")
    convening = make.convening(organizers=[organizer])
    person = make.person(gender="woman", nationality="KE", dietary_needs="Halal")
    make.invitation(convening, person, status="accepted", invitee_confirmed_at=utcnow())
    sign_in(make.user("staff"))
    assert "Halal" not in client.get(f"/people/{person.id}").get_data(as_text=True)
    sign_in(make.user("organizer"))  # organizer of nothing this person is invited to
    assert "Halal" not in client.get(f"/people/{person.id}").get_data(as_text=True)
    sign_in(organizer)
    assert "Halal" in client.get(f"/people/{person.id}").get_data(as_text=True)


def test_staff_edit_cannot_touch_sensitive_fields_and_audit_masks_them(client, make, sign_in):
    sign_in(make.user("staff"))
    person = make.person(gender="woman")
    response = client.post(f"/people/{person.id}/edit", data={
        "name": person.name, "email": person.email, "gender": "man", "country": "", "version": person.version})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, person.id).gender == "woman"
    admin = sign_in(make.user("admin"))
    response = client.post(f"/people/{person.id}/edit", data={
        "name": person.name, "email": person.email, "gender": "man", "country": "", "nationality": "",
        "version": db.session.get(Person, person.id).version})
    assert response.status_code == 302, response.get_data(as_text=True)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.actor_id == admin.id))
    assert event.changes["gender"] == ["(changed)", "(changed)"]


def test_directory_page_uses_fixed_number_of_queries(client, make, sign_in, count_queries):
    sign_in(make.user("staff"))
    for _ in range(3):
        make.person(organization=make.organization())
    with count_queries() as few:
        client.get("/people/")
    for _ in range(30):
        make.person(organization=make.organization())
    with count_queries() as many:
        client.get("/people/")
    assert few.count == many.count
