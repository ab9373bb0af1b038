"""The organizer-edited invitation: placeholders, the default wording, checking, saving and filling it in."""
from __future__ import annotations

import string
from typing import Any

import sqlalchemy as sa

from ..audit.services import apply_changes, record
from ..base.countries import country_name
from ..convenings.models import Convening
from ..editing import check_version
from ..extensions import db
from ..templating import date_range, long_date
from .lifecycle import InvitationError
from .models import Invitation, InvitationTemplate

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
