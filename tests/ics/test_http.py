"""Calendar downloads and subscription feeds over HTTP: headers, conditional requests, revocation, query counts."""
import re
from datetime import datetime, timezone

import sqlalchemy as sa
from icalendar import Calendar

from convene.agenda.models import AgendaSession, SessionRole
from convene.extensions import db
from convene.models import Invitation
from convene.tokens import services as tokens
from tests.agenda.conftest import setup, rsvp_token  # noqa: F401  (shared fixtures)


def publish(client, convening):
    assert client.post(f"/convenings/{convening.id}/agenda/publish", data={"notify": ""}).status_code == 302


def check_calendar(response, filename_part: str) -> Calendar:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert re.search(r'filename="[a-z0-9-]+\.ics"', response.headers["Content-Disposition"])
    assert filename_part in response.headers["Content-Disposition"]
    data = response.get_data()
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    cal = Calendar.from_ical(data)
    assert cal["METHOD"] == "PUBLISH" and cal.get_missing_tzids() == set()
    return cal


def subscribe(client, person_token: str) -> str:
    page = client.post(f"/my/{person_token}/agenda/subscribe").get_data(as_text=True)
    webcal = re.search(r'href="(webcal://[^"]+)"', page).group(1)
    assert re.search(r"<code>(https?://[^<]+)</code>", page).group(1).split("://")[1] == webcal.split("://")[1]
    return webcal.rsplit("/", 1)[1][:-len(".ics")]


def invitation_of(person):
    return db.session.scalar(sa.select(Invitation).where(Invitation.person_id == person.id))


def test_downloads(client, setup, make, rsvp_token):
    c = setup["convening"]
    s = make.agenda_session(c, title="Opening plenary", description="Agenda text")
    cancelled = make.agenda_session(c, title="Dropped", status="cancelled")
    cal = check_calendar(client.get(f"/convenings/{c.id}/agenda.ics"), c.slug)
    assert {str(e["UID"]) for e in cal.events} == {s.uid, cancelled.uid}
    event = next(e for e in cal.events if str(e["UID"]) == s.uid)
    assert f"/convenings/{c.id}/agenda#s-{s.uid}" in str(event["DESCRIPTION"])
    assert "Agenda text" in str(event["DESCRIPTION"])
    cal = check_calendar(client.get(f"/convenings/{c.id}/agenda/{s.id}.ics"), "opening-plenary")
    assert [str(e["UID"]) for e in cal.events] == [s.uid]
    publish(client, c)
    token = rsvp_token(invitation_of(setup["guests"][0]))
    cal = check_calendar(client.get(f"/my/{token}/agenda.ics"), "my-agenda")
    assert str(next(e for e in cal.events if str(e["UID"]) == cancelled.uid)["STATUS"]) == "CANCELLED"
    cal = check_calendar(client.get(f"/my/{token}/sessions/{s.uid}.ics"), "opening-plenary")
    assert len(cal.events) == 1
    assert client.get(f"/my/{token}/sessions/nope.ics").status_code == 404
    client.post(f"/convenings/{c.id}/agenda/settings", data={"public": "y"})
    check_calendar(client.get(f"/c/{c.slug}/agenda.ics"), c.slug)
    check_calendar(client.get(f"/c/{c.slug}/agenda/{s.uid}.ics"), "opening-plenary")


