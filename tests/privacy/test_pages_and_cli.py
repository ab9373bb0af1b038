"""Personal-data rights from the admin pages and from the command line, both audited."""
import json
from datetime import date, timedelta

import sqlalchemy as sa

from convene.extensions import db
from convene.models import AuditEvent, Invitation, Person


def _person(make):
    return make.person(name="Leila Haddad", gender="woman", nationality="LB", dietary_needs="vegetarian",
                       access_needs="", bio="Mediator", email="leila@example.org")


def _actions(prefix):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.startswith(prefix))).all()


def test_admin_exports_a_person_as_json_download(client, make, sign_in):
    admin = sign_in(make.user("admin"))
    person = _person(make)
    make.invitation(make.convening(title="Gulf Dialogue"), person)
    page = client.get(f"/admin/people/{person.id}/privacy")
    assert page.status_code == 200 and "invitations" in page.get_data(as_text=True)
    response = client.post(f"/admin/people/{person.id}/privacy/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["person"]["email"] == "leila@example.org"
    assert "Gulf Dialogue" in data["convenings"].values()
    assert _actions("person.export")[0].actor_id == admin.id


def test_export_cannot_be_triggered_by_a_get(client, make, sign_in):
    sign_in(make.user("admin"))
    assert client.get(f"/admin/people/{_person(make).id}/privacy/export").status_code == 405


def test_admin_erases_self_identification_only_after_confirming(client, make, sign_in):
    sign_in(make.user("admin"))
    person = _person(make)
    client.post(f"/admin/people/{person.id}/privacy/erase")  # no confirmation ticked
    db.session.expire_all()
    assert db.session.get(Person, person.id).gender == "woman"
    response = client.post(f"/admin/people/{person.id}/privacy/erase", data={"confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert (person.gender, person.nationality, person.dietary_needs) == (None, None, "")
    assert person.name == "Leila Haddad"
    assert _actions("person.erase_self_identification")


def test_admin_anonymizes_and_past_counts_stay(client, make, sign_in):
    sign_in(make.user("admin"))
    person = _person(make)
    convening = make.convening()
    make.invitation(convening, person, status="attended")
    make.invitation(convening, status="attended")
    response = client.post(f"/admin/people/{person.id}/privacy/anonymize", data={"confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert person.name == f"Erased person #{person.id}" and person.email is None and person.bio == ""
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id)).where(
        Invitation.convening_id == convening.id, Invitation.status == "attended")) == 2
    page = client.get(f"/admin/people/{person.id}/privacy").get_data(as_text=True)
    assert "Leila" not in page and "Erased on" in page


def test_privacy_pages_are_for_admins_only(client, make, sign_in):
    person = _person(make)
    organizer = make.user("organizer")
    make.invitation(make.convening(organizers=[organizer]), person)
    for role_user in (organizer, make.user("staff")):
        sign_in(role_user)
        assert client.get(f"/admin/people/{person.id}/privacy").status_code == 403
        assert client.post(f"/admin/people/{person.id}/privacy/anonymize", data={"confirm": "y"}).status_code == 403
        assert client.post(f"/admin/people/{person.id}/privacy/export").status_code == 403
    db.session.expire_all()
    assert db.session.get(Person, person.id).erased_at is None


def test_retention_page_lists_and_purges(client, make, sign_in):
    sign_in(make.user("admin"))
    person = _person(make)
    make.invitation(make.convening(starts_on=date.today() - timedelta(days=900), status="closed"), person)
    page = client.get("/admin/privacy/retention").get_data(as_text=True)
    assert "Leila Haddad" in page
    assert client.post("/admin/privacy/retention").status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, person.id).gender is None
    assert "Nobody is due" in client.get("/admin/privacy/retention").get_data(as_text=True)


def test_cli_export_erase_and_purge(app, make, tmp_path):
    runner = app.test_cli_runner()
    person = _person(make)
    other = make.person(gender="man", email="old@example.org")
    make.invitation(make.convening(starts_on=date.today() - timedelta(days=900), status="closed"), other)

    result = runner.invoke(args=["privacy", "export", "LEILA@example.org"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["person"]["name"] == "Leila Haddad"
    target = tmp_path / "export.json"
    assert runner.invoke(args=["privacy", "export", "leila@example.org", "-o", str(target)]).exit_code == 0
    assert json.loads(target.read_text())["person"]["id"] == person.id
    assert oct(target.stat().st_mode & 0o777) == "0o600"

    assert runner.invoke(args=["privacy", "export", "nobody@example.org"]).exit_code != 0
    refused = runner.invoke(args=["privacy", "erase", "leila@example.org"], input="n\n")
    assert refused.exit_code != 0
    db.session.expire_all()
    assert db.session.get(Person, person.id).erased_at is None
    result = runner.invoke(args=["privacy", "erase", "leila@example.org", "--yes"])
    assert result.exit_code == 0, result.output

    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0 and "of 1 people" in result.output
    db.session.expire_all()
    assert db.session.get(Person, person.id).erased_at is not None
    assert db.session.get(Person, other.id).gender is None
    labels = {e.action: e.actor_label for e in db.session.scalars(sa.select(AuditEvent))}
    assert labels["person.export"] == labels["person.anonymize"] == "command line"
    assert labels["person.erase_self_identification"] == "command line"
