"""Writing to participants: checking the organizer's text, filling it in for one person, sending it.

The organizer's subject and body are data, sent as written, with the placeholder rule and the
length limits of every written message text (`messages.rules`). What Convene adds around
them (the personal link's line, the list of attached files, the closing line saying why the person
gets the message) is worded in `templates/mail/messages/participant_message/`, in each recipient's
language. Sending queues one e-mail per recipient in the transaction that records the message.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..audit.services import record
from ..base.text import has_control_characters
from ..convenings.brand import brand_for
from ..convenings.models import Convening
from ..extensions import db
from ..i18n.locale import DEFAULT as DEFAULT_LANGUAGE, LANGUAGES, attendee_language, language, supported
from ..invitations.invitation_template import venue_text
from ..invitations.links import home_url
from ..invitations.models import Invitation
from ..mail import attachments as mail_files
from ..mail.models import MailAttachment, MailKind
from ..mail.services import MailError, queue_message
from ..mail.wording import RenderedMessage, render_message
from ..messages.rules import BODY_MAX, SUBJECT_MAX, placeholder_problems
from ..templating import date_range
from ..urls import absolute_url
from .attachments import CorrespondenceError
from .models import ParticipantMessage, ParticipantMessageRecipient
from .recipients import Recipients, Selection, select_recipients

__all__ = ["CorrespondenceError", "Draft", "PLACEHOLDERS", "check_draft", "preview", "render_for", "send"]

PLACEHOLDERS = ("name", "convening", "dates", "venue", "personal_link")
#: What the preview shows in place of a personal link: nothing is issued for a preview.
EXAMPLE_TOKEN = "EXAMPLE-LINK"


@dataclass
class Draft:
    """The organizer's text: subject and body with placeholders, their language, and whether links go too."""

    subject: str = ""
    body: str = ""
    language: str = DEFAULT_LANGUAGE
    include_link: bool = False

    @classmethod
    def of(cls, subject, body, language_code, include_link) -> "Draft":
        return cls(str(subject or "").strip(), str(body or "").replace("\r\n", "\n").strip("\n"),
                   supported(language_code) or DEFAULT_LANGUAGE, bool(include_link))


def draft_problems(draft: Draft) -> list[str]:
    """Everything wrong with a draft, in words for the organizer (empty when it can be sent)."""
    problems = []
    subject, body = draft.subject, draft.body
    if not subject:
        problems.append("Subject: write a subject.")
    elif has_control_characters(subject):
        problems.append("Subject: keep it on one line (it contains a line break or a control character).")
    elif len(subject) > SUBJECT_MAX:
        problems.append(f"Subject: at most {SUBJECT_MAX} characters (it has {len(subject)}).")
    else:
        problems += [f"Subject: {p}" for p in placeholder_problems(subject, PLACEHOLDERS)]
        if "{personal_link}" in subject:
            problems.append("Subject: a personal link belongs in the message, not in the subject.")
    if not body.strip():
        problems.append("Message: write the message.")
    elif len(body) > BODY_MAX:
        problems.append(f"Message: at most {BODY_MAX:,} characters (it has {len(body):,}).")
    else:
        problems += [f"Message: {p}" for p in placeholder_problems(body, PLACEHOLDERS)]
        if "{personal_link}" in body and not draft.include_link:
            problems.append("Message: {personal_link} is only filled in when “Include each recipient's personal "
                            "link” is ticked; tick it, or take the placeholder out.")
    if draft.language not in LANGUAGES:
        problems.append("Choose the language the message is written in.")
    return problems


def check_draft(draft: Draft) -> None:
    problems = draft_problems(draft)
    if problems:
        raise CorrespondenceError(" ".join(problems))


def _values(invitation: Invitation, convening: Convening, link: str | None) -> dict[str, str]:
    """The placeholders' values for one person, in the current language (the text's)."""
    return {"name": invitation.person.display_name, "convening": convening.title,
            "dates": date_range(convening.starts_on, convening.ends_on), "venue": venue_text(convening),
            "personal_link": link or ""}


