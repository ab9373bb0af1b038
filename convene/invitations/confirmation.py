"""The invitee's own confirmation: the one fact that opens their self-identified data to organizers.

Only routes opened with the invitee's personal link call this. Adding someone to a guest list,
sending an invitation or recording a reply received by phone are organizer actions, and none
of them may grant an organizer sight of gender, nationality, dietary or access needs
(see auth.policy.sees_sensitive_fields and docs/privacy.md).
"""
from __future__ import annotations

import sqlalchemy as sa

from ..db_types import utcnow
from ..extensions import db
from .models import Invitation


def confirmed_by_invitee(invitation: Invitation) -> None:
    """Note that the invitee answered or gave their details through their own link.

    A plain UPDATE, so it does not count as an edit of the invitation: the answer form the
    invitee has open (which carries the invitation's version) stays valid.
    """
    now = utcnow()
    db.session.execute(sa.update(Invitation).where(Invitation.id == invitation.id)
                       .values(invitee_confirmed_at=now).execution_options(synchronize_session=False))
    db.session.expire(invitation, ["invitee_confirmed_at"])
