"""What if: how one more acceptance, or every pending one, would move the mix; who would meet a target."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..auth.policy import sensitive_visible_ids
from ..base import countries as geo
from ..extensions import db
from ..invitations.models import Invitation
from ..people.models import Person
from .categories import PENDING_STATUSES, STAGE_STATUSES
from .classification import classification_info
from .counting import Tally, mask_for, person_categories, tallies
from .models import TargetKind
from .targets import TargetResult, effective_targets, format_metric, goal_text, is_met, metric, metric_name


def _with_person(counter: Counter, dimension: str, cats: dict[str, str]) -> Counter:
    after = Counter(counter)
    after[cats[dimension]] += 1
    return after


def change_for(target, tally: Tally, cats: dict[str, str]) -> tuple[float | None, float | None]:
    """The target's figure now, and if this person joined the target's stage."""
    counter, total = tally.counts[target.stage][target.dimension], tally.totals[target.stage]
    return (metric(target, counter, total),
            metric(target, _with_person(counter, target.dimension, cats), total + 1))


def moves_toward(target, before: float | None, after: float | None) -> bool:
    if after is None:
        return False
    if before is None:
        return bool(is_met(target, after))
    if target.kind in (TargetKind.MIN_SHARE.value, TargetKind.MIN_CATEGORIES.value):
        return after > before
    return after < before


def _south_line(tally: Tally, cats: dict[str, str]) -> str:
    counter, total = tally.counts["accepted"]["north_south"], tally.totals["accepted"]
    before = 100.0 * counter.get("south", 0) / total if total else None
    after = 100.0 * (counter.get("south", 0) + (cats["north_south"] == "south")) / (total + 1)
    shown = "no one yet" if before is None else f"{before:.0f}%"
    return f"Global South share of accepted: {shown} → {after:.0f}%"


def _categories_seen_by(viewer, invitations: list[Invitation], classifier: geo.Classifier):
    """(invitation, the person's categories as `viewer` may know them) for each invitation, one query.

    A what-if names how one person would move the mix, so it shows that person's categories: the
    sensitive ones only where the viewer may see them individually (auth.policy.sees_sensitive_fields),
    like the masked tally it is compared with.
    """
    seen = sensitive_visible_ids(viewer, [inv.person_id for inv in invitations])
    out, memo = [], {}  # people with the same attributes fall in the same categories: worked out once
    for inv in invitations:
        person = inv.person
        key = (person.country, person.nationality, person.sector, person.gender,
               person.organization.sector if person.organization is not None else None, inv.person_id in seen)
        if key not in memo:
            memo[key] = person_categories(person, classifier, sees_sensitive=key[-1])
        out.append((inv, memo[key]))
    return out


def balance_change_if_accepted(convening, invitation, viewer) -> list[str]:
    """Short sentences on how the accepted mix would change if this invitee accepted.

    Callers show it only to the convening's organizers and admins (auth.policy.manages); what it
    reveals of the person is limited to what `viewer` may see. Empty when the invitee is already
    counted as accepted.
    """
    if invitation.status in STAGE_STATUSES["accepted"]:
        return []
    info = classification_info()
    tally = tallies([convening.id], info.classifier, mask=mask_for(viewer))[convening.id]
    cats = _categories_seen_by(viewer, [invitation], info.classifier)[0][1]
    targets = [t for t in effective_targets(convening) if t.stage == "accepted"]
    if not targets:
        return [_south_line(tally, cats)]
    lines = []
    for target in targets:
        before, after = change_for(target, tally, cats)
        lines.append(f"{metric_name(target)} of accepted: {format_metric(target, before)} → "
                     f"{format_metric(target, after)} ({goal_text(target)})")
    return lines


@dataclass
class Suggestion:
    invitation: Invitation
    kind: str  # "pending invitee" or "reserve"
    before: str
    after: str
    gain: float


@dataclass
class TargetSuggestions:
    result: TargetResult
    suggestions: list[Suggestion]


def candidates(convening) -> list[Invitation]:
    """Pending invitees and uncalled reserves, with person and organization loaded (one query)."""
    return list(db.session.scalars(
        sa.select(Invitation).where(Invitation.convening_id == convening.id)
        .where(sa.or_(Invitation.status.in_(PENDING_STATUSES),
                      sa.and_(Invitation.priority == "reserve", Invitation.status == "planned")))
        .options(joinedload(Invitation.person).joinedload(Person.organization))
        .order_by(Invitation.reserve_rank.is_(None), Invitation.reserve_rank, Invitation.id)).unique())


def suggestions(convening, results: list[TargetResult], tally: Tally, classifier: geo.Classifier, viewer,
                limit: int = 5, pool: list[Invitation] | None = None) -> list[TargetSuggestions]:
    """For each missed accepted-stage target, the candidates whose acceptance moves the mix toward it
    (as far as `viewer` may know their categories; `tally` is masked for the same viewer)."""
    missed = [r for r in results if r.behind and r.target.stage == "accepted"]
    if not missed:
        return []
    people = _categories_seen_by(viewer, candidates(convening) if pool is None else pool, classifier)
    out = []
    for result in missed:
        found = []
        for invitation, cats in people:
            before, after = change_for(result.target, tally, cats)
            if moves_toward(result.target, before, after):
                kind = "pending invitee" if invitation.status in PENDING_STATUSES else "reserve"
                gain = abs((after or 0) - (before or 0))
                found.append(Suggestion(invitation, kind, format_metric(result.target, before),
                                        format_metric(result.target, after), gain))
        found.sort(key=lambda s: (-s.gain, s.kind != "pending invitee", s.invitation.id))
        out.append(TargetSuggestions(result, found[:limit]))
    return out


def if_all_pending_accept(convening, tally: Tally, classifier: geo.Classifier, results: list[TargetResult],
                          viewer, pool: list[Invitation] | None = None) -> list[tuple[TargetResult, str]]:
    """Each accepted-stage target's figure if every pending invitee accepted (reserves not included)."""
    pending = [inv for inv in (candidates(convening) if pool is None else pool) if inv.status in PENDING_STATUSES]
    people = _categories_seen_by(viewer, pending, classifier)
    out = []
    for result in results:
        if result.target.stage != "accepted":
            continue
        target = result.target
        counter = Counter(tally.counts["accepted"][target.dimension])
        for _, cats in people:
            counter[cats[target.dimension]] += 1
        value = metric(target, counter, tally.totals["accepted"] + len(pending))
        out.append((result, format_metric(target, value)))
    return out
