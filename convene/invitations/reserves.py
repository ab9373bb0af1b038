"""Reserves: offering a declined first choice's place to the next reserve, and what accepting would change."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager

from ..audit.services import record
from ..convenings.models import Convening
from ..diversity.what_if import balance_change_if_accepted
from ..extensions import db
from ..people.models import Person
from .lifecycle import InvitationError, SendReport
from .models import Invitation, InvitationStatus, Priority
from .sending import send_invitations

OPEN_PLACE = {InvitationStatus.DECLINED.value, InvitationStatus.WITHDRAWN.value}


def reserve_offers_for(convening: Convening, alternatives: int = 2, *,
                       counts: dict[str, int] | None = None) -> list[tuple[Invitation, list[Invitation]]]:
    """For each first choice who declined or was withdrawn and is not yet replaced, the reserves to offer the
    place to, each reserve under one place only: place n is offered the n-th reserve waiting, and the
    `alternatives` reserves after those are shared out in turn (one place: the next three in order).

    One query whatever the list's length, without loading every invitee: the places (invited first
    choices now declined or withdrawn, not yet replaced, oldest change first) and the reserves waiting
    (planned, never invited, not replacing anyone, by rank then name; as many as there are places, plus
    `alternatives`) come back together. With the guest list's status `counts` at hand, no query at all
    when nobody declined or was withdrawn (the common case: no place has opened).
    """
    if counts is not None and not any(counts.get(status) for status in OPEN_PLACE):
        return []
    place, waiting, waiting_person = aliased(Invitation), aliased(Invitation), aliased(Person)
    rank = sa.func.row_number().over(order_by=(sa.func.coalesce(waiting.reserve_rank, 10**6), waiting_person.name,
                                               waiting.id))
    ranked = (sa.select(waiting.id, rank.label("n")).join(waiting_person, waiting_person.id == waiting.person_id)
              .where(waiting.convening_id == convening.id, waiting.priority == Priority.RESERVE.value,
                     waiting.status == InvitationStatus.PLANNED.value, waiting.invited_at.is_(None),
                     waiting.replaces_id.is_(None))).subquery()
    open_places = sa.select(sa.func.count(place.id)).where(_is_place(place, convening)).scalar_subquery()
    next_reserves = sa.select(ranked.c.id).where(ranked.c.n <= open_places + alternatives)
    is_place = _is_place(Invitation, convening)
    rows = list(db.session.scalars(
        sa.select(Invitation).join(Person, Person.id == Invitation.person_id)
        .where(Invitation.convening_id == convening.id, sa.or_(is_place, Invitation.id.in_(next_reserves)))
        .options(contains_eager(Invitation.person))
        .order_by(sa.case((is_place, 0), else_=1), sa.case((is_place, Invitation.status_changed_at)),
                  sa.case((is_place, Invitation.id)), sa.func.coalesce(Invitation.reserve_rank, 10**6), Person.name,
                  Invitation.id)))
    places = [row for row in rows if row.priority == Priority.FIRST_CHOICE.value]
    reserves = [row for row in rows if row.priority == Priority.RESERVE.value]
    if not places or not reserves:
        return []
    return [(place, reserves[n::len(places)]) for n, place in enumerate(places)]


def _is_place(invitation, convening: Convening):
    """An open place of the convening: an invited first choice now declined or withdrawn, not yet replaced."""
    replacement = aliased(Invitation)
    return sa.and_(
        invitation.convening_id == convening.id, invitation.priority == Priority.FIRST_CHOICE.value,
        invitation.status.in_(sorted(OPEN_PLACE)), invitation.invited_at.is_not(None),
        # Replacements are on the same list; NOT IN over them (no NULLs) plans well on SQLite too.
        invitation.id.not_in(sa.select(replacement.replaces_id).where(
            replacement.convening_id == convening.id, replacement.replaces_id.is_not(None))))


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


def balance_hint(convening: Convening, invitation: Invitation, viewer) -> list[str]:
    """What accepting this invitee would do to the balance, in short sentences (as far as `viewer` may know)."""
    return balance_change_if_accepted(convening, invitation, viewer)
