"""A conference's figures include its dialogues: each person counted once per conference.

A conference (a top-level convening) holds parallel dialogues as child convenings, each with its
own guest list. Its balance, status counts and the series trend count the people invited to the
conference itself or to any of its dialogues, once each: a person on two dialogues is one
participant of the conference. Their status at conference level is the one furthest along
`ROLLUP_ORDER` among their invitations (attended one dialogue and declined another: attended).
The pages say so with templates/diversity/_rollup_note.html.
A dialogue's own figures are its own guest list.

`person_rows(ids)` is the one SQL building block: one row per (convening, person) with that
status, for the convenings asked (a conference with its dialogues folded in).
"""
from __future__ import annotations

from typing import Iterable

import sqlalchemy as sa

from ..convenings.models import Convening
from ..extensions import db
from .models import Invitation

#: Most engaged first: the status a person counts with when invited to several convenings of one conference.
ROLLUP_ORDER = ("attended", "no_show", "accepted", "tentative", "invited", "planned", "declined", "withdrawn")

def members(convening_ids: Iterable[int]):
    """(root, member) pairs: each convening asked for is its own member, and so are its dialogues."""
    ids = sorted(set(convening_ids))
    itself = sa.select(Convening.id.label("member"), Convening.id.label("root")).where(Convening.id.in_(ids))
    children = (sa.select(Convening.id.label("member"), Convening.parent_id.label("root"))
                .where(Convening.parent_id.in_(ids)))
    return sa.union_all(itself, children).subquery("members")


def person_rows(convening_ids: Iterable[int]):
    """A subquery with columns convening_id (the convening asked for), person_id and status (rolled up)."""
    family = members(convening_ids)
    rank = sa.case({status: i for i, status in enumerate(ROLLUP_ORDER)}, value=Invitation.status,
                   else_=len(ROLLUP_ORDER))
    best = (sa.select(family.c.root.label("convening_id"), Invitation.person_id.label("person_id"),
                      sa.func.min(rank).label("rank"))
            .join(family, family.c.member == Invitation.convening_id)
            .group_by(family.c.root, Invitation.person_id)).subquery("best")
    status = sa.case({i: status for i, status in enumerate(ROLLUP_ORDER)}, value=best.c.rank, else_="planned")
    return sa.select(best.c.convening_id, best.c.person_id, status.label("status")).subquery("rolled")


def status_counts(convening_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """convening id -> status -> people, rolled up (one query)."""
    ids = list(convening_ids)
    counts: dict[int, dict[str, int]] = {cid: {} for cid in ids}
    if not ids:
        return counts
    rolled = person_rows(ids)
    rows = db.session.execute(sa.select(rolled.c.convening_id, rolled.c.status, sa.func.count())
                              .group_by(rolled.c.convening_id, rolled.c.status))
    for convening_id, status, n in rows:
        counts[convening_id][status] = n
    return counts


def own_status_counts(convening_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """convening id -> status -> invitations on its own guest list (no roll-up; one query)."""
    ids = list(convening_ids)
    counts: dict[int, dict[str, int]] = {cid: {} for cid in ids}
    rows = db.session.execute(sa.select(Invitation.convening_id, Invitation.status, sa.func.count())
                              .where(Invitation.convening_id.in_(ids))
                              .group_by(Invitation.convening_id, Invitation.status)) if ids else []
    for convening_id, status, n in rows:
        counts[convening_id][status] = n
    return counts


#: Statuses of people who said yes (and then came or did not): "accepted" on the conference page.
CAME_OR_COMING = ("accepted", "attended", "no_show")


def said_yes(counts: dict[str, int]) -> int:
    """How many of a status count said yes (accepted, and then attended or not)."""
    return sum(counts.get(status, 0) for status in CAME_OR_COMING)
