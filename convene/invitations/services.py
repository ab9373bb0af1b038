"""The invitation cycle: guest lists, sending, answers, calendar e-mails, reminders, reserves, attendance.

Every function takes objects plus plain data and the acting user, flushes (never commits),
records an audit event for each change and raises InvitationError (a ValueError) with a
message people can read when a rule is broken. E-mail goes through the outbox
(`mail.services.queue_message`) in the same transaction as the status change it reports,
so an invitation is marked sent exactly when its message is queued.
"""
from __future__ import annotations

import statistics
import string
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from email.utils import parseaddr
from typing import Any, Iterable

import sqlalchemy as sa
from flask import current_app
from markupsafe import escape

from ..audit.services import apply_changes, record
from ..base.countries import country_name
from ..convenings.models import Convening, ConveningStatus
from ..db_types import utcnow
from ..diversity.services import balance_change_if_accepted
from ..editing import check_version
from ..errors import DomainError
from ..extensions import db
from ..ics.builders import convening_itip
from ..mail.services import MailError, check_header_value, normalise_address, queue_message
from ..people.models import Gender, Person, Sector
from ..people.services import change_organization, create_person, find_person_by_email
from ..templating import date_range, long_date
from ..tokens import services as tokens
from ..urls import absolute_url
from .confirmation import confirmed_by_invitee
from .models import (ANSWERED, STATUS_TRANSITIONS, Invitation, InvitationReminder, InvitationStatus,
                     InvitationStatusChange, InvitationTemplate, MeetingRole, Nomination, NominationStatus,
                     Priority, ReminderSchedule)

#: How an invitee's own actions are described in the history and the audit log.
VIA_LINK = "invitee via personal link"
#: Channels an organizer may record an offline reply from.
OFFLINE_CHANNELS = {"phone": "phone call", "letter": "letter", "email": "e-mail to the organizers",
                    "in_person": "in person", "other": "other"}
PLACEHOLDERS = ("name", "convening", "dates", "venue", "rsvp_link", "reply_by")
DEFAULT_SUBJECT = "Please reply by {reply_by}: invitation to {convening}"
DEFAULT_BODY = """Dear {name},

We would be honoured if you would join us for {convening}, {dates}, at {venue}.

Participation is by invitation only. Please let us know by {reply_by} whether you can attend, using your personal link:

{rsvp_link}

The same page shows the attribution rule of the meeting, lets you confirm the details we hold about you and, if you cannot attend, propose a colleague in your place. The link is personal to you: please do not forward it.

With best regards,
The organizers"""
#: Words one of which a subject must contain so that it reads as needing an answer.
ANSWER_WORDS = ("reply", "respond", "rsvp", "answer", "{reply_by}")


class InvitationError(DomainError):
    """A rule of the invitation cycle was broken; the message is shown to people as it is."""


# --- status changes ---------------------------------------------------------------------------

def _actor_id(actor) -> int | None:
    return actor.id if actor is not None and getattr(actor, "is_authenticated", False) else None


def change_status(invitation: Invitation, to_status: str, *, actor=None, via: str = "",
                  now: datetime | None = None) -> bool:
    """Move an invitation to a new status along STATUS_TRANSITIONS; history and audit are written."""
    from_status = invitation.status
    if to_status == from_status:
        return False
    if to_status not in STATUS_TRANSITIONS.get(from_status, set()):
        raise InvitationError(f"{invitation.person.name}: a {_label(from_status).lower()} invitation cannot "
                              f"become {_label(to_status).lower()}.")
    now = now or utcnow()
    invitation.status = to_status
    invitation.status_changed_at = now
    if to_status == InvitationStatus.INVITED.value:
        invitation.invited_at = now
        invitation.responded_at = None
    if to_status in ANSWERED:
        invitation.responded_at = now
    if invitation.id is None:
        db.session.flush()
    db.session.add(InvitationStatusChange(invitation_id=invitation.id, from_status=from_status,
                                          to_status=to_status, at=now, actor_id=_actor_id(actor), via=via))
    record("invitation.status", invitation, actor=actor, actor_label=via if _actor_id(actor) is None else "",
           changes={"status": [from_status, to_status], **({"via": [None, via]} if via else {})})
    return True


def _label(status: str) -> str:
    try:
        return InvitationStatus(status).label
    except ValueError:
        return status


