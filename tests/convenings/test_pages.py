from datetime import date

import sqlalchemy as sa

from convene.extensions import db
from convene.models import AuditEvent, Convening


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/convenings/")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_organizer_creates_convening_and_dialogue(client, make, sign_in):
    organizer = sign_in(make.user("organizer"))
    response = client.post("/convenings/new", data={
        "title": "Assisting States to Prevent Atrocities", "kind": "conference", "starts_on": "2030-10-17",
        "ends_on": "2030-10-19", "country": "US", "timezone": "America/New_York",
        "attribution_rule": "not_for_attribution", "series_id": "0"})
    assert response.status_code == 302, response.get_data(as_text=True)
    convening = db.session.scalar(sa.select(Convening))
    assert convening.organizers[0].id == organizer.id
    response = client.post(f"/convenings/{convening.id}/dialogues/new", data={
        "title": "Roundtable A", "kind": "roundtable", "starts_on": "2030-10-17", "ends_on": "2030-10-18",
        "country": "US", "timezone": "America/New_York", "attribution_rule": "chatham_house"})
    assert response.status_code == 302
    dialogue = db.session.scalar(sa.select(Convening).where(Convening.parent_id == convening.id))
    assert dialogue.title == "Roundtable A"
    page = client.get(f"/convenings/{convening.id}").get_data(as_text=True)
    assert "Roundtable A" in page
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "convening.create")) == 2


def test_bad_input_keeps_what_was_typed_and_saves_nothing(client, make, sign_in):
    sign_in(make.user("organizer"))
    response = client.post("/convenings/new", data={
        "title": "x" * 10000, "kind": "roundtable", "starts_on": "2030-10-19", "ends_on": "2030-10-17",
        "country": "ZZ", "timezone": "Mars/Olympus", "attribution_rule": "chatham_house"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "cannot be before the first day" in page
    assert "Unknown timezone" in page or "Not a valid choice" in page
    assert db.session.scalar(sa.select(sa.func.count(Convening.id))) == 0


def test_organizer_of_another_convening_gets_404(client, make, sign_in):
    mine = make.convening(organizers=[make.user("organizer")])
    sign_in(make.user("organizer"))
    assert client.get(f"/convenings/{mine.id}").status_code == 404
    assert client.get(f"/convenings/{mine.id}/edit").status_code == 404
    assert client.get("/convenings/999999").status_code == 404


def test_staff_cannot_create(client, make, sign_in):
    sign_in(make.user("staff"))
    assert client.get("/convenings/new").status_code == 403


def test_stale_edit_is_refused(client, make, sign_in):
    organizer = sign_in(make.user("organizer"))
    convening = make.convening(organizers=[organizer], starts_on=date(2031, 5, 1))
    form = {"title": "Renamed", "kind": "roundtable", "starts_on": "2031-05-01", "ends_on": "2031-05-03",
            "country": "US", "timezone": "America/New_York", "attribution_rule": "chatham_house",
            "series_id": "0", "organizer_ids": [str(organizer.id)], "version": str(convening.version)}
    assert client.post(f"/convenings/{convening.id}/edit", data=form).status_code == 302
    response = client.post(f"/convenings/{convening.id}/edit", data={**form, "title": "Other"})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Convening, convening.id).title == "Renamed"


def test_a_partial_update_leaves_absent_fields_as_they_are(make):
    """Only the fields given change: a service call that names the venue must not blank the series or country."""
    from convene.convenings.services import update_convening

    series = make.series()
    convening = make.convening(series=series, country="KE", venue="Old hall")
    update_convening(convening, {"venue": "New hall"}, actor=make.user("admin"))
    db.session.commit()
    db.session.refresh(convening)
    assert (convening.venue, convening.country, convening.series_id) == ("New hall", "KE", series.id)
