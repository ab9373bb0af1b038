"""One rule for personal links: unknown → 404, expired / revoked / replaced → 410, one page saying what to do."""
from datetime import timedelta

import pytest
from click.testing import CliRunner

from convene.db_types import utcnow
from convene.extensions import db
from convene.invitations import links as invitation_links
from convene.tokens import services as tokens
from convene.urls import absolute_url


@pytest.fixture
def invitation(make):
    return make.invitation(make.convening(), make.person(name="Ama Link"), status="accepted")


def test_open_link_returns_the_live_token_of_an_accepted_purpose(app, invitation):
    raw = tokens.issue("rsvp", invitation_id=invitation.id)
    assert tokens.open_link(raw, "review", "rsvp").invitation_id == invitation.id
    with pytest.raises(tokens.LinkProblem) as problem:
        tokens.open_link(raw, "feed")  # a link of another purpose is no link at all here
    assert (problem.value.reason, problem.value.status) == ("unknown", 404)


@pytest.mark.parametrize("raw", [None, "", "x" * 500, "not-a-token"])
def test_unknown_or_malformed_links_are_404(app, raw):
    with pytest.raises(tokens.LinkProblem) as problem:
        tokens.open_link(raw, "rsvp")
    assert problem.value.status == 404


def test_each_dead_link_says_why_with_410(app, invitation):
    expired = tokens.issue("rsvp", invitation_id=invitation.id, expires_at=utcnow() - timedelta(minutes=1))
    replaced = tokens.issue("review", invitation_id=invitation.id)
    tokens.issue("review", invitation_id=invitation.id)  # re-issuing replaces the earlier link
    revoked = tokens.issue("owner", person_id=invitation.person_id)
    tokens.revoke("owner", person_id=invitation.person_id)
    for raw, purpose, reason in ((expired, "rsvp", "expired"), (replaced, "review", "replaced"),
                                 (revoked, "owner", "revoked")):
        with pytest.raises(tokens.LinkProblem) as problem:
            tokens.open_link(raw, purpose)
        assert (problem.value.reason, problem.value.status) == (reason, 410)


def test_every_personal_link_route_answers_with_the_same_page(client, app, invitation):
    """The six areas' routes: the same status and the same words for the same kind of dead link."""
    person = invitation.person
    rsvp = tokens.issue("rsvp", invitation_id=invitation.id)
    owner = tokens.issue("owner", person_id=person.id)
    review = tokens.issue("review", invitation_id=invitation.id)
    feed = tokens.issue("feed", person_id=person.id, convening_id=None)
    tokens.issue("rsvp", invitation_id=invitation.id)
    tokens.issue("owner", person_id=person.id)
    tokens.issue("review", invitation_id=invitation.id)
    tokens.issue("feed", person_id=person.id, convening_id=None)
    db.session.commit()
    pages = [f"/my/{rsvp}", f"/my/{rsvp}/agenda", f"/my/{rsvp}/briefing", f"/my/{rsvp}/notes",
             f"/my-next-steps/{owner}", f"/my/{review}/review", f"/rsvp/{rsvp}", f"/briefs/review/{review}"]
    for path in pages:
        response = client.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code == 410, path
        assert "This link no longer works" in body and "replaced by a newer one" in body, path
        assert "most recent e-mail" in body and response.headers["Cache-Control"] == "no-store", path
        assert client.get(path.replace(path.split("/")[2], "unknown-token")).status_code == 404, path
    for path in (f"/feeds/{feed}.ics", f"/my/{rsvp}/agenda.ics", f"/next-steps/feed/{feed}.ics"):
        response = client.get(path)
        assert response.status_code == 410, path
        assert response.headers["Content-Type"].startswith("text/plain"), path  # calendar apps show plain text
        assert "replaced by a newer one" in response.get_data(as_text=True), path
    assert client.get("/feeds/unknown.ics").status_code == 404


