"""One rule for personal links: unknown → 404, expired / revoked / replaced → 410, one page saying what to do."""
from datetime import timedelta

import pytest
from click.testing import CliRunner

from convene.db_types import utcnow
from convene.extensions import db
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
    pages = [f"/rsvp/{rsvp}", f"/my/{rsvp}/agenda", f"/my/{rsvp}/briefing", f"/n/{rsvp}/notes",
             f"/my-next-steps/{owner}", f"/briefs/review/{review}"]
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


def test_absolute_url_uses_base_url_outside_any_request(app):
    app.config["BASE_URL"] = "https://convene.example.org/prefix/"
    try:
        assert absolute_url("invitations.rsvp", token="abc") == "https://convene.example.org/prefix/rsvp/abc"
        assert absolute_url("agenda.my_agenda", token="t", _anchor="s-1").endswith("/my/t/agenda#s-1")
    finally:
        app.config["BASE_URL"] = "http://localhost"


def test_serve_port_sets_the_link_base_when_base_url_is_unset(make_app, monkeypatch):
    import werkzeug.serving

    served = {}
    monkeypatch.setattr(werkzeug.serving, "run_simple", lambda host, port, app, **kw: served.update(app=app))
    unset = make_app(BASE_URL="")
    assert unset.config["BASE_URL"] == "http://127.0.0.1:5000" and unset.config["BASE_URL_IS_DEFAULT"]
    unset.config["MAIL_EMBEDDED"] = False
    result = CliRunner().invoke(unset.cli, ["serve", "--port", "5123"], obj=_script_info(unset))
    assert "Links in e-mails and calendar files use http://127.0.0.1:5123" in result.output, result.output
    with unset.app_context():
        assert absolute_url("invitations.rsvp", token="t") == "http://127.0.0.1:5123/rsvp/t"
    configured = make_app(BASE_URL="https://convene.example.org", MAIL_EMBEDDED=False)
    result = CliRunner().invoke(configured.cli, ["serve", "--port", "5124"], obj=_script_info(configured))
    assert "use BASE_URL: https://convene.example.org" in result.output, result.output
    assert configured.config["BASE_URL"] == "https://convene.example.org"


def _script_info(app):
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)
