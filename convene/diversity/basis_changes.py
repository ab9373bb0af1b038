"""What changing the basis would do: the countries, and the invited people, that move between
Global North and South (shown on the admin classification page before anyone edits the config)."""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from ..base import countries as geo
from ..extensions import db
from ..invitations.models import Invitation
from ..people.models import Person
from .counting import country_column

#: People listed by name on the page; the total is always given.
PEOPLE_SHOWN = 200


@dataclass
class BasisComparison:
    basis: str
    label: str
    #: (code, side now, side under the other basis), by country name.
    countries: list[tuple[str, str, str]] = field(default_factory=list)
    #: (name, code, side now, side under the other basis), at most PEOPLE_SHOWN, by name.
    people: list[tuple[str, str, str, str]] = field(default_factory=list)
    people_total: int = 0


def compare_bases(classifier: geo.Classifier, other_basis: str) -> BasisComparison:
    """Countries and people on any guest list whose North/South differs under `other_basis`
    (same overrides and transition choice); two queries whatever the number of people."""
    other = geo.Classifier(other_basis, classifier.transition, classifier.overrides)
    comparison = BasisComparison(other.basis, geo.BASES[other.basis], geo.moves(classifier, other))
    sides = {code: (now, then) for code, now, then in comparison.countries}
    if not sides:
        return comparison
    column = country_column()
    invited = (sa.select(Person.name, column).where(
        sa.func.upper(column).in_(list(sides)), Person.erased_at.is_(None),
        Person.id.in_(sa.select(Invitation.person_id))))
    comparison.people_total = db.session.scalar(sa.select(sa.func.count()).select_from(invited.subquery()))
    for name, code in db.session.execute(invited.order_by(Person.name, Person.id).limit(PEOPLE_SHOWN)):
        comparison.people.append((name, code.upper(), *sides[code.upper()]))
    return comparison