def render_for(draft: Draft, convening: Convening, invitation: Invitation, link: str | None,
               file_names: list[str]) -> RenderedMessage:
    """The e-mail one person receives: the text filled in (in its language), our lines in theirs."""
    with language(draft.language):
        values = _values(invitation, convening, link)
        subject = " ".join(draft.subject.format_map(values).split())
        body = draft.body.format_map(values)
    with language(attendee_language(invitation.person, convening)):
        return render_message("participant_message", brand=brand_for(convening), subject=subject, body=body,
                              link=link, add_link=bool(link) and "{personal_link}" not in draft.body,
                              convening=convening.title, files=file_names)


def preview(draft: Draft, convening: Convening, invitation: Invitation, file_names: list[str]) -> RenderedMessage:
    """What one recipient would receive, with an example link (nothing is issued or queued)."""
    check_draft(draft)
    link = absolute_url("invitations.rsvp", token=EXAMPLE_TOKEN) if draft.include_link else None
    return render_for(draft, convening, invitation, link, file_names)


def send(convening: Convening, selection: Selection, draft: Draft, files: list[MailAttachment], *, actor,
         expected: int | None) -> tuple[ParticipantMessage, Recipients]:
    """Record the message and queue one e-mail per recipient with the files, in one transaction (flushed).

    `expected` is the number of recipients the organizer saw: when the selection changed meanwhile,
    nothing is sent and they are told. People without a usable address are skipped and kept in the
    message's recipients with the reason."""
    check_draft(draft)
    recipients = select_recipients(convening, selection)
    if not recipients.invitations:
        raise CorrespondenceError("Nobody to write to: the selection has no one with an e-mail address.")
    if expected is None:
        raise CorrespondenceError("Count the recipients before sending.")
    if expected != recipients.count:
        raise CorrespondenceError(f"The selection now holds {recipients.count} people (the page said {expected}): "
                                  "check who is selected and send again.")
    message = ParticipantMessage(
        convening_id=convening.id, author_id=getattr(actor, "id", None), subject=draft.subject, body=draft.body,
        language=draft.language, include_link=draft.include_link, selection=selection.summary(),
        attachments=[{"id": f.id, "name": f.filename, "size": f.size} for f in files],
        recipients_count=recipients.count, skipped_count=len(recipients.skipped))
    db.session.add(message)
    db.session.flush()
    names = [f.filename for f in files]
    queued = []
    for invitation in recipients.invitations:
        person = invitation.person
        link = home_url(invitation) if draft.include_link else None
        words = render_for(draft, convening, invitation, link, names)
        try:
            row = queue_message(to_address=person.email or "", to_name=person.display_name, subject=words.subject,
                                text=words.text, html=words.html, kind=MailKind.PARTICIPANT_MESSAGE.value,
                                convening_id=invitation.convening_id, invitation_id=invitation.id,
                                person_id=person.id, dedupe_key=f"participant_message:{message.id}:{invitation.id}")
        except MailError as error:
            raise CorrespondenceError(f"Nothing was sent: the message to {person.name} could not be queued "
                                      f"({error}).") from error
        queued.append(row.id)
        message.recipients.append(ParticipantMessageRecipient(
            invitation_id=invitation.id, person_id=person.id, name=person.name[:200], outbox_message_id=row.id))
    for invitation, reason in recipients.skipped:
        message.recipients.append(ParticipantMessageRecipient(
            invitation_id=invitation.id, person_id=invitation.person_id, name=invitation.person.name[:200],
            skipped_because=reason[:300]))
    mail_files.attach(queued, files)
    db.session.flush()
    record("participant_message.send", message, actor=actor, changes={
        "recipients": [None, recipients.count], "skipped": [None, len(recipients.skipped)],
        "attachments": [None, len(files)], "personal_links": [None, draft.include_link]})
    return message, recipients
