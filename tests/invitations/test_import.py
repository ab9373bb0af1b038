import io
import re

import sqlalchemy as sa

from convene.extensions import db
from convene.invitations.models import Invitation
from convene.people.models import Organization, Person

HEADER = "name,email,organization,country,sector,gender\n"


def _upload(client, convening, content: bytes, **extra):
    data = {"file": (io.BytesIO(content), "contacts.csv"), "role": "participant", "priority": "first_choice", **extra}
    return client.post(f"/convenings/{convening.id}/guests/import", data=data, content_type="multipart/form-data")


def _payload(page: str) -> str:
    return re.search(r'name="payload" type="hidden" value="([^"]+)"', page).group(1)


def _count(model):
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_preview_then_commit_matches_existing_by_email_case_insensitively(client, make, convening):
    existing = make.person(name="Existing Person", email="existing@example.org")
    content = ("\ufeff" + HEADER + "Wanjiru Kamau,wanjiru@example.org,Ministry of Foreign Affairs,KE,government,woman\n"
               "Existing P.,EXISTING@Example.org,,,,\n"
               "José Belo Soares,jose@example.org,Academia Ltd,Timor-Leste,Academia / think tank,\n").encode("utf-8")
    response = _upload(client, convening, content)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "2 new to the directory, 1 matched by e-mail" in page
    assert "matched: Existing Person (existing)" in page
    assert _count(Person) == 1 and _count(Invitation) == 0  # the preview writes nothing
    response = client.post(f"/convenings/{convening.id}/guests/import/confirm", data={"payload": _payload(page)})
    assert response.status_code == 302
    db.session.expire_all()
    assert _count(Person) == 3 and _count(Invitation) == 3
    wanjiru = db.session.scalar(sa.select(Person).where(Person.email == "wanjiru@example.org"))
    assert (wanjiru.country, wanjiru.sector, wanjiru.gender, wanjiru.organization.name) == (
        "KE", "government", "woman", "Ministry of Foreign Affairs")
    jose = db.session.scalar(sa.select(Person).where(Person.email == "jose@example.org"))
    assert (jose.country, jose.sector) == ("TL", "academia")
    assert existing.id in set(db.session.scalars(sa.select(Invitation.person_id)))


def test_utf8_without_bom_is_accepted(client, convening):
    response = _upload(client, convening, (HEADER + "Zoë Ärger,zoe@example.org,Org,DE,media,\n").encode("utf-8"))
    assert response.status_code == 200 and "Zoë Ärger" in response.get_data(as_text=True)


def test_windows_1252_file_is_read_and_says_so(client, convening):
    response = _upload(client, convening, (HEADER + "Zoë,zoe@example.org,Org,DE,media,\n").encode("cp1252"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Zoë" in page and "Windows-1252" in page and "(detected)" in page


def test_a_chosen_encoding_that_does_not_fit_is_reported_clearly(client, convening):
    content = (HEADER + "Zoë,zoe@example.org,Org,DE,media,\n").encode("cp1252")
    response = _upload(client, convening, content, encoding="utf-8")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "cannot be read as UTF-8" in page and "CSV UTF-8" in page
    assert _count(Person) == 0


def test_missing_columns_are_reported_and_unknown_ones_ignored(client, convening):
    response = _upload(client, convening, b"full name,e-mail,company,phone\nA,a@example.org,O,123\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "missing column(s): country, sector" in page
    response = _upload(client, convening, b"full name,e-mail,company,country,sector,phone\nA,a@example.org,O,KE,media,1\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r"<td>phone</td><td>ignored</td>", page)
    assert re.search(r"<td>company</td><td>organization</td>", page)


def test_each_bad_row_is_listed_with_its_line_and_nothing_is_committable(client, make, convening):
    on_list = make.person(email="already@example.org", name="Already Invited")
    make.invitation(convening, on_list)
    content = (HEADER
               + "Good Person,good@example.org,Org,KE,government,\n"
               + "Bad Email,not-an-email,Org,KE,government,\n"
               + '"Eve\r\nBcc: x@example.org",eve@example.org,Org,KE,government,\n'
               + "Dup,GOOD@example.org,Org,KE,government,\n"
               + "Nowhere,nowhere@example.org,Org,Atlantis,government,\n"
               + "Sector,sector@example.org,Org,KE,banking,\n"
               + "Gendered,g@example.org,Org,KE,media,male-ish\n"
               + "Already,already@example.org,Org,KE,media,\n").encode("utf-8")
    response = _upload(client, convening, content)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors = dict(re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]+)</td></tr>', page))
    assert "not a valid e-mail address" in errors["3"]
    assert "line break or control character" in errors["5"]  # the quoted value spans lines 4-5
    assert "also on line 2" in errors["6"]
    assert "unknown country" in errors["7"]
    assert "unknown sector" in errors["8"]
    assert "unknown gender" in errors["9"]
    assert "already on the guest list" in errors["10"]
    assert 'value="all"' not in page  # no all-or-nothing button until the file is corrected
    assert "Import the 1 valid row(s) only" in page  # line 2 is fine; importing it alone is a choice


def test_tampered_or_foreign_payload_is_refused(client, make, convening, organizer):
    page = _upload(client, convening, (HEADER + "A,a@example.org,O,KE,media,\n").encode()).get_data(as_text=True)
    payload = _payload(page)
    response = client.post(f"/convenings/{convening.id}/guests/import/confirm",
                           data={"payload": payload[:-3] + "abc"}, follow_redirects=True)
    assert "could not be verified" in response.get_data(as_text=True)
    other = make.convening(organizers=[organizer])
    response = client.post(f"/convenings/{other.id}/guests/import/confirm", data={"payload": payload},
                           follow_redirects=True)
    assert "belongs to another convening" in response.get_data(as_text=True)
    assert _count(Person) == 0 and _count(Invitation) == 0


def test_change_between_preview_and_commit_imports_nothing(client, make, convening):
    page = _upload(client, convening, (HEADER + "A,a@example.org,NewOrg,KE,media,\nB,b@example.org,O,KE,media,\n")
                   .encode()).get_data(as_text=True)
    make.invitation(convening, make.person(email="b@example.org"))
    response = client.post(f"/convenings/{convening.id}/guests/import/confirm", data={"payload": _payload(page)})
    assert response.status_code == 409
    assert "already on the guest list" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _count(Invitation) == 1
    assert db.session.scalar(sa.select(Person).where(Person.email == "a@example.org")) is None
    assert db.session.scalar(sa.select(Organization).where(Organization.name == "NewOrg")) is None


def test_empty_file_is_reported(client, convening):
    response = _upload(client, convening, b"")
    assert response.status_code == 422
