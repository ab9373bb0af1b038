from convene.extensions import db
from convene.models import AgendaSession
import sqlalchemy as sa
from tests.agenda.conftest import session_form


def test_smoke(client, setup, rsvp_token):
    c = setup["convening"]
    r = client.post(f"/convenings/{c.id}/agenda/new", data=session_form(**{"roles-0-person_id": str(setup["guests"][0].id), "roles-0-role": "rapporteur"}))
    assert r.status_code == 302, r.get_data(as_text=True)
    r = client.get(f"/convenings/{c.id}/agenda")
    assert r.status_code == 200, r.get_data(as_text=True)
    s = db.session.scalar(sa.select(AgendaSession))
    assert client.get(f"/convenings/{c.id}/agenda/{s.id}/edit").status_code == 200
    assert client.get(f"/convenings/{c.id}/agenda/{s.id}/move").status_code == 200
    assert client.get(f"/convenings/{c.id}/agenda/publish").status_code == 200
    r = client.post(f"/convenings/{c.id}/agenda/publish", data={"note": "x", "notify": "y"})
    assert r.status_code == 302, r.get_data(as_text=True)
    assert client.get(f"/convenings/{c.id}/agenda/versions").status_code == 200
    assert client.get(f"/convenings/{c.id}/agenda/print").status_code == 200
    assert client.get(f"/convenings/{c.id}/agenda.ics").status_code == 200
    assert client.get(f"/convenings/{c.id}/agenda/{s.id}.ics").status_code == 200
    from convene.models import Invitation
    inv = db.session.scalar(sa.select(Invitation))
    t = rsvp_token(inv)
    r = client.get(f"/my/{t}/agenda")
    assert r.status_code == 200, r.get_data(as_text=True)
    print(r.get_data(as_text=True)[-3000:])
    assert client.get(f"/my/{t}/briefing").status_code == 200
    assert client.get(f"/my/{t}/agenda.ics").status_code == 200
    r = client.post(f"/my/{t}/agenda/subscribe")
    assert r.status_code == 200
    assert client.post(f"/convenings/{c.id}/agenda/settings", data={"public": "y"}).status_code == 302
    assert client.get(f"/c/{c.slug}/agenda").status_code == 200
    assert client.get(f"/c/{c.slug}/agenda.ics").status_code == 200
