"""Attendee, public and print views: personal links, own timezone, attribution rule, briefing pack."""
from datetime import datetime, timezone

import sqlalchemy as sa

from convene.extensions import db
from convene.models import AgendaSession, Invitation
from convene.tokens import services as tokens


def publish(client, convening):
    assert client.post(f"/convenings/{convening.id}/agenda/publish", data={"notify": ""}).status_code == 302


def invitation_of(person):
    return db.session.scalar(sa.select(Invitation).where(Invitation.person_id == person.id))


def test_my_agenda_by_rsvp_link_with_both_timezones(client, setup, make, rsvp_token):
    c = setup["convening"]
    amina, bo, _ = setup["guests"]
    open_session = make.agenda_session(c, title="Plenary", starts_at=datetime(2031, 3, 8, 14, tzinfo=timezone.utc))
    closed = make.agenda_session(c, title="Closed drafting", open_to_all=False,
                                 starts_at=datetime(2031, 3, 8, 18, tzinfo=timezone.utc))
    make.session_role(closed, amina, "rapporteur")
    make.session_role(open_session, bo, "speaker")
    publish(client, c)
    token = rsvp_token(invitation_of(amina))
    page = client.get(f"/my/{token}/agenda").get_data(as_text=True)
    assert "Plenary" in page and "Closed drafting" in page
    assert "09:00" in page and "14:00–15:30 your time, Africa/Dakar" in page  # 09:00 New York = 14:00 Dakar
    assert "Rapporteur: <strong>you</strong>" in page
    assert "Speaker: a participant" in page  # Bo did not consent to be listed
    assert "Chatham House Rule" in page
    assert f'<a class="session-title" href="/my/{token}/sessions/{open_session.uid}">Plenary</a>' in page
    details = client.get(f"/my/{token}/sessions/{open_session.uid}").get_data(as_text=True)
    assert f"/my/{token}/sessions/{open_session.uid}/add/google" in details  # its calendar links are on its page
    assert f"/my/{token}/sessions/{open_session.uid}.ics" in details and "14:00–15:30 your time" in details
    other = rsvp_token(invitation_of(setup["guests"][2]))
    page = client.get(f"/my/{other}/agenda").get_data(as_text=True)
    assert "Plenary" in page and "Closed drafting" not in page
    assert "your time" not in page  # Carla has no timezone of her own
    assert "Closed drafting" in client.get(f"/my/{other}/agenda?view=all").get_data(as_text=True)


def test_bad_personal_links(client, setup, make, rsvp_token):
    token = rsvp_token(invitation_of(setup["guests"][0]))
    tokens.revoke("rsvp", invitation_id=invitation_of(setup["guests"][0]).id)
    db.session.commit()
    response = client.get(f"/my/{token}/agenda")
    assert response.status_code == 410 and "revoked" in response.get_data(as_text=True)
    assert client.get("/my/not-a-real-token/agenda").status_code == 404
    assert client.get("/my/not-a-real-token/briefing").status_code == 404
    assert client.post(f"/my/{'x' * 500}/agenda/seen").status_code == 404


def test_declined_invitee_sees_no_agenda(client, setup, make, rsvp_token):
    c = setup["convening"]
    make.agenda_session(c, title="Plenary")
    publish(client, c)
    person = make.person(name="Said No")
    invitation = make.invitation(c, person, status="declined")
    page = client.get(f"/my/{rsvp_token(invitation)}/agenda").get_data(as_text=True)
    assert "Plenary" not in page and "No agenda is shared with you" in page


def test_public_agenda_only_when_published_and_switched_on(client, setup, make):
    c = setup["convening"]
    s = make.agenda_session(c, title="Public plenary")
    make.session_role(s, setup["guests"][0], "chair")
    assert client.get(f"/c/{c.slug}/agenda").status_code == 404
    client.post(f"/convenings/{c.id}/agenda/settings", data={"public": "y"})
    assert client.get(f"/c/{c.slug}/agenda").status_code == 404  # nothing published yet
    publish(client, c)
    with client.session_transaction() as session:
        session.clear()
    page = client.get(f"/c/{c.slug}/agenda").get_data(as_text=True)
    assert "Public plenary" in page and "Chatham House Rule" in page
    assert "Amina Diallo" not in page  # no names under the Chatham House Rule


def test_programme_is_printable_with_print_css(client, setup, make):
    c = setup["convening"]
    make.agenda_session(c, title="Opening")
    page = client.get(f"/convenings/{c.id}/agenda/print").get_data(as_text=True)
    assert "agenda.css" in page and "Opening" in page and "Chatham House Rule" in page
    response = client.get("/static/agenda.css")
    css = response.get_data(as_text=True)
    response.close()
    assert "@page" in css and "@media print" in css and "180mm" in css