def _create_invitation(convening: Convening, person: Person, *, role: str, priority: str, actor,
                       replaces: Invitation | None = None, via: str = "") -> Invitation:
    """A new planned invitation with its first history row."""
    invitation = Invitation(convening=convening, person=person, role=role, priority=priority,
                            status=InvitationStatus.PLANNED.value, replaces=replaces)
    if priority == Priority.RESERVE.value:
        invitation.reserve_rank = _next_reserve_rank(convening)
    db.session.add(invitation)
    db.session.flush()
    db.session.add(InvitationStatusChange(invitation_id=invitation.id, from_status=None, to_status="planned",
                                          actor_id=_actor_id(actor), via=via))
    record("invitation.create", invitation, actor=actor, changes={
        "person": [None, person.name], "role": [None, role], "priority": [None, priority],
        **({"replaces_id": [None, replaces.id]} if replaces is not None else {})})
    return invitation


def _next_reserve_rank(convening: Convening) -> int:
    current = db.session.scalar(sa.select(sa.func.max(Invitation.reserve_rank))
                                .where(Invitation.convening_id == convening.id))
    return (current or 0) + 1


# --- guest list -------------------------------------------------------------------------------

def on_list_person_ids(convening: Convening) -> set[int]:
    return set(db.session.scalars(sa.select(Invitation.person_id).where(Invitation.convening_id == convening.id)))


def add_people(convening: Convening, people: Iterable[Person], *, role: str, priority: str,
               actor) -> tuple[list[Invitation], list[str]]:
    """Put people from the directory on the guest list; duplicates and erased people are refused."""
    if role not in {r.value for r in MeetingRole} or priority not in {p.value for p in Priority}:
        raise InvitationError("Choose a role and a priority from the lists.")
    taken = on_list_person_ids(convening)
    welcome, refused = [], []
    for person in people:
        if person.id in taken:
            refused.append(f"{person.name} is already on the guest list.")
        elif person.erased_at is not None:
            refused.append(f"{person.name} was erased from the directory and cannot be invited.")
        else:
            welcome.append(person)
            taken.add(person.id)
    return _create_invitations(convening, welcome, role=role, priority=priority, actor=actor), refused


def _create_invitations(convening: Convening, people: list[Person], *, role: str, priority: str,
                        actor) -> list[Invitation]:
    """_create_invitation for many people with one flush (an import of 2,000 people flushed 2,000 times)."""
    rank = _next_reserve_rank(convening) if priority == Priority.RESERVE.value else None
    invitations = []
    for offset, person in enumerate(people):
        invitations.append(Invitation(convening=convening, person=person, role=role, priority=priority,
                                      status=InvitationStatus.PLANNED.value,
                                      reserve_rank=None if rank is None else rank + offset))
    db.session.add_all(invitations)
    db.session.flush()
    for invitation in invitations:
        db.session.add(InvitationStatusChange(invitation_id=invitation.id, from_status=None, to_status="planned",
                                              actor_id=_actor_id(actor), via=""))
        record("invitation.create", invitation, actor=actor, changes={
            "person": [None, invitation.person.name], "role": [None, role], "priority": [None, priority]})
    return invitations


def update_entry(invitation: Invitation, data: dict[str, Any], actor) -> Invitation:
    """Change an invitee's role, priority or reserve rank; a stale form is refused."""
    check_version(invitation, data.get("version"))
    data = dict(data)
    if data.get("priority") != Priority.RESERVE.value:
        data["reserve_rank"] = None
    elif not data.get("reserve_rank"):
        data["reserve_rank"] = invitation.reserve_rank or _next_reserve_rank(invitation.convening)
    changes = apply_changes(invitation, data, ("role", "priority", "reserve_rank"))
    if changes:
        record("invitation.update", invitation, actor=actor, changes=changes)
    return invitation


def remove(invitation: Invitation, *, actor) -> str:
    """Delete a planned entry never sent; otherwise withdraw it (with a calendar CANCEL if accepted)."""
    if invitation.status == InvitationStatus.PLANNED.value and invitation.invited_at is None:
        record("invitation.remove", invitation, actor=actor, changes={"person": [invitation.person.name, None]})
        db.session.delete(invitation)
        return "removed"
    if invitation.status == InvitationStatus.WITHDRAWN.value:
        return "already withdrawn"
    was_accepted = invitation.status == InvitationStatus.ACCEPTED.value
    change_status(invitation, InvitationStatus.WITHDRAWN.value, actor=actor, via="withdrawn by organizer")
    tokens.revoke("rsvp", invitation_id=invitation.id)
    if was_accepted:
        _queue_itip(invitation, "CANCEL", kind="cancellation",
                    subject=f"Cancelled: your place at {invitation.convening.title}",
                    intro="The organizers have withdrawn this invitation. The calendar entry attached "
                          "removes the meeting from your calendar.")
    return "withdrawn"


# --- invitation template ----------------------------------------------------------------------

