"""Any list the app exports re-imports to the same people: the guest list export, read back as it
is or as a spreadsheet would save it again (Windows-1252 with semicolons, UTF-8 with a BOM and tabs)."""
import io
import re

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convene.base.countries import countries
from convene.extensions import db
from convene.invitations import importing
from convene.invitations.models import Invitation
from convene.people.models import Gender, Organization, Person, Sector

TEXT = st.text(st.characters(categories=["L", "M", "N", "P", "S", "Zs"]), min_size=1, max_size=40).map(
    lambda s: " ".join(s.split())).filter(bool)
PERSON = st.fixed_dictionaries({
    "name": TEXT,
    "organization": st.one_of(st.just(""), TEXT),
    "country": st.one_of(st.none(), st.sampled_from(sorted(countries()))),
    "sector": st.one_of(st.none(), st.sampled_from([s.value for s in Sector])),
    "gender": st.one_of(st.none(), st.sampled_from([g.value for g in Gender])),
})
LOCALS = st.from_regex(r"[a-z][a-z0-9]{0,8}(\.[a-z0-9]{1,4})?", fullmatch=True)


def _resave(text: str, how: str) -> bytes:
    """The exported text as a spreadsheet might save it again before the upload."""
    if how == "cp1252-semicolon":
        return text.replace(",", ";").encode("cp1252") if _plain(text) else text.encode("utf-8")
    if how == "bom-tab":
        return b"\xef\xbb\xbf" + text.replace(",", "\t").encode("utf-8") if _plain(text) else text.encode("utf-8")
    return text.encode("utf-8")


def _plain(text: str) -> bool:
    """Whether separators can be swapped naively (no quoting) and, for cp1252, every character fits."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return '"' not in text and ";" not in text and "\t" not in text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(PERSON, min_size=1, max_size=8),
       locals_=st.lists(LOCALS, min_size=8, max_size=8, unique=True),
       how=st.sampled_from(["as-exported", "cp1252-semicolon", "bom-tab"]))
def test_exported_people_reimport_to_the_same_people(convening, people, locals_, how):
    persons = [Person(name=p["name"], email=f"{local}@example.org", country=p["country"], sector=p["sector"],
                      gender=p["gender"], organization=Organization(name=p["organization"]) if p["organization"]
                      else None) for p, local in zip(people, locals_)]
    text = importing.people_csv(persons, with_gender=True)
    preview = importing.parse(_resave(text, how), convening)
    assert preview.errors == []
    read = [(r.name, r.email, r.organization, r.country, r.sector, r.gender) for r in preview.rows]
    assert read == [(p.name, p.email, p.organization.name if p.organization else "", p.country, p.sector, p.gender)
                    for p in persons]


def test_guest_list_export_imports_onto_another_convening(client, make, sign_in):
    organizer = sign_in(make.user("organizer"))
    first, second = make.convening(organizers=[organizer]), make.convening(organizers=[organizer])
    for name, country, sector, gender in [("=SUM(A1) Ødegaard", "NO", "media", "woman"),
                                          ("Lê Văn Thành", "VN", "civil_society", None),
                                          ("O'Brien, Siobhán", None, None, "non_binary")]:
        organization = make.organization(name=f"Org of {name}")
        person = make.person(name=name, country=country, sector=sector, gender=gender, organization=organization)
        make.invitation(first, person)
    exported = client.get(f"/convenings/{first.id}/guests/export.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    assert "'=SUM(A1) Ødegaard" in exported.get_data(as_text=True)  # no formula for spreadsheets
    data = {"file": (io.BytesIO(exported.data), "export.csv"), "role": "participant", "priority": "first_choice"}
    page = client.post(f"/convenings/{second.id}/guests/import", data=data,
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "3 matched by e-mail" in page
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(f"/convenings/{second.id}/guests/import/confirm", data={"payload": payload}).status_code == 302

    def guests(convening):
        return set(db.session.scalars(sa.select(Invitation.person_id).where(Invitation.convening_id == convening.id)))
    assert guests(first) == guests(second) and len(guests(second)) == 3
