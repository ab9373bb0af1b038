"""Who chooses the language: the person, else the convening (else its conference, else its series), else English.

Organizers set a convening's and a series' language on their forms; the directory's person form and
the guest-list CSV (`language` column) set a person's.
"""
import io
import re

import sqlalchemy as sa

from convene.convenings.models import Convening, Series
from convene.extensions import db
from convene.i18n.locale import attendee_language
from convene.people.models import Person


def test_the_person_then_the_convening_then_its_conference_then_its_series(make):
    series = make.series(default_language="es")
    conference = make.convening(series_id=series.id)
    dialogue = make.dialogue(conference)
    person = make.person()
    db.session.commit()
    assert (conference.language, dialogue.language) == ("es", "es")
    conference.default_language = "fr"
    assert dialogue.language == "fr" and attendee_language(person, dialogue) == "fr"
    person.preferred_language = "en"
    assert attendee_language(person, dialogue) == "en"
    assert attendee_language(make.person(), make.convening()) == "en"  # nobody chose: English


def test_organizers_set_the_language_of_a_series_and_a_convening(client, make, sign_in):
    sign_in(make.user("admin"))
    assert client.post("/series/new", data={"name": "Sahel Dialogues", "default_language": "fr"}).status_code == 302
    series = db.session.scalar(sa.select(Series))
    assert series.default_language == "fr"
    assert 'name="default_language"' in client.get(f"/series/{series.id}/edit").get_data(as_text=True)
    response = client.post("/convenings/new", data={
        "title": "Bamako 2031", "kind": "roundtable", "starts_on": "2031-03-08", "ends_on": "2031-03-09",
        "timezone": "Africa/Bamako", "attribution_rule": "chatham_house", "series_id": str(series.id),
        "default_language": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    convening = db.session.scalar(sa.select(Convening))
    assert convening.default_language is None and convening.language == "fr"  # inherited from the series
    page = client.get(f"/convenings/{convening.id}/edit").get_data(as_text=True)
    assert 'name="default_language"' in page
    assert client.post("/series/new", data={"name": "Bad", "default_language": "de"}).status_code != 302


def test_the_directory_form_sets_a_persons_language(client, make, sign_in):
    sign_in(make.user("organizer"))
    response = client.post("/people/new", data={"name": "Awa Ndiaye", "preferred_language": "fr"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Person.preferred_language)) == "fr"


def test_the_guest_list_csv_takes_a_language_column(client, make, sign_in):
    convening = make.convening(organizers=[sign_in(make.user("organizer"))])
    known = make.person(name="Known Person", email="known@example.org", preferred_language="en")
    content = ("name,email,organization,country,sector,Langue\n"
               "Awa Ndiaye,awa@example.org,ENDA,SN,civil society,Français\n"
               "Ana Paz,ana@example.org,FLACSO,AR,academia,es\n"
               "Bo Chen,bo@example.org,,,,\n"
               "Known P.,known@example.org,,,,fr\n").encode()
    page = client.post(f"/convenings/{convening.id}/guests/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO(content), "guests.csv"), "role": "participant", "priority": "first_choice"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Français (fr)" in text and "Español (es)" in text  # how the preview read the column
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', text).group(1)
    assert client.post(f"/convenings/{convening.id}/guests/import/confirm", data={"payload": payload}).status_code \
        == 302
    languages = dict(db.session.execute(sa.select(Person.email, Person.preferred_language)).all())
    assert languages == {"awa@example.org": "fr", "ana@example.org": "es", "bo@example.org": None,
                         "known@example.org": "en"}  # a person already in the directory keeps their choice
    assert known.preferred_language == "en"
    bad = client.post(f"/convenings/{convening.id}/guests/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO(b"name,email,organization,country,sector,language\nX Y,x@example.org,,,,Klingon\n"),
                 "guests.csv"), "role": "participant", "priority": "first_choice"})
    assert "unknown language “Klingon”" in bad.get_data(as_text=True)
