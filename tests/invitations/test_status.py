from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from convene.audit.models import AuditEvent
from convene.extensions import db
from convene.invitations import lifecycle
from convene.invitations.models import Invitation, InvitationStatusChange


def test_status_board_counts_median_and_decline_reasons(client, make, convening):
    now = datetime.now(timezone.utc)
    for days, status, reason in ((2, "accepted", ""), (4, "declined", "Parliament in session"), (6, "tentative", "")):
        make.invitation(convening, status=status, invited_at=now - timedelta(days=10),
                        responded_at=now - timedelta(days=10 - days), decline_reason=reason)
    make.invitation(convening, status="invited", invited_at=now)
    page = client.get(f"/convenings/{convening.id}/guests/status").get_data(as_text=True)
    assert "Parliament in session" in page
    assert '<p class="big-number">4.0</p>' in page
    assert "Accepted (1)" in page and "Invited (1)" in page


def test_bulk_attendance_after_the_meeting(client, make, organizer):
    convening = make.convening(organizers=[organizer], starts_on=date.today() - timedelta(days=3))
    came = make.invitation(convening, status="accepted")
    absent = make.invitation(convening, status="accepted")
    declined = make.invitation(convening, status="declined")
    page = client.get(f"/convenings/{convening.id}/guests/status").get_data(as_text=True)
    assert f'action="/convenings/{convening.id}/guests/bulk"' in page and 'name="origin" value="status"' in page
    client.post(f"/convenings/{convening.id}/guests/attendance",
                data={"invitation_ids": [str(came.id), str(declined.id)], "status": "attended"})
    response = client.post(f"/convenings/{convening.id}/guests/attendance", follow_redirects=True,
                           data={"invitation_ids": [str(absent.id)], "status": "no_show"})
    assert response.status_code == 200
    db.session.expire_all()
    assert [db.session.get(Invitation, i.id).status for i in (came, absent, declined)] == [
          "attended", "no_show", "declined"]
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "invitation.status")).all()
    assert sorted(tuple(a.changes["status"]) for a in audit) == [("accepted", "attended"), ("accepted", "no_show")]
    assert all(a.actor_id == organizer.id for a in audit)
    history = db.session.scalars(sa.select(InvitationStatusChange).where(
        InvitationStatusChange.invitation_id == came.id)).all()
    assert [(h.from_status, h.to_status) for h in history] == [("accepted", "attended")]


def test_status_board_attendance_goes_through_the_confirmation(client, make, organizer):
    """Issue 17, item 1: the status board's bulk marking confirms first, then comes back to the board."""
    convening = make.convening(organizers=[organizer], starts_on=date.today() - timedelta(days=1))
    came = make.invitation(convening, make.person(name="Came Along"), status="accepted")
    declined = make.invitation(convening, make.person(name="Said No"), status="declined")
    data = {"invitation_ids": [str(came.id), str(declined.id)], "action": "attended", "origin": "status"}
    page = client.post(f"/convenings/{convening.id}/guests/bulk", data=data).get_data(as_text=True)
    assert "Mark attended for 2 people: the 2 ticked" in page
    assert "Declined (only people who accepted are marked) (1)" in page and "Said No" in page
    assert f'href="/convenings/{convening.id}/guests/status"' in page  # cancel: back to the board
    db.session.expire_all()
    assert db.session.get(Invitation, came.id).status == "accepted"
    response = client.post(f"/convenings/{convening.id}/guests/bulk", data={**data, "confirmed": "1"})
    assert response.headers["Location"] == f"/convenings/{convening.id}/guests/status"
    db.session.expire_all()
    assert [db.session.get(Invitation, i.id).status for i in (came, declined)] == ["attended", "declined"]


def test_attendance_before_the_meeting_is_refused(client, make, convening):
    invitation = make.invitation(convening, status="accepted")
    response = client.post(f"/convenings/{convening.id}/guests/attendance", follow_redirects=True,
                           data={"invitation_ids": [str(invitation.id)], "status": "attended"})
    assert "once the meeting has begun" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).status == "accepted"


def test_invalid_transition_is_a_clear_error(make, convening, organizer):
    invitation = make.invitation(convening)
    try:
        lifecycle.change_status(invitation, "attended", actor=organizer)
        raise AssertionError("expected InvitationError")
    except lifecycle.InvitationError as error:
        assert "cannot become attended" in str(error)


def test_entry_page_edits_role_and_refuses_stale_edit(client, make, convening):
    invitation = make.invitation(convening)
    version = invitation.version
    form = {"role": "chair", "priority": "first_choice", "reserve_rank": "", "version": str(version)}
    assert client.post(f"/convenings/{convening.id}/guests/{invitation.id}", data=form).status_code == 302
    response = client.post(f"/convenings/{convening.id}/guests/{invitation.id}", data={**form, "role": "observer"})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).role == "chair"
