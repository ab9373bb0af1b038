"""What the public page of a brief says about its convening: counts and mixes as aggregates only.

No person is ever named or shown individually here. The mixes list every category in a fixed
order and are suppressed by the one rule of convene.base.suppression (zeros and small cells
hidden, complementary cells too, every hidden cell reading "not shown"), because the
participant count beside them is public.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..actions import services as actions
from ..base.suppression import HIDDEN_TEXT, SMALL_CELL, hidden_rows
from ..diversity.classification import classification_info
from ..extensions import db
from ..invitations.models import Invitation
from ..people.models import Person, Sector
from .review import PARTICIPANT_STATUSES

SMALL = SMALL_CELL
FEWER = "fewer than 5"


@dataclass
class ConveningFacts:
    participants: int | str = 0
    north_south: list[tuple[str, int | str]] = field(default_factory=list)
    sectors: list[tuple[str, int | str]] = field(default_factory=list)


def suppress(counts: dict[str, int], categories: list[str]) -> list[tuple[str, int | str]]:
    """Every category in the given order (then any other with people), its count or "not shown"."""
    names = categories + sorted(k for k, n in counts.items() if n > 0 and k not in categories)
    column = [counts.get(name, 0) for name in names]
    hidden = hidden_rows([column])
    return [(name, HIDDEN_TEXT if i in hidden else n) for i, (name, n) in enumerate(zip(names, column))]


def _diversity_classifier():
    """The diversity area's country → north/south function (its configured basis and overrides)."""
    return classification_info().classifier.north_south


_NORTH_SOUTH_LABELS = {"north": "Global North", "south": "Global South"}
#: The rows of the public North/South mix, always all of them and in this order.
NORTH_SOUTH_ROWS = ["Global North", "Global South", "Not classified", "Not stated"]


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
            fact.north_south = suppress(dict(regions), NORTH_SOUTH_ROWS)
            fact.sectors = suppress(dict(sectors), [*sector_labels.values(), "Not stated"])
    return facts


def public_next_steps(convening) -> list:
    """The convening's public next steps (the actions area decides which are public)."""
    return actions.public_next_steps(convening)
