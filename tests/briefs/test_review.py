"""Participant review: personal links (review or RSVP tokens), the non-attributed draft, comments."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from convene.briefs.models import Brief, BriefComment
from convene.db_types import utcnow
from convene.extensions import db
from convene.tokens import services as tokens


@pytest.fixture
def in_review(make):
    convening = make.convening(title="Roundtable on mediation", attribution_rule="chatham_house")
    participant = make.invitation(convening, make.person(name="Amina Participant"), status="accepted")
    declined = make.invitation(convening, make.person(name="Bo Declined"), status="declined")
    brief = make.brief(title="Mediation memo", convenings=[convening], status="review", authors="Staff Writer",
                       summary="Participants agreed on **three** points.")
    return brief, participant, declined


def _token(invitation, purpose="review", **kw) -> str:
    raw = tokens.issue(purpose, invitation_id=invitation.id, **kw)
    db.session.commit()
    return raw


def test_participant_reads_the_draft_and_comments(client, in_review):
    brief, participant, _ = in_review
    raw = _token(participant)
    listing = client.get(f"/my/{raw}/review")
    assert listing.status_code == 200 and "Mediation memo" in listing.get_data(as_text=True)
    page = client.get(f"/my/{raw}/review/{brief.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<strong>three</strong>" in text and "Chatham House Rule" in text
    assert "Staff Writer" not in text  # the review copy carries no names
    assert page.headers["Cache-Control"] == "no-store"
    assert db.session.scalar(sa.select(sa.func.count(BriefComment.id))) == 0  # GET changed nothing
    response = client.post(f"/my/{raw}/review/{brief.id}", data={"body": "Point two could identify a speaker."})
    assert response.status_code == 302
    comment = db.session.scalar(sa.select(BriefComment))
    assert comment.invitation_id == participant.id and comment.brief_version == brief.version
    again = client.get(f"/my/{raw}/review/{brief.id}").get_data(as_text=True)
    assert "Point two could identify a speaker." in again


def test_staff_see_the_comments(client, make, sign_in, in_review):
    brief, participant, _ = in_review
    raw = _token(participant)
    client.post(f"/my/{raw}/review/{brief.id}", data={"body": "<b>bold</b> remark"})
    sign_in(make.user("staff"))
    page = client.get(f"/briefs/{brief.id}").get_data(as_text=True)
    assert "&lt;b&gt;bold&lt;/b&gt; remark" in page and "Amina Participant" in page


def test_the_rsvp_link_also_opens_the_review(client, in_review):
    brief, participant, _ = in_review
    raw = _token(participant, purpose="rsvp")
    assert client.get(f"/my/{raw}/review/{brief.id}").status_code == 200


def test_bad_links_get_clear_pages(client, in_review):
    brief, participant, declined = in_review
    assert client.get("/briefs/review/not-a-token").status_code == 404
    assert client.get("/briefs/review/" + "x" * 500).status_code == 404
    expired = _token(participant, expires_at=utcnow() - timedelta(days=1))
    response = client.get(f"/my/{expired}/review/{brief.id}")
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    old = _token(participant)
    _token(participant)  # re-issuing revokes the older link
    assert client.get(f"/my/{old}/review").status_code == 410
    feed_token = _token(participant, purpose="feed")
    assert client.get(f"/my/{feed_token}/review").status_code == 404
    # Someone who declined did not take part: nothing to review.
    raw = _token(declined)
    assert "No draft is waiting" in client.get(f"/my/{raw}/review").get_data(as_text=True)
    assert client.get(f"/my/{raw}/review/{brief.id}").status_code == 404
    assert client.post(f"/my/{raw}/review/{brief.id}", data={"body": "x"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(BriefComment.id))) == 0


def test_no_comments_outside_review_or_on_other_briefs(client, make, in_review):
    brief, participant, _ = in_review
    raw = _token(participant)
    other = make.brief(title="Other meeting's memo", convenings=[make.convening()], status="review")
    assert client.get(f"/my/{raw}/review/{other.id}").status_code == 404
    brief.status = "approved"
    db.session.commit()
    assert client.post(f"/my/{raw}/review/{brief.id}", data={"body": "late"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(BriefComment.id))) == 0


def test_empty_or_huge_comment_is_refused(client, in_review):
    brief, participant, _ = in_review
    raw = _token(participant)
    assert client.post(f"/my/{raw}/review/{brief.id}", data={"body": "   "}).status_code == 400
    response = client.post(f"/my/{raw}/review/{brief.id}", data={"body": "x" * 6000})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(BriefComment.id))) == 0


def test_dialogue_participants_review_the_conference_brief(client, make):
    conference = make.convening(title="Conference")
    dialogue = make.dialogue(conference, title="Dialogue B")
    participant = make.invitation(dialogue, status="attended")
    brief = make.brief(title="Conference report", convenings=[conference], status="review")
    raw = _token(participant)
    assert client.get(f"/my/{raw}/review/{brief.id}").status_code == 200


def test_staff_email_review_links(client, make, sign_in, in_review):
    pytest.importorskip("convene.mail.services")
    from convene.mail.models import OutboxMessage

    brief, participant, _ = in_review
    sign_in(make.user("staff"))
    response = client.post(f"/briefs/{brief.id}/review-links")
    assert response.status_code == 302
    messages = db.session.scalars(sa.select(OutboxMessage)).all()
    assert [m.to_address for m in messages] == [participant.person.email]
    assert "/my/" in messages[0].text and "/review" in messages[0].text
    link = messages[0].text.split("http://localhost", 1)[1].split()[0]
    assert client.get(link).status_code == 200