def template_problems(text: str) -> list[str]:
    """What is wrong with the placeholders of a subject or body (empty when it can be used)."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return ["A brace is not closed. Write placeholders as {name}; write {{ or }} for a literal brace."]
    problems = []
    for _, field_name, spec, conversion in parsed:
        if field_name is None:
            continue
        if field_name not in PLACEHOLDERS:
            shown = "{" + field_name + "}" if field_name else "{}"
            problems.append(f"Unknown placeholder {shown}. Use "
                            + ", ".join("{" + p + "}" for p in PLACEHOLDERS) + ".")
        elif spec or conversion:
            problems.append(f"The placeholder {{{field_name}}} cannot carry a format; write it as {{{field_name}}}.")
    return problems


def template_for(convening: Convening) -> InvitationTemplate:
    """The convening's saved template, or an unsaved one with the default wording."""
    saved = db.session.scalar(sa.select(InvitationTemplate).where(InvitationTemplate.convening_id == convening.id))
    return saved or InvitationTemplate(convening_id=convening.id, subject=DEFAULT_SUBJECT, body=DEFAULT_BODY)


def save_template(convening: Convening, data: dict[str, Any], actor) -> InvitationTemplate:
    """Save subject and body after checking their placeholders and that the subject asks for an answer."""
    subject, body = " ".join((data.get("subject") or "").split()), (data.get("body") or "").replace("\r\n", "\n")
    problems = [f"Subject: {p}" for p in template_problems(subject)] + [f"Body: {p}" for p in template_problems(body)]
    if not any(word in subject.lower() for word in ANSWER_WORDS):
        problems.append("Subject: say that an answer is needed, e.g. “Please reply by {reply_by}: …”; "
                        "invitations that read like notices are overlooked.")
    if "{rsvp_link}" not in body:
        problems.append("Body: include {rsvp_link}, the invitee's personal link to answer.")
    if problems:
        raise InvitationError(" ".join(problems))
    template = template_for(convening)
    if template.id is not None:
        check_version(template, data.get("version"))
    else:
        db.session.add(template)
    changes = apply_changes(template, {"subject": subject, "body": body}, ("subject", "body"))
    if changes:
        db.session.flush()
        record("invitation_template.save", template, actor=actor, changes=changes)
    return template


def venue_text(convening: Convening) -> str:
    parts = [convening.venue, convening.city, country_name(convening.country) if convening.country else ""]
    return ", ".join(p for p in parts if p) or "a venue to be confirmed"


def placeholder_values(invitation: Invitation, rsvp_link: str) -> dict[str, str]:
    convening = invitation.convening
    return {
        "name": invitation.person.display_name,
        "convening": convening.title,
        "dates": date_range(convening.starts_on, convening.ends_on),
        "venue": venue_text(convening),
        "rsvp_link": rsvp_link,
        "reply_by": long_date(convening.reply_by) if convening.reply_by else "as soon as possible",
    }


def render_template_text(text: str, values: dict[str, str]) -> str:
    """Fill the placeholders (the text was checked: only known names, no attribute access)."""
    if template_problems(text):
        raise InvitationError(" ".join(template_problems(text)))
    return text.format_map(values)


def render_invitation(template: InvitationTemplate, invitation: Invitation, rsvp_link: str) -> tuple[str, str]:
    """(subject, body) of the invitation e-mail for one invitee."""
    values = placeholder_values(invitation, rsvp_link)
    subject = " ".join(render_template_text(template.subject, values).split())
    return subject, render_template_text(template.body, values)


def text_to_html(text: str, link: str | None = None) -> str:
    """A plain-text body as simple escaped HTML paragraphs, with the personal link made clickable."""
    paragraphs = []
    for para in text.split("\n\n"):
        html = str(escape(para)).replace("\n", "<br>\n")
        if link:
            escaped = str(escape(link))
            html = html.replace(escaped, f'<a href="{escaped}">{escaped}</a>')
        paragraphs.append(f"<p>{html}</p>")
    return "<!doctype html><html><body>\n" + "\n".join(paragraphs) + "\n</body></html>"


# --- personal links and the outbox ----------------------------------------------------------

def link_expiry(convening: Convening) -> datetime:
    """Links stop working the day after the convening ends (a day's margin for every time zone)."""
    return datetime.combine(convening.ends_on + timedelta(days=2), time.min, tzinfo=timezone.utc)


def rsvp_link(invitation: Invitation, *, revoke_previous: bool) -> str:
    """Issue a personal RSVP token and return its absolute link.

    Re-issuing with revoke_previous makes every earlier link stop working (a leaked link);
    reminders and confirmations add a link without disabling the one in the invitation.
    """
    raw = tokens.issue("rsvp", invitation_id=invitation.id, expires_at=link_expiry(invitation.convening),
                       revoke_previous=revoke_previous)
    return absolute_url("invitations.rsvp", token=raw)


