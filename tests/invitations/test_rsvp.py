import json
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from convene.audit.models import AuditEvent
from convene.extensions import db
from convene.invitations import lifecycle, sending
from convene.invitations.models import Invitation, InvitationStatusChange, Nomination
from convene.people.models import Person
from convene.tokens.models import AccessToken

from .conftest import link_path, outbox


def _invite(client, convening, invitation) -> str:
    response = client.post(f"/convenings/{convening.id}/guests/bulk",
                           data={"invitation_ids": [str(invitation.id)], "action": "send", "confirmed": "1"})
    assert response.status_code == 302
    return link_path(outbox(invitation_id=invitation.id, kind="invitation")[-1].text)


def _version(invitation_id):
    db.session.expire_all()
    return str(db.session.get(Invitation, invitation_id).version)


@pytest.fixture
def invited(client, make, convening, sign_in):
    invitation = make.invitation(convening, make.person(name="Juan Méndez", email="juan@example.org"))
    path = _invite(client, convening, invitation)
    with client.session_transaction() as session:  # the invitee has no account
        session.clear()
    return invitation.id, path


def test_unknown_token_is_404_page(client):
    response = client.get("/my/not-a-real-token")
    assert response.status_code == 404
    assert "invitation link is not known" in response.get_data(as_text=True)
    assert client.post("/my/" + "x" * 500, data={"answer": "accepted"}).status_code == 404


def test_revoked_and_expired_tokens_are_410(client, invited):
    invitation_id, path = invited
    token = db.session.scalar(sa.select(AccessToken).where(AccessToken.invitation_id == invitation_id))
    token.expires_at = datetime.now(timezone.utc) - timedelta(minutes=1)
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 410 and "no longer works" in response.get_data(as_text=True)
    token.expires_at, token.revoked_at = None, datetime.now(timezone.utc)
    db.session.commit()
    assert client.post(path, data={"answer": "accepted"}).status_code == 410
    db.session.expire_all()
    assert db.session.get(Invitation, invitation_id).status == "invited"


def test_decline_with_reason_then_change_answer_until_reply_by(client, invited):
    invitation_id, path = invited
    response = client.post(path, data={"answer": "declined", "reason": "Travel ban", "version": _version(invitation_id)})
    assert response.status_code == 302
    invitation = db.session.get(Invitation, invitation_id)
    assert (invitation.status, invitation.decline_reason) == ("declined", "Travel ban")
    change = db.session.scalars(sa.select(InvitationStatusChange).where(
        InvitationStatusChange.to_status == "declined")).one()
    assert change.via == lifecycle.VIA_LINK and change.actor_id is None
    assert client.post(path, data={"answer": "tentative", "version": _version(invitation_id)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Invitation, invitation_id).status == "tentative"
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "invitation.status")
                               .order_by(AuditEvent.id)).all()
    assert audit[-1].changes["status"] == ["declined", "tentative"]
    assert audit[-1].actor_label == lifecycle.VIA_LINK


def test_answer_cannot_change_after_reply_by(client, invited, convening):
    invitation_id, path = invited
    client.post(path, data={"answer": "accepted", "version": _version(invitation_id)})
    convening.reply_by = date.today() - timedelta(days=1)
    db.session.commit()
    response = client.post(path, data={"answer": "declined", "version": _version(invitation_id)})
    assert response.status_code == 422
    assert "reply-by date" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Invitation, invitation_id).status == "accepted"


def test_stale_form_is_refused_with_clear_message(client, invited):
    invitation_id, path = invited
    seen = _version(invitation_id)
    assert client.post(path, data={"answer": "accepted", "version": seen}).status_code == 302
    response = client.post(path, data={"answer": "declined", "version": seen})
    assert response.status_code == 409
    assert "changed from elsewhere" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Invitation, invitation_id).status == "accepted"


