"""The briefing pack: one printable page per participant with everything they need."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..invitations.models import Invitation
from ..people.models import Person
from .versions import open_to

#: Whose bios are listed: people coming (or who came), and only with their consent.
LISTED_STATUSES = ("accepted", "tentative", "attended")


def listed_participants(convening_ids: list[int]) -> dict[int, list[Person]]:
    """convening id → participants who consented to be listed, by name (one query)."""
    if not convening_ids:
        return {}
    rows = db.session.execute(
        sa.select(Invitation.convening_id, Person).join(Person, Person.id == Invitation.person_id)
        .where(Invitation.convening_id.in_(convening_ids), Invitation.status.in_(LISTED_STATUSES),
               Person.listing_consent.is_(True), Person.erased_at.is_(None))
        .options(selectinload(Person.organization)).order_by(Person.name)).all()
    out: dict[int, list[Person]] = {cid: [] for cid in convening_ids}
    for convening_id, person in rows:
        out[convening_id].append(person)
    return out


def briefing_context(viewer, agendas) -> list[dict]:
    """One pack section per convening: my sessions and roles, the agenda, logistics, bios."""
    listed = listed_participants([a[0].id for a in agendas])
    packs = []
    for convening, version, sessions, _marks, _seen in agendas:
        mine = [s for s in sessions if viewer.person is not None
                and any(r.person_id == viewer.person.id for r in s.roles)]
        packs.append({"convening": convening, "version": version, "my_sessions": mine,
                      "sessions": [s for s in sessions if open_to(viewer.person, s)],
                      "participants": listed.get(convening.id, [])})
    return packs