def test_person_feed_conditional_requests_and_revocation(client, setup, make, rsvp_token):
    c = setup["convening"]
    s = make.agenda_session(c, title="Plenary")
    publish(client, c)
    feed_token = subscribe(client, rsvp_token(invitation_of(setup["guests"][0])))
    response = client.get(f"/feeds/{feed_token}.ics")
    cal = check_calendar(response, "convene-agenda")
    assert response.headers["Content-Disposition"].startswith("inline")
    assert "private" in response.headers["Cache-Control"] and "no-store" not in response.headers["Cache-Control"]
    etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
    assert client.get(f"/feeds/{feed_token}.ics").get_data() == response.get_data()  # stable bytes
    again = client.get(f"/feeds/{feed_token}.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert client.get(f"/feeds/{feed_token}.ics", headers={"If-Modified-Since": modified}).status_code == 304
    # A published change gives new content and a new ETag; SEQUENCE went up.
    client.post(f"/convenings/{c.id}/agenda/{s.id}/move", data={"day": "2031-03-09", "start_time": "10:00"})
    publish(client, c)
    changed = client.get(f"/feeds/{feed_token}.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    [event] = Calendar.from_ical(changed.get_data()).events
    assert event["SEQUENCE"] > cal.events[0]["SEQUENCE"] and str(event["UID"]) == s.uid
    # Revoked: 410 (like every dead personal link) with a clear plain-text body.
    tokens.revoke("feed", person_id=setup["guests"][0].id)
    db.session.commit()
    revoked = client.get(f"/feeds/{feed_token}.ics")
    assert revoked.status_code == 410
    assert revoked.headers["Content-Type"].startswith("text/plain")
    assert "revoked" in revoked.get_data(as_text=True)
    assert client.get("/feeds/unknown-token.ics").status_code == 404


def test_rsvp_token_is_not_a_feed_token(client, setup, make, rsvp_token):
    token = rsvp_token(invitation_of(setup["guests"][0]))
    assert client.get(f"/feeds/{token}.ics").status_code == 404


def test_unsubscribe_revokes_every_calendar_link(client, setup, make, rsvp_token):
    c = setup["convening"]
    make.agenda_session(c)
    publish(client, c)
    rsvp = rsvp_token(invitation_of(setup["guests"][0]))
    feed_token = subscribe(client, rsvp)
    assert client.post(f"/my/{rsvp}/agenda/unsubscribe").status_code == 200
    assert client.get(f"/feeds/{feed_token}.ics").status_code == 410


def test_convening_feed_issue_and_revoke(client, setup, make):
    c = setup["convening"]
    restricted = make.agenda_session(c, title="By invitation", open_to_all=False)
    publish(client, c)
    page = client.post(f"/convenings/{c.id}/agenda/feed", data={"action": "issue"}).get_data(as_text=True)
    token = re.search(r"/feeds/([^\".<]+)\.ics", page).group(1)
    cal = check_calendar(client.get(f"/feeds/{token}.ics"), "convene-agenda")
    assert restricted.uid in {str(e["UID"]) for e in cal.events}
    client.post(f"/convenings/{c.id}/agenda/feed", data={"action": "revoke"})
    assert client.get(f"/feeds/{token}.ics").status_code == 410


def test_ics_export_query_count_is_fixed(client, setup, make, count_queries):
    c = setup["convening"]
    people = setup["guests"]

    def fill(n):
        for i in range(n):
            s = AgendaSession(convening=c, title=f"S{i}", room=f"R{i % 7}",
                              starts_at=datetime(2031, 3, 8, 14, i % 60, tzinfo=timezone.utc),
                              ends_at=datetime(2031, 3, 8, 16, tzinfo=timezone.utc))
            s.roles.append(SessionRole(person=people[i % 3], role="speaker"))
            s.roles.append(SessionRole(person=people[(i + 1) % 3], role="chair"))
            db.session.add(s)
        db.session.commit()

    fill(30)
    with count_queries() as small:
        assert client.get(f"/convenings/{c.id}/agenda.ics").status_code == 200
    fill(170)
    with count_queries() as large:
        response = client.get(f"/convenings/{c.id}/agenda.ics")
    assert len(Calendar.from_ical(response.get_data()).events) == 200
    assert small.count == large.count <= 5, large.statements


def test_feed_query_count_is_fixed(app, client, setup, make, rsvp_token, count_queries):
    calendar_app = app.test_client()  # a calendar client: no session cookie
    c = setup["convening"]
    amina = setup["guests"][0]
    for i in range(30):
        make.session_role(make.agenda_session(c, title=f"S{i}"), amina, "speaker")
    publish(client, c)
    token = subscribe(client, rsvp_token(invitation_of(amina)))
    with count_queries() as small:
        calendar_app.get(f"/feeds/{token}.ics")
    for i in range(170):
        make.session_role(make.agenda_session(c, title=f"T{i}"), amina, "speaker")
    publish(client, c)
    with count_queries() as large:
        response = calendar_app.get(f"/feeds/{token}.ics")
    assert len(Calendar.from_ical(response.get_data()).events) == 200
    assert small.count == large.count <= 5, large.statements