def sendable_problem(invitation: Invitation) -> str | None:
    """Why no e-mail can go to this invitee, or None."""
    person = invitation.person
    if person.erased_at is not None:
        return f"{person.name}: erased from the directory."
    if not person.email:
        return f"{person.name}: no e-mail address in the directory."
    try:
        normalise_address(person.email)
        check_header_value(person.display_name, "name", 200)
    except MailError as error:
        return f"{person.name!r}: {error}"
    return None


def _organizer_identity(convening: Convening) -> tuple[str, str]:
    """(name, address) that calendar ORGANIZER and replies use: the configured sender."""
    name, address = parseaddr(current_app.config.get("MAIL_SENDER") or "")
    return (name or "Convene"), (address or "convene@localhost")


def _queue(invitation: Invitation, *, subject: str, text: str, kind: str, dedupe_key: str, link: str | None = None,
           calendar: bytes | None = None, calendar_method: str | None = None):
    """Queue one message to the invitee; a refused message raises InvitationError (nothing is marked)."""
    person = invitation.person
    try:
        return queue_message(to_address=person.email or "", to_name=person.display_name, subject=subject,
                             text=text, html=text_to_html(text, link), calendar=calendar,
                             calendar_method=calendar_method, kind=kind, convening_id=invitation.convening_id,
                             invitation_id=invitation.id, person_id=person.id, dedupe_key=dedupe_key)
    except MailError as error:
        raise InvitationError(f"Nothing was sent: the message to {person.name} could not be queued ({error}).") \
            from error


def next_sequence(invitation: Invitation) -> int:
    """The SEQUENCE of the next iTIP message to this invitee: never lower than one already sent."""
    base = invitation.convening.ical_sequence
    if invitation.ical_sent_at is None:
        return max(base, invitation.ical_sequence)
    return max(base, invitation.ical_sequence + 1)


def _queue_itip(invitation: Invitation, method: str, *, subject: str, intro: str, kind: str) -> bool:
    """E-mail the invitee an iTIP calendar (REQUEST or CANCEL); False when they have no usable address."""
    if sendable_problem(invitation) is not None:
        return False
    convening, person = invitation.convening, invitation.person
    sequence = next_sequence(invitation)
    organizer_name, organizer_email = _organizer_identity(convening)
    calendar = convening_itip(convening, person, method=method, sequence=sequence,
                              organizer_email=organizer_email, organizer_name=organizer_name,
                              base_url=absolute_url("dashboard.index"))
    link = None
    lines = [f"Dear {person.display_name},", "", intro, "",
             f"{convening.title}", f"Dates: {date_range(convening.starts_on, convening.ends_on)}",
             f"Venue: {venue_text(convening)}", f"Attribution: {convening.attribution_text}"]
    if method == "REQUEST":
        link = rsvp_link(invitation, revoke_previous=False)
        lines += ["", "To change your answer or update your details, use your personal link:", link]
    lines += ["", "With best regards,", "The organizers"]
    _queue(invitation, subject=subject, text="\n".join(lines), kind=kind, link=link,
           dedupe_key=f"itip:{invitation.id}:{sequence}", calendar=calendar, calendar_method=method)
    invitation.ical_sequence = sequence
    invitation.ical_sent_at = utcnow()
    return True


# --- sending invitations ----------------------------------------------------------------------

@dataclass
class SendReport:
    sent: list[Invitation] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


SENDABLE = {InvitationStatus.PLANNED.value, InvitationStatus.WITHDRAWN.value}


def check_ready_to_send(convening: Convening, template: InvitationTemplate) -> None:
    if convening.reply_by is None:
        raise InvitationError("Set a reply-by date on the convening (Edit details) before sending invitations: "
                              "invitees need to know by when to answer.")
    problems = template_problems(template.subject) + template_problems(template.body)
    if problems:
        raise InvitationError("The invitation template needs correcting first: " + " ".join(problems))


def send_invitations(convening: Convening, invitations: Iterable[Invitation], *, actor) -> SendReport:
    """Send the invitation to each selected planned invitee: personal link, outbox message, status invited."""
    template = template_for(convening)
    check_ready_to_send(convening, template)
    report = SendReport()
    for invitation in invitations:
        if invitation.convening_id != convening.id:
            continue
        if invitation.status not in SENDABLE:
            report.skipped.append(f"{invitation.person.name}: already {_label(invitation.status).lower()}.")
            continue
        problem = sendable_problem(invitation)
        if problem:
            report.skipped.append(problem)
            continue
        _send_invitation_mail(invitation, template)
        change_status(invitation, InvitationStatus.INVITED.value, actor=actor, via="invitation e-mail queued")
        report.sent.append(invitation)
    return report


