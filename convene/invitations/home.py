"""What the attendee home shows: one page at /my/<token> that follows the invitation's state."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..actions.models import ActionItem, ActionStatus
from ..agenda import versions
from ..audit.services import record
from ..briefs.models import Brief, BriefStatus, brief_convenings
from ..briefs.review import briefs_in_review_for
from ..extensions import db
from ..notes.models import NoteStatus, SessionNote
from .models import Invitation

#: Statuses that leave the attendee a clear page and nothing else.
CLOSED = ("declined", "withdrawn", "no_show")


def state_of(invitation: Invitation, today: date | None = None) -> str:
    """'invited' (answer due), 'attending', 'after' (the convening is over) or 'closed'."""
    today = today or date.today()
    if invitation.status in CLOSED:
        return "closed"
    if invitation.status in ("accepted", "attended"):
        return "after" if invitation.convening.ends_on < today else "attending"
    return "invited"


def my_sessions(invitation: Invitation) -> tuple[object | None, list]:
    """(published version or None, [(session, my roles)]) from the latest published agenda."""
    found = versions.published_agendas([invitation.convening]).get(invitation.convening_id)
    if found is None:
        return None, []
    version, sessions = found
    mine = [(s, [r.label for r in s.roles if r.person_id == invitation.person_id]) for s in sessions]
    return version, [(s, roles) for s, roles in mine if roles]


def after_the_convening(invitation: Invitation) -> dict:
    """Shared notes, drafts to review, next steps the attendee owns (with history), published briefs."""
    convening = invitation.convening
    family = convening.with_conference_ids
    notes = db.session.scalar(sa.select(sa.func.count(SessionNote.id)).where(
        SessionNote.convening_id.in_(family),
        SessionNote.status.in_([NoteStatus.SHARED.value, NoteStatus.FINAL.value])))
    steps = db.session.scalars(sa.select(ActionItem).where(
        ActionItem.owner_person_id == invitation.person_id, ActionItem.convening_id.in_(family),
        ActionItem.status != ActionStatus.DRAFT.value).options(selectinload(ActionItem.updates))
        .order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)).all()
    published = db.session.scalars(sa.select(Brief).join(brief_convenings).where(
        brief_convenings.c.convening_id.in_(family), Brief.status == BriefStatus.PUBLISHED.value)
        .distinct().order_by(Brief.title)).all()
    return {"shared_notes": notes, "to_review": briefs_in_review_for(invitation), "steps": steps,
            "published": published}


def save_settings(invitation: Invitation, timezone: str, preferred_language: str) -> bool:
    """The attendee's own timezone and preferred language (audited); False when nothing changed."""
    person = invitation.person
    wanted = {"timezone": timezone or "", "preferred_language": preferred_language or None}
    changes = {k: [getattr(person, k), v] for k, v in wanted.items() if getattr(person, k) != v}
    for key, (_, value) in changes.items():
        setattr(person, key, value)
    if changes:
        record("person.settings", person, actor_label="attendee via personal link", changes=changes)
    return bool(changes)
