"""Sending the invitation e-mail to the guest list, and sending it again with a new personal link."""
from __future__ import annotations

from typing import Iterable

from ..audit.services import record
from ..convenings.brand import brand_for
from ..convenings.models import Convening
from ..i18n.locale import language
from ..mail.wording import render_message
from .invitation_template import (InvitationTemplate, invitee_language, render_invitation, template_problems,
                                  texts_by_language)
from .lifecycle import InvitationError, SendReport, change_status, status_label
from .models import Invitation, InvitationStatus
from .outbox import queue_mail, rsvp_link, sendable_problem

SENDABLE = {InvitationStatus.PLANNED.value, InvitationStatus.WITHDRAWN.value}


def check_ready_to_send(convening: Convening, texts: dict[str, InvitationTemplate]) -> None:
    if convening.reply_by is None:
        raise InvitationError("Set a reply-by date on the convening (Edit details) before sending invitations: "
                              "invitees need to know by when to answer.")
    problems = [p for t in dict.fromkeys(texts.values())
                for p in template_problems(t.subject) + template_problems(t.body)]
    if problems:
        raise InvitationError("The invitation template needs correcting first: " + " ".join(problems))


def send_invitations(convening: Convening, invitations: Iterable[Invitation], *, actor) -> SendReport:
    """Send the invitation to each selected planned invitee (in their language's text, else the
    convening's default text): personal link, outbox message, status invited."""
    texts = texts_by_language(convening)
    check_ready_to_send(convening, texts)
    report = SendReport()
    for invitation in invitations:
        if invitation.convening_id != convening.id:
            continue
        if invitation.status not in SENDABLE:
            report.skipped.append(f"{invitation.person.name}: already {status_label(invitation.status).lower()}.")
            continue
        problem = sendable_problem(invitation)
        if problem:
            report.skipped.append(problem)
            continue
        _send_invitation_mail(invitation, texts)
        change_status(invitation, InvitationStatus.INVITED.value, actor=actor, via="invitation e-mail queued")
        report.sent.append(invitation)
    return report


def _send_invitation_mail(invitation: Invitation, texts: dict[str, InvitationTemplate], *,
                          new_link: bool = False) -> None:
    template = texts[invitee_language(invitation.person, invitation.convening)]
    link = rsvp_link(invitation, revoke_previous=new_link)
    subject, body = render_invitation(template, invitation, link)
    invitation.links_issued += 1
    with language(template.language):
        message = render_message("invitation", subject=subject, body=body, link=link,
                                 brand=brand_for(invitation.convening))
    queue_mail(invitation, message, kind="invitation", dedupe_key=f"invitation:{invitation.id}:{invitation.links_issued}")


def reissue_link(invitation: Invitation, *, actor) -> None:
    """Send the invitation again with a new personal link; every earlier link stops working."""
    if invitation.status in SENDABLE or invitation.status in {"attended", "no_show"}:
        raise InvitationError("Only an invitation that was sent and is still open can get a new link.")
    problem = sendable_problem(invitation)
    if problem:
        raise InvitationError(problem)
    texts = texts_by_language(invitation.convening)
    check_ready_to_send(invitation.convening, texts)
    _send_invitation_mail(invitation, texts, new_link=True)
    record("invitation.reissue_link", invitation, actor=actor, changes={"links_issued": [
        invitation.links_issued - 1, invitation.links_issued]})