def _send_invitation_mail(invitation: Invitation, template: InvitationTemplate,) -> None:
    link = rsvp_link(invitation, revoke_previous=True)
    subject, body = render_invitation(template, invitation, link)
    invitation.links_issued += 1
    _queue(invitation, subject=subject, text=body, kind="invitation", link=link,
           dedupe_key=f"invitation:{invitation.id}:{invitation.links_issued}")


def reissue_link(invitation: Invitation, *, actor) -> None:
    """Send the invitation again with a new personal link; every earlier link stops working."""
    if invitation.status in SENDABLE or invitation.status in {"attended", "no_show"}:
        raise InvitationError("Only an invitation that was sent and is still open can get a new link.")
    problem = sendable_problem(invitation)
    if problem:
        raise InvitationError(problem)
    template = template_for(invitation.convening)
    check_ready_to_send(invitation.convening, template)
    _send_invitation_mail(invitation, template)
    record("invitation.reissue_link", invitation, actor=actor, changes={"links_issued": [
        invitation.links_issued - 1, invitation.links_issued]})


# --- answers ----------------------------------------------------------------------------------

def _meeting_over(invitation: Invitation, today: date | None = None) -> bool:
    convening = invitation.convening
    return invitation.status in {"attended", "no_show", "planned", "withdrawn"} or convening.status in {
        ConveningStatus.HELD.value, ConveningStatus.CLOSED.value} or (today or date.today()) > convening.ends_on


def answer_closed_reason(invitation: Invitation, today: date | None = None) -> str | None:
    """Why the invitee can no longer answer through their link, or None while they can."""
    today = today or date.today()
    convening = invitation.convening
    if invitation.status == InvitationStatus.WITHDRAWN.value:
        return "This invitation has been withdrawn by the organizers."
    if _meeting_over(invitation, today):
        return "The meeting has taken place; answers are closed."
    if invitation.status in ANSWERED and convening.reply_by and today > convening.reply_by:
        return (f"The reply-by date ({long_date(convening.reply_by)}) has passed, so your answer can no longer "
                "be changed here. Please write to the organizers.")
    return None


def _seats_left(convening: Convening) -> int | None:
    if convening.capacity is None:
        return None
    if db.session.get_bind().dialect.name == "postgresql":  # serialise acceptances for the last seats
        db.session.execute(sa.select(Convening.id).where(Convening.id == convening.id).with_for_update())
    taken = db.session.scalar(sa.select(sa.func.count(Invitation.id)).where(
        Invitation.convening_id == convening.id, Invitation.status == InvitationStatus.ACCEPTED.value))
    return convening.capacity - (taken or 0)


def answer(invitation: Invitation, new_status: str, *, reason: str = "", actor=None, via: str = VIA_LINK,
           seen_version: int | None = None, today: date | None = None, offline: bool = False) -> bool:
    """Record accept / tentative / decline; acceptance e-mails the calendar, leaving sends a CANCEL.

    Through the personal link the rules of answer_closed_reason apply; an organizer recording an
    offline reply (offline=True) may record it at any time before attendance is marked.
    """
    check_version(invitation, seen_version)
    if new_status not in ANSWERED:
        raise InvitationError("Choose accept, tentative or decline.")
    reason = " ".join((reason or "").split())[:1000]
    closed = answer_closed_reason(invitation, today)
    if closed and not (offline and invitation.status in {"invited", *ANSWERED}):
        raise InvitationError(closed)
    before = invitation.status
    if new_status == before:
        if new_status == InvitationStatus.DECLINED.value and reason != invitation.decline_reason:
            record("invitation.decline_reason", invitation, actor=actor, actor_label=via,
                   changes={"decline_reason": [invitation.decline_reason, reason]})
            invitation.decline_reason = reason
        if not offline:
            confirmed_by_invitee(invitation)
        return False
    if new_status == InvitationStatus.ACCEPTED.value:
        left = _seats_left(invitation.convening)
        if left is not None and left <= 0:
            raise InvitationError("All seats are taken. Please answer “tentative” and the organizers will "
                                  "contact you if a place becomes free.")
    change_status(invitation, new_status, actor=actor, via=via)
    invitation.decline_reason = reason if new_status == InvitationStatus.DECLINED.value else ""
    _calendar_after_answer(invitation, before, new_status)
    if not offline:  # the invitee's own answer, through their link (after the versioned flush)
        confirmed_by_invitee(invitation)
    return True


