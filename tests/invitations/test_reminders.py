from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from convene.extensions import db
from convene.invitations import answers, reminders, sending
from convene.invitations.cli import remind_command
from convene.invitations.models import Invitation, InvitationReminder

from .conftest import link_path, outbox


def _invited(make, convening, organizer, n, invited_days_ago=30):
    invitations = [make.invitation(convening, make.person()) for _ in range(n)]
    sending.send_invitations(convening, invitations, actor=organizer)
    moment = datetime.now(timezone.utc) - timedelta(days=invited_days_ago)
    for invitation in invitations:
        invitation.invited_at = moment
    db.session.commit()
    return invitations


def test_reminders_page_lists_non_responders_and_sends_to_selection(client, make, convening, organizer):
    a, b, c = _invited(make, convening, organizer, 3)
    answers.answer(c, "accepted")
    db.session.commit()
    page = client.get(f"/convenings/{convening.id}/guests/reminders").get_data(as_text=True)
    assert a.person.name in page and b.person.name in page and "2 invitee(s) have not answered" in page
    client.post(f"/convenings/{convening.id}/guests/bulk", data={"invitation_ids": [str(a.id)], "action": "remind", "confirmed": "1"})
    client.post(f"/convenings/{convening.id}/guests/bulk",
                data={"invitation_ids": [str(a.id), str(b.id), str(c.id)], "action": "remind", "confirmed": "1"})
    db.session.expire_all()
    assert [db.session.get(Invitation, i.id).reminders_sent for i in (a, b, c)] == [2, 1, 0]
    sent = outbox(kind="reminder")
    assert len(sent) == 3
    assert all(m.subject.startswith("Reminder – please reply by") for m in sent)
    # The reminder's link works and the invitation's link still works too.
    assert client.get(link_path(sent[0].text)).status_code == 200
    assert client.get(link_path(outbox(kind="invitation", invitation_id=a.id)[0].text)).status_code == 200


def test_schedule_form_validates_days(client, convening):
    response = client.post(f"/convenings/{convening.id}/guests/reminders", data={"days": "21, ten", "active": "y"})
    assert response.status_code == 422 and "whole numbers" in response.get_data(as_text=True)
    assert client.post(f"/convenings/{convening.id}/guests/reminders",
                       data={"days": "5,21, 10", "active": "y"}).status_code == 302
    assert reminders.schedule_for(convening).day_list == [21, 10, 5]


@pytest.mark.parametrize("days_before, expected", [(30, None), (21, 21), (15, 21), (10, 10), (6, 10), (5, 5),
                                                     (0, 5), (-1, None)])
def test_due_step(days_before, expected):
    reply_by = date(2031, 3, 31)
    assert reminders.due_step([21, 10, 5], reply_by, reply_by - timedelta(days=days_before)) == expected


def test_send_due_reminders_once_per_step(make, convening, organizer):
    reminders.save_schedule(convening, "21,10,5", True, actor=organizer)
    a, b = _invited(make, convening, organizer, 2)
    answers.answer(b, "declined")
    db.session.commit()
    reply_by = convening.reply_by
    assert reminders.send_due_reminders(reply_by - timedelta(days=25)) == 0
    assert reminders.send_due_reminders(reply_by - timedelta(days=21)) == 1
    assert reminders.send_due_reminders(reply_by - timedelta(days=20)) == 0  # same step: not twice
    assert reminders.send_due_reminders(reply_by - timedelta(days=10)) == 1
    assert reminders.send_due_reminders(reply_by - timedelta(days=3)) == 1
    assert reminders.send_due_reminders(reply_by + timedelta(days=1)) == 0
    db.session.commit()
    assert a.reminders_sent == 3
    steps = db.session.scalars(sa.select(InvitationReminder.schedule_step).order_by(InvitationReminder.id)).all()
    assert steps == [21, 10, 5]


def test_invited_after_a_step_came_due_is_not_reminded_for_it(make, convening, organizer):
    reminders.save_schedule(convening, "10", True, actor=organizer)
    [invitation] = _invited(make, convening, organizer, 1)
    step_day = convening.reply_by - timedelta(days=10)
    invitation.invited_at = datetime.combine(step_day + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    db.session.commit()
    assert reminders.send_due_reminders(convening.reply_by - timedelta(days=5)) == 0
    invitation.invited_at -= timedelta(days=2)
    db.session.commit()
    assert reminders.send_due_reminders(convening.reply_by - timedelta(days=5)) == 1


def test_cli_remind_command(app, make, convening, organizer):
    reminders.save_schedule(convening, "10", True, actor=organizer)
    _invited(make, convening, organizer, 2)
    runner = app.test_cli_runner()
    day = (convening.reply_by - timedelta(days=9)).isoformat()
    result = runner.invoke(remind_command, ["--today", day])
    assert result.exit_code == 0, result.output
    assert "Queued 2 reminder(s)" in result.output
    result = runner.invoke(remind_command, ["--today", day])
    assert "Queued 0 reminder(s)" in result.output
    db.session.expire_all()
    assert len(outbox(kind="reminder")) == 2
