"""What the public page of a brief says about its convening: counts and mixes as aggregates only.

No person is ever named or shown individually here. Every cell of 1 to 4 people reads
"fewer than 5"; when that would leave exactly one hidden cell whose size the total gives
away, the next smallest cell reads "not shown".
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..actions import services as actions
from ..diversity.classification import classification_info
from ..extensions import db
from ..invitations.models import Invitation
from ..people.models import Person, Sector
from .review import PARTICIPANT_STATUSES

SMALL = 5
FEWER = "fewer than 5"
#: A cell of 5 or more hidden only so that a small one cannot be worked out from the total.
WITHHELD = "not shown"


@dataclass
class ConveningFacts:
    participants: int | str = 0
    north_south: list[tuple[str, int | str]] = field(default_factory=list)
    sectors: list[tuple[str, int | str]] = field(default_factory=list)


def suppress(counts: dict[str, int]) -> list[tuple[str, int | str]]:
    """Counts with small cells hidden, largest first; zero cells are left out."""
    cells = sorted(((k, n) for k, n in counts.items() if n > 0), key=lambda kv: (-kv[1], kv[0]))
    small = {k for k, n in cells if n < SMALL}
    shown = [k for k, n in cells if k not in small]
    withheld = {shown[-1]} if len(small) == 1 and shown else set()  # else total − shown = the small one
    return [(k, FEWER if k in small else WITHHELD if k in withheld else n) for k, n in cells]


def _diversity_classifier():
    """The diversity area's country → north/south function (its configured basis and overrides)."""
    return classification_info().classifier.north_south


_NORTH_SOUTH_LABELS = {"north": "Global North", "south": "Global South"}


def north_or_south(code: str | None, classifier) -> str:
    """'Global North', 'Global South', 'Not classified' or 'Not stated' for a country code."""
    if not code:
        return "Not stated"
    answer = classifier(code.upper())
    if answer in _NORTH_SOUTH_LABELS:
        return _NORTH_SOUTH_LABELS[answer]
    return "Not classified" if answer == "not_classified" else "Not stated"


def convening_facts(convening_ids: list[int]) -> dict[int, ConveningFacts]:
    """Participants per convening and their mix, from one GROUP BY query.

    The country is the affiliation (Person.country), never the self-identified nationality.
    """
    facts = {cid: ConveningFacts() for cid in convening_ids}
    if not convening_ids:
        return facts
    rows = db.session.execute(
        sa.select(Invitation.convening_id, Person.country, Person.sector, sa.func.count())
        .join(Person, Person.id == Invitation.person_id)
        .where(Invitation.convening_id.in_(convening_ids), Invitation.status.in_(PARTICIPANT_STATUSES))
        .group_by(Invitation.convening_id, Person.country, Person.sector)).all()
    classifier = _diversity_classifier()
    sector_labels = {s.value: s.label for s in Sector}
    mixes: dict[int, tuple[Counter, Counter]] = {cid: (Counter(), Counter()) for cid in convening_ids}
    for convening_id, country, sector, n in rows:
        regions, sectors = mixes[convening_id]
        regions[north_or_south(country, classifier)] += n
        sectors[sector_labels.get(sector or "", "Not stated")] += n
    for convening_id, (regions, sectors) in mixes.items():
        total = sum(regions.values())
        fact = facts[convening_id]
        fact.participants = total if total == 0 or total >= SMALL else FEWER
        if total >= SMALL:  # with fewer than 5 people every mix would point at individuals
            fact.north_south = suppress(dict(regions))
            fact.sectors = suppress(dict(sectors))
    return facts


def public_next_steps(convening) -> list:
    """The convening's public next steps (the actions area decides which are public)."""
    return actions.public_next_steps(convening)
