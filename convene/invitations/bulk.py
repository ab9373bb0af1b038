"""Acting on many invitees at once: which invitations a selection holds (ticked ids, or everyone matching
the guest list's filter, evaluated when asked), what an action would do to each of them (the confirmation
page) and doing it, in the caller's one transaction, with one audit event for the whole action besides
the events of each change.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from ..audit.services import record
from ..base.selection import Plan as SelectionPlan, Selection
from ..convenings.models import Convening
from ..extensions import db
from ..people.models import Person
from .guest_list import list_order, matching, remove, with_people
from .invitation_template import texts_by_language
from .lifecycle import InvitationError, SendReport, mark_attendance, status_label
from .models import STATUS_TRANSITIONS, Invitation, InvitationStatus, Priority
from .outbox import sendable_problem
from .reminders import send_reminders
from .sending import SENDABLE, check_ready_to_send, send_invitations

#: The "Write to…" choice: it opens the compose page with the selection instead of acting here.
WRITE = "write"
#: Names listed on the confirmation page per group; the rest are counted.
NAMES_SHOWN = 50


@dataclass(frozen=True)
class BulkAction:
    """One bulk action: its choice in the list, its confirmation heading and button, its report."""

    key: str
    choice: str
    heading: str
    button: str
    done: str


ACTIONS = {action.key: action for action in (
    BulkAction("send", "Send the invitation", "Send invitations to", "Send the invitations", "Invitations queued:"),
    BulkAction("remind", "Send a reminder", "Send reminders to", "Send the reminders", "Reminders queued:"),
    BulkAction("remove", "Remove or withdraw", "Remove or withdraw", "Remove or withdraw them", "Removed or withdrawn:"),
    BulkAction("attended", "Mark attended", "Mark attended for", "Mark them attended", "Marked attended:"),
    BulkAction("no_show", "Mark no-show", "Mark no-show for", "Mark them no-show", "Marked no-show:"),
)}


def describe(filters: dict) -> str:
    """The guest list's filter in words: "status: planned, first choice, “smith”"; "" when unfiltered."""
    parts = []
    if filters.get("status"):
        parts.append(f"status: {status_label(filters['status']).lower()}")
    if filters.get("priority"):
        parts.append(str(Priority(filters["priority"]).label).lower())
    if filters.get("find"):
        parts.append(f"name, e-mail or organization containing “{filters['find']}”")
    return ", ".join(parts)


def selection_from(form_values, filters: dict) -> Selection:
    """The selection a guest-list form posted: `invitation_ids`, or `scope=matching` with the list's filters."""
    return Selection.from_values(form_values.getlist("invitation_ids"), form_values.get("scope"), describe(filters),
                                 form_values.get("expected"))


def resolve(convening: Convening, selection: Selection, filters: dict) -> list[Invitation]:
    """The invitations selected now, in the guest list's order, with their people: one query, whatever the count.

    Ticked ids of another convening are ignored; "all matching" runs the filter again (it is never a
    list of ids frozen when the page was shown).
    """
    if selection.empty:
        return []
    if selection.matching:
        query = with_people(matching(convening, filters), filters)
    else:
        query = with_people(sa.select(Invitation).where(Invitation.convening_id == convening.id,
                                                        Invitation.id.in_(selection.ids)), {})
    return list(db.session.scalars(
        query.options(contains_eager(Invitation.person).contains_eager(Person.organization))
        .order_by(*list_order())))


@dataclass
class Plan(SelectionPlan):
    """What a guest-list action would do (base.selection.Plan) and which action it is."""

    action: BulkAction | None = None


def _mail_reason(invitation: Invitation) -> str:
    """Why no e-mail can go to this invitee, as a group heading, or ""."""
    person = invitation.person
    if person.erased_at is not None:
        return "erased from the directory"
    if not person.email:
        return "no e-mail address"
    return "e-mail address or name unusable" if sendable_problem(invitation) else ""


def _skip_reason(key: str, invitation: Invitation) -> str:
    """Why `key` would leave this invitation as it is ("" when it applies); the same rules the services follow."""
    status = invitation.status
    if key == "send":
        return f"already {status_label(status).lower()}" if status not in SENDABLE else _mail_reason(invitation)
    if key == "remind":
        if status == InvitationStatus.PLANNED.value:
            return "not invited yet"
        if status != InvitationStatus.INVITED.value:
            return f"already answered or closed ({status_label(status).lower()})"
        return _mail_reason(invitation)
    if key == "remove":
        return "already withdrawn" if status == InvitationStatus.WITHDRAWN.value else ""
    if status == key:
        return f"already {status_label(status).lower()}"
    if key not in STATUS_TRANSITIONS.get(status, set()):
        return f"{status_label(status).lower()} (only people who accepted are marked)"
    return ""


def _blocker(key: str, convening: Convening, today: date) -> str:
    """Why the action cannot run at all (no reply-by date, a broken invitation text, a meeting not begun)."""
    if key == "send":
        try:
            check_ready_to_send(convening, texts_by_language(convening))
        except InvitationError as error:  # shown on the confirmation page instead of the button
            return str(error)
    if key in ("attended", "no_show") and today < convening.starts_on:
        return "Attendance can be marked once the meeting has begun."
    return ""


def plan(key: str, convening: Convening, invitations: list[Invitation], *, today: date | None = None) -> Plan:
    """What `key` would do to these invitations, without changing anything (no query per invitee)."""
    result = Plan(invitations, blocker=_blocker(key, convening, today or date.today()), action=ACTIONS[key])
    for invitation in invitations:
        result.add(invitation, _skip_reason(key, invitation))
    if key == "remove" and result.will:
        never_sent = sum(1 for i in result.will if i.status == InvitationStatus.PLANNED.value and i.invited_at is None)
        result.notes.append(f"{never_sent} never invited will be removed from the list; "
                            f"{len(result.will) - never_sent} invited will be withdrawn (those who accepted "
                            f"get a calendar cancellation).")
    return result


def perform(key: str, convening: Convening, invitations: list[Invitation], selection: Selection, *,
            actor) -> SendReport:
    """Run the action on the invitations (each change audited by its service) and audit the whole action."""
    if key == "send":
        report = send_invitations(convening, invitations, actor=actor)
    elif key == "remind":
        report = send_reminders(convening, invitations, actor=actor)
    elif key == "remove":
        report = SendReport()
        for invitation in invitations:
            if remove(invitation, actor=actor) == "already withdrawn":
                report.skipped.append(f"{invitation.person.name}: already withdrawn.")
            else:
                report.sent.append(invitation)
    elif key in ("attended", "no_show"):
        report = mark_attendance(convening, invitations, key, actor=actor)
    else:
        raise InvitationError("Choose what to do with the selected people.")
    record("invitation.bulk", convening, actor=actor, changes={
        "action": [None, key], "selection": [None, selection.scope_text(len(invitations))],
        "selected": [None, len(invitations)], "done": [None, len(report.sent)],
        "skipped": [None, len(report.skipped)]})
    return report
