"""Participants' review of a draft brief: personal review links by e-mail, who may read the draft, comments."""
from __future__ import annotations


import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ..audit.services import record
from ..extensions import db
from ..i18n.locale import attendee_language, language
from ..invitations.models import Invitation
from ..mail.services import MailError, queue_message
from ..messages.services import compose
from .models import Brief, BriefComment, BriefStatus, brief_convenings
from .services import BriefError

#: Invitation statuses that make someone a participant who may review a draft.
PARTICIPANT_STATUSES = ("accepted", "attended")
#: Days a review link stays valid.
REVIEW_LINK_DAYS = 60
COMMENT_MAX = 5000


def participant_invitations(brief: Brief) -> list:
    """Invitations of people who took part in a convening the brief comes from."""
    ids = [c.id for c in brief.convenings]
    if not ids:
        return []
    return list(db.session.scalars(
        sa.select(Invitation).where(Invitation.convening_id.in_(ids),
                                    Invitation.status.in_(PARTICIPANT_STATUSES))
        .options(selectinload(Invitation.person)).order_by(Invitation.id)))


def participant_count(brief: Brief) -> int:
    """How many people took part in the convenings the brief comes from."""
    ids = [c.id for c in brief.convenings]
    if not ids:
        return 0
    return db.session.scalar(sa.select(sa.func.count(Invitation.id)).where(
        Invitation.convening_id.in_(ids), Invitation.status.in_(PARTICIPANT_STATUSES)))


def send_review_links(brief: Brief, actor, link_for) -> tuple[int, int]:
    """Give each participant a personal review link by e-mail; return (queued, without address).

    `link_for(invitation)` gives the participant's personal link to the review page (their one lasting
    invitation link, so earlier e-mails keep working and sending again sends the same link).
    """
    queued = skipped = 0
    for invitation in participant_invitations(brief):
        person = invitation.person
        if not person.email or person.erased_at is not None:
            skipped += 1
            continue
        try:
            with language(attendee_language(person, invitation.convening)):
                words = compose("brief_review", invitation.convening, name=person.name, title=brief.title,
                                link=link_for(invitation), days=REVIEW_LINK_DAYS)
            queue_message(to_address=person.email, to_name=person.name, kind="other", subject=words.subject[:300],
                          text=words.text, convening_id=invitation.convening_id, invitation_id=invitation.id,
                          person_id=person.id)
        except MailError:
            skipped += 1
            continue
        queued += 1
    record("brief.review_links", brief, actor=actor, changes={"queued": [None, queued]})
    return queued, skipped


def briefs_in_review_for(invitation) -> list[Brief]:
    """Drafts in review that the invitee may read: from their convening, if they took part."""
    if invitation.status not in PARTICIPANT_STATUSES:
        return []
    return list(db.session.scalars(
        sa.select(Brief).join(brief_convenings)
        .where(brief_convenings.c.convening_id.in_(invitation.convening.with_conference_ids),
               Brief.status == BriefStatus.REVIEW.value)
        .options(selectinload(Brief.files)).distinct().order_by(Brief.title)))


def may_review(invitation, brief: Brief) -> bool:
    """Whether the invitee may read and comment on this draft."""
    return brief.id in {b.id for b in briefs_in_review_for(invitation)}


def add_comment(brief: Brief, invitation, body: str) -> BriefComment:
    """A participant's comment on a draft in review."""
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise BriefError(_("Write a comment before sending it."))
    if len(body) > COMMENT_MAX:
        raise BriefError(_("Please keep a comment under %(max)s characters.", max=COMMENT_MAX))
    if brief.status != BriefStatus.REVIEW.value:
        raise BriefError(_("This draft is no longer open for comments."))
    comment = BriefComment(brief=brief, invitation_id=invitation.id, body=body, brief_version=brief.version)
    db.session.add(comment)
    record("brief.comment", comment, actor_label="invitee via personal link",
           changes={"brief_id": [None, brief.id], "invitation_id": [None, invitation.id]})
    return comment