def _calendar_after_answer(invitation: Invitation, before: str, after: str) -> None:
    title = invitation.convening.title
    if after == InvitationStatus.ACCEPTED.value:
        _queue_itip(invitation, "REQUEST", kind="confirmation",
                    subject=f"Confirmed: your place at {title}",
                    intro="Thank you for accepting. The calendar invitation attached adds the meeting "
                          "to your calendar.")
    elif before == InvitationStatus.ACCEPTED.value and after == InvitationStatus.DECLINED.value:
        _queue_itip(invitation, "CANCEL", kind="cancellation",
                    subject=f"Noted: you will not attend {title}",
                    intro="We have noted that you can no longer attend. The calendar entry attached "
                          "removes the meeting from your calendar.")


def record_offline_reply(invitation: Invitation, new_status: str, *, channel: str, note: str, actor,
                         seen_version: int | None = None) -> bool:
    """An answer received by phone, letter or e-mail, recorded by an organizer on the invitee's behalf."""
    if channel not in OFFLINE_CHANNELS:
        raise InvitationError("Choose how the reply was received.")
    note = " ".join((note or "").split())[:200]
    via = f"recorded by organizer: {OFFLINE_CHANNELS[channel]}" + (f" ({note})" if note else "")
    if invitation.status == InvitationStatus.PLANNED.value:
        change_status(invitation, InvitationStatus.INVITED.value, actor=actor, via=via)
    return answer(invitation, new_status, reason=note if new_status == "declined" else "", actor=actor, via=via,
                  seen_version=seen_version, offline=True)


# --- profile, nominations ------------------------------------------------------------------------

PROFILE_FIELDS = ("position", "country", "sector", "gender", "gender_self_described", "nationality",
                  "dietary_needs", "access_needs", "listing_consent")


def update_profile(person: Person, data: dict[str, Any], *, seen_version: int | None = None,
                   actor_label: str = VIA_LINK) -> dict[str, list]:
    """The invitee confirms or corrects their own details (sensitive values are masked in the audit)."""
    check_version(person, seen_version)
    clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    for key in ("country", "nationality", "sector", "gender"):
        clean[key] = (clean.get(key) or None)
        if clean[key] and key in ("country", "nationality"):
            clean[key] = clean[key].upper()
    if clean.get("sector") and clean["sector"] not in {s.value for s in Sector}:
        raise InvitationError("Choose a sector from the list.")
    if clean.get("gender") and clean["gender"] not in {g.value for g in Gender}:
        raise InvitationError("Choose a gender from the list.")
    if clean.get("gender") != Gender.SELF_DESCRIBED.value:
        clean["gender_self_described"] = ""
    changes = apply_changes(person, clean, PROFILE_FIELDS)
    if "organization_name" in clean:
        changes.update(change_organization(person, clean["organization_name"]))
    if changes:
        record("person.update", person, actor_label=actor_label, changes=changes)
    return changes


def nomination_closed_reason(invitation: Invitation, today: date | None = None) -> str | None:
    """Why no substitute can be proposed now; after reply-by, someone who declined still may."""
    closed = answer_closed_reason(invitation, today)
    if closed and invitation.status == InvitationStatus.DECLINED.value and not _meeting_over(invitation, today):
        return None
    return closed


def nominate(invitation: Invitation, data: dict[str, Any], *, today: date | None = None) -> Nomination:
    """The invitee proposes a substitute; nominating also records that they cannot attend."""
    closed = nomination_closed_reason(invitation, today)
    if closed:
        raise InvitationError(closed)
    try:
        email = normalise_address(data.get("email") or "").lower()
        name = check_header_value(" ".join((data.get("name") or "").split()), "name", 200)
    except MailError as error:
        raise InvitationError(str(error)) from error
    if not name:
        raise InvitationError("Give the substitute's name.")
    if email == (invitation.person.email or "").lower():
        raise InvitationError("Please nominate someone else: this is your own e-mail address.")
    pending = db.session.scalar(sa.select(Nomination).where(
        Nomination.invitation_id == invitation.id, Nomination.email == email,
        Nomination.status == NominationStatus.PENDING.value))
    if pending is not None:
        raise InvitationError(f"You have already nominated {pending.name}; the organizers will reply.")
    nomination = Nomination(invitation_id=invitation.id, name=name, email=email,
                            position=" ".join((data.get("position") or "").split())[:300],
                            organization=" ".join((data.get("organization") or "").split())[:300])
    db.session.add(nomination)
    record("invitation.nominate", nomination, actor_label=VIA_LINK,
           changes={"name": [None, name], "email": [None, email]})
    if invitation.status in {"invited", "tentative", "accepted"}:
        answer(invitation, InvitationStatus.DECLINED.value, reason=f"Nominated a substitute: {name}",
               today=today)
    return nomination