def test_concurrent_answer_between_read_and_write_is_not_lost(app, client, invited):
    """Another transaction answers after the request read the row and before it writes: 409, no lost update."""
    invitation_id, path = invited
    fired = []

    def concurrent_answer(session, flush_context, instances):
        if fired:
            return
        fired.append(True)
        with db.engine.begin() as other:  # a second connection that commits first
            table = Invitation.__table__
            other.execute(sa.update(table).where(table.c.id == invitation_id)
                          .values(status="declined", version=table.c.version + 1))

    sa.event.listen(Session, "before_flush", concurrent_answer)
    try:
        response = client.post(path, data={"answer": "accepted"})
    finally:
        sa.event.remove(Session, "before_flush", concurrent_answer)
    assert fired
    assert response.status_code == 409
    assert "changed from elsewhere" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Invitation, invitation_id).status == "declined"


def test_two_sessions_same_invitation_second_commit_fails(app, invited):
    """The version column turns the second of two concurrent answers into StaleDataError, on both backends."""
    invitation_id, _ = invited
    from sqlalchemy.orm.exc import StaleDataError

    with Session(db.engine) as first, Session(db.engine) as second:
        a, b = first.get(Invitation, invitation_id), second.get(Invitation, invitation_id)
        a.status = "accepted"
        first.commit()
        b.status = "declined"
        with pytest.raises(StaleDataError):
            second.commit()
    db.session.expire_all()
    assert db.session.get(Invitation, invitation_id).status == "accepted"


def test_token_is_bound_to_its_invitation(client, make, convening, invited):
    invitation_id, path = invited
    other = make.invitation(convening, make.person(name="Someone Else"))
    client.post(path, data={"answer": "declined", "version": _version(invitation_id),
                            "invitation_id": str(other.id)})
    db.session.expire_all()
    assert db.session.get(Invitation, other.id).status == "planned"
    assert db.session.get(Invitation, invitation_id).status == "declined"


def test_profile_confirmation_and_sensitive_fields_masked_in_audit(client, invited):
    invitation_id, path = invited
    person = db.session.get(Invitation, invitation_id).person
    response = client.post(path + "/profile", data={
        "organization_name": "Ministry of Foreign Affairs", "position": "Director", "country": "AR",
        "sector": "government", "gender": "prefer_not_to_say", "nationality": "AR", "dietary_needs": "vegan",
        "access_needs": "", "listing_consent": "y", "person_version": str(person.version)})
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert (person.organization.name, person.country, person.gender, person.dietary_needs, person.listing_consent) \
        == ("Ministry of Foreign Affairs", "AR", "prefer_not_to_say", "vegan", True)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "person.update")).one()
    assert event.changes["dietary_needs"] == ["(changed)", "(changed)"]
    assert "vegan" not in json.dumps(event.changes)


def test_profile_bad_country_is_reported(client, invited):
    invitation_id, path = invited
    person = db.session.get(Invitation, invitation_id).person
    response = client.post(path + "/profile", data={"country": "ZZ", "person_version": str(person.version)})
    assert response.status_code == 422


def test_export_and_erase_own_data(client, invited):
    invitation_id, path = invited
    person = db.session.get(Invitation, invitation_id).person
    person.gender, person.nationality, person.access_needs = "woman", "KE", "step-free access"
    db.session.commit()
    response = client.post(path + "/export")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "step-free access" in response.get_data(as_text=True)
    assert client.post(path + "/erase", data={}).status_code == 302  # not confirmed: nothing erased
    db.session.expire_all()
    assert db.session.get(Person, person.id).gender == "woman"
    assert client.post(path + "/erase", data={"confirm": "y"}).status_code == 302
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert (person.gender, person.nationality, person.access_needs) == (None, None, "")


