"""Who a personal agenda link opens the agenda for.

Two kinds of token open an attendee's agenda:
* the invitation's RSVP token (from the invitation e-mail): that convening and its dialogues;
* a FEED token. With `person_id` it is the person's own calendar link (every convening they are
  invited to; it also serves /feeds/<token>.ics). With only `convening_id` it is a convening's
  shared feed (the whole published agenda, nobody's personal view).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from ..convenings.models import Convening
from ..convenings.brand import use_attendee_page
from ..extensions import db
from ..invitations.models import Invitation
from ..people.models import Person
from ..tokens import services as tokens
from ..tokens.services import LinkProblem

#: Invitation statuses that open the agenda to the invitee.
VIEWING = ("invited", "accepted", "tentative", "attended")


@dataclass
class Viewer:
    """What a token opens: a person (or nobody, for a convening feed) and their convenings."""

    person: Person | None
    convenings: list[Convening] = field(default_factory=list)
    purpose: str = "feed"
    #: The invitation whose personal link opened the page (None for a feed link).
    invitation: Invitation | None = None


def viewer_for(raw: str, *, allow_rsvp: bool = True) -> Viewer:
    """What a personal link opens, in the person's language; raises LinkProblem when it opens nothing."""
    viewer = _open(raw, allow_rsvp)
    convening = viewer.invitation.convening if viewer.invitation else next(iter(viewer.convenings), None)
    use_attendee_page(viewer.person, convening)
    return viewer


def _open(raw: str, allow_rsvp: bool) -> Viewer:
    token = tokens.open_link(raw, *(("feed", "rsvp") if allow_rsvp else ("feed",)))
    if token.purpose == "rsvp":
        return _from_invitation(token.invitation_id)
    if token.person_id is not None:
        return _from_person(token.person_id, token.convening_id)
    convening = db.session.get(Convening, token.convening_id) if token.convening_id else None
    if convening is None:
        raise LinkProblem("unknown", "feed")
    return Viewer(None, [convening], "feed")


def _from_invitation(invitation_id: int | None) -> Viewer:
    invitation = db.session.get(Invitation, invitation_id) if invitation_id else None
    if invitation is None:
        raise LinkProblem("unknown", "rsvp")
    viewer = _from_person(invitation.person_id, None, root=invitation.convening_id)
    viewer.purpose = "rsvp"
    viewer.invitation = invitation
    return viewer


def _from_person(person_id: int, convening_id: int | None, root: int | None = None) -> Viewer:
    """The person and the convenings whose agenda they may see (one query for the convenings)."""
    person = db.session.get(Person, person_id)
    if person is None or person.erased_at is not None:
        raise LinkProblem("unknown", "rsvp")
    query = (sa.select(Convening).join(Invitation, Invitation.convening_id == Convening.id)
             .where(Invitation.person_id == person_id, Invitation.status.in_(VIEWING))
             .order_by(Convening.starts_on, Convening.id))
    if convening_id is not None:
        query = query.where(Convening.id == convening_id)
    if root is not None:
        query = query.where(sa.or_(Convening.id == root, Convening.parent_id == root))
    return Viewer(person, list(db.session.scalars(query)), "feed")