def decide_nomination(nomination: Nomination, accept: bool, *, actor) -> Invitation | None:
    """Accept (the substitute gets a planned invitation of their own, replacing the nominator) or refuse."""
    if nomination.status != NominationStatus.PENDING.value:
        raise InvitationError("This nomination was already decided.")
    nomination.decided_at = utcnow()
    nomination.decided_by_id = _actor_id(actor)
    original = nomination.invitation
    result = None
    if accept:
        person = find_person_by_email(nomination.email) or create_person(
            {"name": nomination.name, "email": nomination.email, "position": nomination.position,
             "organization_name": nomination.organization}, actor=actor)
        if person.id is not None and person.id in on_list_person_ids(original.convening):
            raise InvitationError(f"{person.name} is already on the guest list.")
        result = _create_invitation(original.convening, person, role=original.role,
                                    priority=Priority.FIRST_CHOICE.value, actor=actor, replaces=original,
                                    via=f"nominated by {original.person.name}")
        nomination.result_invitation_id = result.id
    nomination.status = NominationStatus.ACCEPTED.value if accept else NominationStatus.REFUSED.value
    record("invitation.nomination_decided", nomination, actor=actor, changes={"status": ["pending", nomination.status]})
    return result


# --- calendar updates ----------------------------------------------------------------------------

def notify_convening_changed(convening: Convening) -> int:
    """E-mail every accepted invitee an iTIP REQUEST with a higher SEQUENCE (dates, venue changed)."""
    sent = 0
    for invitation in _with_status(convening, {InvitationStatus.ACCEPTED.value}):
        sent += _queue_itip(invitation, "REQUEST", kind="calendar_update",
                            subject=f"Updated: {convening.title}, {date_range(convening.starts_on, convening.ends_on)}",
                            intro="The details of the meeting have changed. The calendar invitation attached "
                                  "updates the entry in your calendar.")
    return sent


def notify_convening_cancelled(convening: Convening) -> int:
    """E-mail an iTIP CANCEL to everyone who accepted or answered tentative."""
    sent = 0
    for invitation in _with_status(convening, {"accepted", "tentative"}):
        sent += _queue_itip(invitation, "CANCEL", kind="cancellation",
                            subject=f"Cancelled: {convening.title}",
                            intro="The meeting has been cancelled. The calendar entry attached removes it "
                                  "from your calendar.")
    return sent


def _with_status(convening: Convening, statuses: set[str]) -> list[Invitation]:
    from sqlalchemy.orm import joinedload

    return list(db.session.scalars(
        sa.select(Invitation).where(Invitation.convening_id == convening.id, Invitation.status.in_(statuses))
        .options(joinedload(Invitation.person)).order_by(Invitation.id)))


# --- reminders ---------------------------------------------------------------------------------

def non_responders(convening: Convening) -> list[Invitation]:
    """Invitees who were sent the invitation and have not answered."""
    return _with_status(convening, {InvitationStatus.INVITED.value})


def send_reminder(invitation: Invitation, *, actor=None, step: int | None = None) -> bool:
    """Queue a reminder with a personal link; False when the invitee cannot be reminded."""
    if invitation.status != InvitationStatus.INVITED.value or sendable_problem(invitation):
        return False
    convening = invitation.convening
    link = rsvp_link(invitation, revoke_previous=False)
    reply_by = long_date(convening.reply_by) if convening.reply_by else "as soon as possible"
    subject = f"Reminder – please reply by {reply_by}: invitation to {convening.title}"
    text = "\n".join([
        f"Dear {invitation.person.display_name},", "",
        f"We have not yet received your answer to our invitation to {convening.title}, "
        f"{date_range(convening.starts_on, convening.ends_on)}, at {venue_text(convening)}.", "",
        f"Please let us know by {reply_by} whether you can attend, using your personal link:", link, "",
        "If you cannot attend, the same page lets you propose a colleague in your place.", "",
        "With best regards,", "The organizers"])
    invitation.reminders_sent += 1
    invitation.last_reminder_at = utcnow()
    _queue(invitation, subject=subject, text=text, kind="reminder", link=link,
           dedupe_key=f"reminder:{invitation.id}:{invitation.reminders_sent}")
    db.session.add(InvitationReminder(invitation_id=invitation.id, actor_id=_actor_id(actor), schedule_step=step))
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
            report.skipped.append(sendable_problem(invitation) or
                                  f"{invitation.person.name}: already answered ({_label(invitation.status).lower()}).")
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