def test_nominate_substitute_then_organizer_accepts(client, make, sign_in, organizer, convening, invited):
    invitation_id, path = invited
    response = client.post(path + "/nominate", data={"nominee_name": "Deputy Minister",
                                                      "nominee_email": "Deputy@Example.org",
                                                      "nominee_position": "Deputy"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Invitation, invitation_id).status == "declined"
    nomination = db.session.scalar(sa.select(Nomination))
    assert (nomination.email, nomination.status) == ("deputy@example.org", "pending")
    again = client.post(path + "/nominate", data={"nominee_name": "Deputy Minister",
                                                   "nominee_email": "deputy@example.org"})
    assert again.status_code == 422 and "already nominated" in again.get_data(as_text=True)

    sign_in(organizer)
    page = client.get(f"/convenings/{convening.id}/guests").get_data(as_text=True)
    assert "Deputy Minister" in page and "Accept: add to the guest list" in page
    response = client.post(f"/convenings/{convening.id}/guests/nominations/{nomination.id}",
                           data={"decision": "accept"})
    assert response.status_code == 302
    db.session.expire_all()
    new = db.session.scalar(sa.select(Invitation).where(Invitation.replaces_id == invitation_id))
    assert new.person.email == "deputy@example.org" and new.status == "planned"
    assert db.session.get(Nomination, nomination.id).status == "accepted"


def test_nomination_with_bad_email_or_own_email_is_refused(client, invited):
    _, path = invited
    assert client.post(path + "/nominate", data={"nominee_name": "X", "nominee_email": "nope"}).status_code == 422
    response = client.post(path + "/nominate", data={"nominee_name": "Me", "nominee_email": "juan@example.org"})
    assert response.status_code == 422 and "someone else" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Nomination.id))) == 0


def test_organizer_records_offline_reply(client, make, sign_in, organizer, convening):
    invitation = make.invitation(convening, make.person(name="Phone Person"))
    response = client.post(f"/convenings/{convening.id}/guests/{invitation.id}/offline", data={
        "offline-answer": "declined", "offline-channel": "phone", "offline-note": "called on Monday",
        "offline-version": str(invitation.version)})
    assert response.status_code == 302
    db.session.expire_all()
    invitation = db.session.get(Invitation, invitation.id)
    assert invitation.status == "declined"
    last = db.session.scalars(sa.select(InvitationStatusChange).order_by(InvitationStatusChange.id.desc())).first()
    assert last.via == "recorded by organizer: phone call (called on Monday)" and last.actor_id == organizer.id
    page = client.get(f"/convenings/{convening.id}/guests/{invitation.id}").get_data(as_text=True)
    assert "recorded by organizer: phone call" in page


def test_capacity_refuses_acceptance_when_full(client, make, convening, invited):
    invitation_id, path = invited
    convening.capacity = 1
    make.invitation(convening, status="accepted")
    db.session.commit()
    response = client.post(path, data={"answer": "accepted", "version": _version(invitation_id)})
    assert response.status_code == 422 and "All seats are taken" in response.get_data(as_text=True)


def test_rsvp_works_with_csrf_protection_on(make_app, make, convening, organizer):
    """The anonymous invitee's POST carries the CSRF token of the page; without it the answer is refused."""
    import re

    invitation = make.invitation(convening, make.person(name="Csrf Guest"))
    sending.send_invitations(convening, [invitation], actor=organizer)
    db.session.commit()
    path = link_path(outbox(kind="invitation")[0].text)
    strict = make_app(WTF_CSRF_ENABLED=True)
    client = strict.test_client()
    assert client.post(path, data={"answer": "accepted"}).status_code == 400
    page = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = client.post(path, data={"answer": "accepted", "csrf_token": token, "version": version})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).status == "accepted"


def test_after_the_meeting_the_page_shows_closed_and_refuses_answers_and_nominations(client, invited, convening):
    invitation_id, path = invited
    convening.status = "held"
    db.session.commit()
    page = client.get(path).get_data(as_text=True)
    assert "answers are closed" in page and "Send my answer" not in page
    assert client.post(path, data={"answer": "accepted", "version": _version(invitation_id)}).status_code == 422
    response = client.post(path + "/nominate", data={"nominee_name": "Late", "nominee_email": "late@example.org"})
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Nomination.id))) == 0


def test_declined_invitee_may_nominate_after_reply_by(client, invited, convening):
    invitation_id, path = invited
    client.post(path, data={"answer": "declined", "version": _version(invitation_id)})
    convening.reply_by = date.today() - timedelta(days=1)
    db.session.commit()
    response = client.post(path + "/nominate", data={"nominee_name": "Colleague",
                                                      "nominee_email": "colleague@example.org"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Nomination.id))) == 1