def test_lasting_link_is_the_same_in_every_message_until_it_is_ended(app, invitation):
    first = invitation_links.home_url(invitation)
    assert invitation_links.home_url(invitation) == first  # a reminder, a notice: the same link
    assert first.startswith("http://localhost/my/")
    feed = invitation_links.feed_urls(invitation)
    assert feed == invitation_links.feed_urls(invitation) and feed["webcal"].startswith("webcal://localhost/feeds/")
    raw = first.rsplit("/", 1)[1]
    invitation_links.end_home_link(invitation, "reissued")
    with pytest.raises(tokens.LinkProblem) as problem:
        tokens.open_link(raw, "rsvp")
    assert (problem.value.reason, problem.value.status) == ("reissued", 410)
    assert invitation_links.home_url(invitation) != first
    assert invitation_links.feed_urls(invitation) == feed  # the page link's renewal keeps the feed
    assert tokens.open_link(feed["https"].rsplit("/", 1)[1].removesuffix(".ics"), "feed").convening_id \
        == invitation.convening_id


def test_old_addresses_redirect_to_the_home_while_the_link_works(client, app, invitation):
    raw = invitation_links.home_token(invitation)
    older = tokens.issue("rsvp", invitation_id=invitation.id, revoke_previous=False)  # from an earlier e-mail
    db.session.commit()
    for old, new in ((f"/rsvp/{older}", f"/my/{older}"), (f"/n/{raw}/notes", f"/my/{raw}/notes"),
                     (f"/briefs/review/{raw}", f"/my/{raw}/review")):
        response = client.get(old)
        assert response.status_code == 302 and response.headers["Location"].endswith(new), old
    assert client.get(f"/my/{older}").status_code == 200


def test_attendee_reports_a_forwarded_link(client, app, invitation):
    from convene.mail.models import OutboxMessage
    import sqlalchemy as sa

    raw = invitation_links.home_token(invitation)
    feed = invitation_links.feed_urls(invitation)
    db.session.commit()
    page = client.post(f"/my/{raw}/forwarded")
    assert page.status_code == 200 and "new personal link" in page.get_data(as_text=True)
    gone = client.get(f"/my/{raw}")
    assert gone.status_code == 410 and "forwarded" in gone.get_data(as_text=True)
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.invitation_id == invitation.id))
    new = invitation_links.home_url(invitation)
    assert new in message.text and raw not in message.text
    assert client.get(new.removeprefix("http://localhost")).status_code == 200
    assert invitation_links.feed_urls(invitation) == feed  # kept: the attendee did not ask to renew it
    client.post(new.removeprefix("http://localhost") + "/forwarded", data={"renew_calendar": "1"})
    assert client.get(feed["https"].removeprefix("http://localhost")).status_code == 410


def test_absolute_url_uses_base_url_outside_any_request(app):
    app.config["BASE_URL"] = "https://convene.example.org/prefix/"
    try:
        assert absolute_url("invitations.rsvp", token="abc") == "https://convene.example.org/prefix/my/abc"
        assert absolute_url("agenda.my_agenda", token="t", _anchor="s-1").endswith("/my/t/agenda#s-1")
    finally:
        app.config["BASE_URL"] = "http://localhost"


def test_serve_port_sets_the_link_base_when_base_url_is_unset(make_app, monkeypatch):
    import convene.cli

    served = {}  # the command runs everything but the blocking server loop
    monkeypatch.setattr(convene.cli.serving, "run_simple", lambda host, port, app, **kw: served.update(app=app))
    unset = make_app(BASE_URL="")
    assert unset.config["BASE_URL"] == "http://127.0.0.1:5000" and unset.config["BASE_URL_IS_DEFAULT"]
    unset.config["MAIL_EMBEDDED"] = False
    result = CliRunner().invoke(unset.cli, ["serve", "--port", "5123"], obj=_script_info(unset))
    assert "Links in e-mails and calendar files use http://127.0.0.1:5123" in result.output, result.output
    with unset.app_context():
        assert absolute_url("invitations.rsvp", token="t") == "http://127.0.0.1:5123/my/t"
    configured = make_app(BASE_URL="https://convene.example.org", MAIL_EMBEDDED=False)
    result = CliRunner().invoke(configured.cli, ["serve", "--port", "5124"], obj=_script_info(configured))
    assert "use BASE_URL: https://convene.example.org" in result.output, result.output
    assert configured.config["BASE_URL"] == "https://convene.example.org"


def _script_info(app):
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)