# --- reserves ---------------------------------------------------------------------------------

OPEN_PLACE = {InvitationStatus.DECLINED.value, InvitationStatus.WITHDRAWN.value}


def reserve_offers_for(convening: Convening, limit: int = 3) -> list[tuple[Invitation, list[Invitation]]]:
    """For each first choice who declined or was withdrawn and is not yet replaced, the next reserves in order.

    Two queries whatever the list's length, without loading every invitee: the places (invited
    first choices now declined or withdrawn, not yet replaced, oldest change first) and the
    reserves (planned, not replacing anyone, by rank then name).
    """
    from sqlalchemy.orm import aliased, joinedload

    replacement = aliased(Invitation)
    places = list(db.session.scalars(
        sa.select(Invitation).where(
            Invitation.convening_id == convening.id, Invitation.priority == Priority.FIRST_CHOICE.value,
            Invitation.status.in_(sorted(OPEN_PLACE)), Invitation.invited_at.is_not(None),
            # Replacements are on the same list; NOT IN over them (no NULLs) plans well on SQLite too.
            Invitation.id.not_in(sa.select(replacement.replaces_id).where(
                replacement.convening_id == convening.id, replacement.replaces_id.is_not(None))))
        .options(joinedload(Invitation.person)).order_by(Invitation.status_changed_at, Invitation.id)))
    if not places:
        return []
    reserves = list(db.session.scalars(
        sa.select(Invitation).join(Person, Person.id == Invitation.person_id).where(
            Invitation.convening_id == convening.id, Invitation.priority == Priority.RESERVE.value,
            Invitation.status == InvitationStatus.PLANNED.value, Invitation.replaces_id.is_(None))
        .options(joinedload(Invitation.person))
        .order_by(sa.func.coalesce(Invitation.reserve_rank, 10**6), Person.name, Invitation.id).limit(limit)))
    return [(place, reserves) for place in places] if reserves else []


def offer_place(place: Invitation, reserve: Invitation, *, actor) -> SendReport:
    """Give a declined first choice's place to a reserve: the reserve replaces them and is invited now."""
    if place.convening_id != reserve.convening_id:
        raise InvitationError("The reserve is on another guest list.")
    if place.status not in OPEN_PLACE:
        raise InvitationError(f"{place.person.name} has not declined; their place is not free.")
    if db.session.scalar(sa.select(Invitation.id).where(Invitation.replaces_id == place.id)) is not None:
        raise InvitationError(f"{place.person.name}'s place has already been offered to someone else.")
    if reserve.priority != Priority.RESERVE.value or reserve.status != InvitationStatus.PLANNED.value:
        raise InvitationError(f"{reserve.person.name} is not a reserve waiting for a place.")
    reserve.replaces = place
    record("invitation.offer_place", reserve, actor=actor, changes={"replaces_id": [None, place.id]})
    report = send_invitations(place.convening, [reserve], actor=actor)
    if not report.sent:
        raise InvitationError("The place was not offered: " + " ".join(report.skipped))
    return report


def balance_hint(convening: Convening, invitation: Invitation) -> list[str]:
    """What accepting this invitee would do to the balance, in short sentences."""
    return balance_change_if_accepted(convening, invitation)


# --- status board, attendance -----------------------------------------------------------------

def status_counts(convening: Convening) -> dict[str, int]:
    rows = db.session.execute(sa.select(Invitation.status, sa.func.count()).where(
        Invitation.convening_id == convening.id).group_by(Invitation.status)).all()
    return {status: n for status, n in rows}


def median_response_days(invitations: Iterable[Invitation]) -> float | None:
    """Median days from invitation to answer, over invitees who answered."""
    days = [(i.responded_at - i.invited_at).total_seconds() / 86400 for i in invitations
            if i.invited_at is not None and i.responded_at is not None]
    return round(statistics.median(days), 1) if days else None


def mark_attendance(convening: Convening, invitations: Iterable[Invitation], status: str, *, actor,
                    today: date | None = None) -> SendReport:
    """After the meeting has begun, mark the selected invitees attended or no-show."""
    if status not in {InvitationStatus.ATTENDED.value, InvitationStatus.NO_SHOW.value}:
        raise InvitationError("Choose attended or no-show.")
    if (today or date.today()) < convening.starts_on:
        raise InvitationError("Attendance can be marked once the meeting has begun.")
    report = SendReport()
    for invitation in invitations:
        if invitation.convening_id != convening.id:
            continue
        try:
            change_status(invitation, status, actor=actor, via="attendance marked by organizer")
            report.sent.append(invitation)
        except InvitationError as error:
            report.skipped.append(str(error))
    return report