def test_briefing_pack(client, setup, make, rsvp_token):
    c = setup["convening"]
    amina, bo, carla = setup["guests"]
    amina.bio = "Works on early warning in the Sahel."
    bo.bio = "Secret bio"
    db.session.commit()
    s = make.agenda_session(c, title="Early warning", room="Library")
    make.session_role(s, amina, "moderator")
    publish(client, c)
    page = client.get(f"/my/{rsvp_token(invitation_of(amina))}/briefing").get_data(as_text=True)
    assert "Briefing pack for Amina Diallo" in page
    assert "Early warning" in page and "Moderator" in page and "Library" in page
    assert "Airlie" in page and "America/New York" in page
    assert "Chatham House Rule" in page
    assert "Works on early warning in the Sahel." in page and "Carla Ruiz" in page
    assert "Secret bio" not in page and "Bo Chen" not in page  # no consent to be listed


def test_attendee_pages_query_count_is_fixed(client, setup, make, rsvp_token, count_queries):
    c = setup["convening"]
    amina = setup["guests"][0]
    token = rsvp_token(invitation_of(amina))

    def add(n):
        for i in range(n):
            s = make.agenda_session(c, title=f"S{i}")
            make.session_role(s, amina, "speaker")
        client.post(f"/convenings/{c.id}/agenda/publish", data={"notify": ""})

    add(5)
    uid = db.session.scalar(sa.select(AgendaSession.uid).where(AgendaSession.convening_id == c.id).limit(1))
    with count_queries() as small:
        client.get(f"/my/{token}/agenda")
    with count_queries() as small_one:
        assert client.get(f"/my/{token}/sessions/{uid}").status_code == 200
    add(40)
    with count_queries() as large:
        client.get(f"/my/{token}/agenda")
    with count_queries() as large_one:
        assert client.get(f"/my/{token}/sessions/{uid}").status_code == 200
    assert small.count == large.count and small_one.count == large_one.count


def test_add_to_calendar_menu_builds_web_links_on_demand(client, setup, make, rsvp_token):
    c = setup["convening"]
    described = "A long description that the page must carry once, not once per calendar." + " More." * 40
    plenary = make.agenda_session(c, title="Plenary & close", description=described,
                                  starts_at=datetime(2031, 3, 8, 14, tzinfo=timezone.utc))
    dropped = make.agenda_session(c, title="Dropped", starts_at=datetime(2031, 3, 8, 18, tzinfo=timezone.utc))
    publish(client, c)
    dropped.status = "cancelled"
    db.session.commit()
    publish(client, c)
    token = rsvp_token(invitation_of(setup["guests"][0]))
    page = client.get(f"/my/{token}/agenda?view=all").get_data(as_text=True)
    assert "must carry once" not in page  # descriptions are on each session's page (issue 18)
    assert "calendar.google.com" not in page and "outlook.live.com" not in page and "/add/" not in page
    details = client.get(f"/my/{token}/sessions/{plenary.uid}").get_data(as_text=True)
    assert details.count("must carry once") == 1 and "<h1>Plenary &amp; close</h1>" in details
    assert details.count("/add/") == 3 and "calendar.google.com" not in details
    cancelled = client.get(f"/my/{token}/sessions/{dropped.uid}").get_data(as_text=True)
    assert "<del>Dropped</del>" in cancelled and "/add/" not in cancelled  # nothing to add for a cancelled one
    assert client.get(f"/my/{token}/sessions/not-a-session").status_code == 404
    base = f"/my/{token}/sessions/{plenary.uid}"
    google = client.get(f"{base}/add/google")
    assert google.status_code == 302 and google.headers["Cache-Control"] == "no-store"
    assert google.headers["Location"].startswith("https://calendar.google.com/calendar/render?")
    assert "Plenary+%26+close" in google.headers["Location"] and f"%23s-{plenary.uid}" in google.headers["Location"]
    assert client.get(f"{base}/add/outlook").headers["Location"].startswith("https://outlook.live.com/")
    assert client.get(f"{base}/add/microsoft365").headers["Location"].startswith("https://outlook.office.com/")
    assert client.get(f"{base}/add/yahoo").status_code == 404
    assert client.get(f"/my/{token}/sessions/{dropped.uid}/add/google").status_code == 404
    assert client.get(f"/my/not-a-token/sessions/{plenary.uid}/add/google").status_code == 404
    assert client.get(f"{base}.ics").status_code == 200
