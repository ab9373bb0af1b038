"""Reminders to invitees who have not answered: sent by hand, or on a schedule of days before reply-by."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable

import sqlalchemy as sa

from ..audit.services import apply_changes, record
from ..convenings.models import Convening, ConveningStatus
from ..db_types import utcnow
from ..extensions import db
from ..i18n.locale import attendee_language, language
from ..messages.services import compose
from ..templating import date_range, long_date
from .invitation_template import venue_text
from .lifecycle import InvitationError, SendReport, actor_id, invitations_with_status, status_label
from .models import Invitation, InvitationReminder, InvitationStatus, ReminderSchedule
from .outbox import queue_mail, rsvp_link, sendable_problem


def non_responders(convening: Convening) -> list[Invitation]:
    """Invitees who were sent the invitation and have not answered."""
    return invitations_with_status(convening, {InvitationStatus.INVITED.value})


def send_reminder(invitation: Invitation, *, actor=None, step: int | None = None) -> bool:
    """Queue a reminder with a personal link; False when the invitee cannot be reminded."""
    if invitation.status != InvitationStatus.INVITED.value or sendable_problem(invitation):
        return False
    convening = invitation.convening
    link = rsvp_link(invitation, revoke_previous=False)
    with language(attendee_language(invitation.person, convening)):
        words = compose("reminder", convening, name=invitation.person.display_name, convening=convening.title,
                        dates=date_range(convening.starts_on, convening.ends_on), venue=venue_text(convening),
                        reply_by=long_date(convening.reply_by) if convening.reply_by else "", link=link)
    invitation.reminders_sent += 1
    invitation.last_reminder_at = utcnow()
    queue_mail(invitation, words, kind="reminder", dedupe_key=f"reminder:{invitation.id}:{invitation.reminders_sent}")
    db.session.add(InvitationReminder(invitation_id=invitation.id, actor_id=actor_id(actor), schedule_step=step))
    record("invitation.remind", invitation, actor=actor, actor_label="reminder schedule" if step else "",
           changes={"reminders_sent": [invitation.reminders_sent - 1, invitation.reminders_sent]})
    return True


def send_reminders(convening: Convening, invitations: Iterable[Invitation], *, actor) -> SendReport:
    report = SendReport()
    for invitation in invitations:
        if invitation.convening_id != convening.id:
            continue
        if send_reminder(invitation, actor=actor):
            report.sent.append(invitation)
        else:
            answered = status_label(invitation.status).lower()
            report.skipped.append(sendable_problem(invitation)
                                  or f"{invitation.person.name}: already answered ({answered}).")
    return report


def parse_schedule(text: str) -> list[int]:
    """"21, 10, 5" → [21, 10, 5]; InvitationError for anything else."""
    parts = [p.strip() for p in (text or "").replace(";", ",").split(",") if p.strip()]
    if not all(p.isdigit() and 0 < int(p) <= 365 for p in parts):
        raise InvitationError("Write the days before the reply-by date as whole numbers from 1 to 365, "
                              "separated by commas, e.g. 21, 10, 5.")
    return sorted({int(p) for p in parts}, reverse=True)


def schedule_for(convening: Convening) -> ReminderSchedule | None:
    return db.session.scalar(sa.select(ReminderSchedule).where(ReminderSchedule.convening_id == convening.id))


def save_schedule(convening: Convening, text: str, active: bool, actor) -> ReminderSchedule:
    days = parse_schedule(text)
    schedule = schedule_for(convening) or ReminderSchedule(convening_id=convening.id, days="")
    db.session.add(schedule)
    changes = apply_changes(schedule, {"days": ",".join(str(d) for d in days), "active": bool(active and days)},
                            ("days", "active"))
    if changes:
        db.session.flush()
        record("invitation.reminder_schedule", schedule, actor=actor, changes=changes)
    return schedule


def due_step(schedule_days: list[int], reply_by: date, today: date) -> int | None:
    """The latest schedule step that has come due by today (None before the first or after reply-by)."""
    if today > reply_by:
        return None
    due = [d for d in schedule_days if reply_by - timedelta(days=d) <= today]
    return min(due) if due else None


def send_due_reminders(today: date) -> int:
    """Carry out every active reminder schedule for today; idempotent (each step once per invitee).

    An invitee is reminded for the latest step that is due, unless they already had that step
    or were invited on or after its date (they have just received the invitation).
    """
    schedules = db.session.execute(
        sa.select(ReminderSchedule, Convening).join(Convening, Convening.id == ReminderSchedule.convening_id)
        .where(ReminderSchedule.active.is_(True), Convening.reply_by.is_not(None), Convening.reply_by >= today,
               Convening.status.not_in([ConveningStatus.HELD.value, ConveningStatus.CLOSED.value]))).all()
    sent = 0
    for schedule, convening in schedules:
        step = due_step(schedule.day_list, convening.reply_by, today)
        if step is None:
            continue
        step_date = convening.reply_by - timedelta(days=step)
        done = set(db.session.scalars(sa.select(InvitationReminder.invitation_id).join(Invitation).where(
            Invitation.convening_id == convening.id, InvitationReminder.schedule_step == step)))
        for invitation in non_responders(convening):
            if invitation.id in done or (invitation.invited_at and invitation.invited_at.date() >= step_date):
                continue
            sent += send_reminder(invitation, step=step)
    return sent
