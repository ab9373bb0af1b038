"""Balance targets: the effective targets, their figures and wording, adding and removing them."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa

from ..audit.services import record
from ..errors import DomainError
from ..extensions import db
from .categories import category_label, target_categories
from .counting import Tally
from .models import Dimension, DiversityTarget, Stage, TargetKind
from .suppression import HIDDEN_TEXT, Cell, shown_dimensions, stage_cells


class TargetError(DomainError):
    """A target that is out of range or contradicts another target; the message is for the user."""


#: Below this many people at a target's stage, whether it is met is not judged ("too few answers to
#: judge"): one or two acceptances make any share 0% or 100%.
MIN_TO_JUDGE = 5


def effective_targets(convening) -> list[DiversityTarget]:
    """The convening's own targets, plus its series' defaults for rules the convening does not set."""
    return effective_targets_for([convening])[convening.id]


def effective_targets_for(convenings) -> dict[int, list[DiversityTarget]]:
    """effective_targets of several convenings, in one query."""
    ids = [c.id for c in convenings]
    series_ids = {c.series_id for c in convenings if c.series_id is not None}
    rows = db.session.scalars(sa.select(DiversityTarget).where(sa.or_(
        DiversityTarget.convening_id.in_(ids), DiversityTarget.series_id.in_(series_ids)))
        .order_by(DiversityTarget.id)).all() if ids else []
    out = {}
    for convening in convenings:
        own = [t for t in rows if t.convening_id == convening.id]
        keys = {t.key for t in own}
        out[convening.id] = own + [t for t in rows if t.series_id is not None and t.series_id == convening.series_id
                                   and t.key not in keys]
    return out


def metric(target, counter: Counter, total: int) -> float | None:
    """The figure a target is about: a share in percent, or a number of categories."""
    if target.kind == TargetKind.MIN_CATEGORIES.value:
        return float(sum(1 for v, _ in target_categories(target.dimension) if counter.get(v, 0) > 0))
    if not total:
        return None
    if target.kind == TargetKind.MAX_ANY.value:
        return max((100.0 * counter.get(v, 0) / total for v, _ in target_categories(target.dimension)), default=0.0)
    return 100.0 * counter.get(target.category, 0) / total


def is_met(target, value: float | None) -> bool | None:
    """True/False, or None when nobody is at the stage yet."""
    if value is None:
        return None
    if target.kind in (TargetKind.MIN_SHARE.value, TargetKind.MIN_CATEGORIES.value):
        return value >= target.value
    return value <= target.value


def dimension_noun(dimension: str, plural: bool = False) -> str:
    nouns = {"north_south": ("Global North/South group", "Global North/South groups"),
             "region": ("UN region", "UN regions"), "sector": ("sector", "sectors"),
             "gender": ("gender", "genders"), "org_type": ("organization type", "organization types")}
    return nouns[dimension][1 if plural else 0]


def describe(target) -> str:
    """A target in words, e.g. "At least 50% of accepted participants: Global South"."""
    stage = Stage(target.stage).label.lower()
    if target.kind == TargetKind.MIN_CATEGORIES.value:
        return f"At least {target.value} {dimension_noun(target.dimension, True)} represented ({stage})"
    if target.kind == TargetKind.MAX_ANY.value:
        return f"No {dimension_noun(target.dimension)} above {target.value}% ({stage})"
    word = "At least" if target.kind == TargetKind.MIN_SHARE.value else "At most"
    return f"{word} {target.value}% {category_label(target.dimension, target.category)} ({stage})"


def goal_text(target) -> str:
    """The short goal used in change sentences: "target ≥ 50%"."""
    if target.kind == TargetKind.MIN_CATEGORIES.value:
        return f"target ≥ {target.value}"
    if target.kind == TargetKind.MAX_ANY.value:
        return f"target: no {dimension_noun(target.dimension)} above {target.value}%"
    sign = "≥" if target.kind == TargetKind.MIN_SHARE.value else "≤"
    return f"target {sign} {target.value}%"


def metric_name(target) -> str:
    """What the metric measures: "Global South share", "Largest sector share", "UN regions represented"."""
    if target.kind == TargetKind.MIN_CATEGORIES.value:
        noun = dimension_noun(target.dimension, True)
        return f"{noun[0].upper()}{noun[1:]} represented"
    if target.kind == TargetKind.MAX_ANY.value:
        return f"Largest {dimension_noun(target.dimension)} share"
    return f"{category_label(target.dimension, target.category)} share"


def format_metric(target, value: float | None) -> str:
    if value is None:
        return "no one yet"
    return f"{value:.0f}" if target.kind == TargetKind.MIN_CATEGORIES.value else f"{value:.0f}%"


@dataclass
class TargetResult:
    target: DiversityTarget
    description: str
    value: float | None
    met: bool | None
    suppressed: bool = False
    #: Fewer than MIN_TO_JUDGE people at the stage: the figure is shown, met/missed is not judged.
    too_few: bool = False
    #: The figure is short of the target, judged or not (what-if suggestions help either way).
    behind: bool = False

    @property
    def value_text(self) -> str:
        if self.suppressed:
            return f"{HIDDEN_TEXT} (small numbers)"
        return format_metric(self.target, self.value)

    @property
    def verdict(self) -> str:
        """'met', 'missed', 'too_few', 'not_measurable' or 'hidden'."""
        if self.suppressed:
            return "hidden"
        if self.too_few:
            return "too_few"
        return {True: "met", False: "missed", None: "not_measurable"}[self.met]

    @property
    def status_text(self) -> str:
        return {"hidden": HIDDEN_TEXT.capitalize(), "too_few": "Too few answers to judge", "met": "Met",
                "missed": "Missed", "not_measurable": "Not yet measurable"}[self.verdict]


def evaluate(targets: list[DiversityTarget], tally: Tally, suppress: bool = False) -> list[TargetResult]:
    """Each target with its current figure and whether it is met.

    Under suppression a figure that rests on a hidden cell is not shown, nor whether it is met:
    a share or a met/missed would give the hidden count away. Share targets rest on their own
    category; "no category above" and "categories represented" rest on every category.
    """
    tables: dict[str, dict[str, list[Cell]]] = {}
    results = []
    for target in targets:
        counter, total = tally.counts[target.stage][target.dimension], tally.totals[target.stage]
        value = metric(target, counter, total)
        hidden = False
        if suppress and target.dimension not in {d.value for d in shown_dimensions(True)}:
            hidden = True  # a dimension suppressed tables do not show at all
        elif suppress:
            if target.dimension not in tables:
                tables[target.dimension] = stage_cells(tally, target.dimension, suppress=True)
            column = tables[target.dimension][target.stage]
            if target.kind in (TargetKind.MIN_SHARE.value, TargetKind.MAX_SHARE.value):
                hidden = any(c.suppressed for c in column if c.category == target.category)
            else:
                hidden = any(c.suppressed for c in column)
        if hidden:
            results.append(TargetResult(target, describe(target), None, None, True))
        else:
            too_few = 0 < total < MIN_TO_JUDGE
            met = is_met(target, value)
            results.append(TargetResult(target, describe(target), value, None if too_few else met,
                                        too_few=too_few, behind=met is False))
    return results


def _owner_targets(convening=None, series=None) -> list[DiversityTarget]:
    if convening is not None:
        return effective_targets(convening)
    return list(db.session.scalars(sa.select(DiversityTarget).where(DiversityTarget.series_id == series.id)))


def check_target(data: dict, existing: list[DiversityTarget]) -> None:
    """Raise TargetError when a new target is out of range or contradicts the others at its stage."""
    kind, dimension, value = data["kind"], data["dimension"], int(data["value"])
    category = data.get("category") or ""
    known = target_categories(dimension)
    if kind == TargetKind.MIN_CATEGORIES.value:
        if not 1 <= value <= len(known):
            raise TargetError(f"There are {len(known)} {dimension_noun(dimension, True)}; choose a number "
                              f"from 1 to {len(known)}.")
    elif not 0 <= value <= 100:
        raise TargetError("A share must be a percentage from 0 to 100.")
    if kind in (TargetKind.MIN_SHARE.value, TargetKind.MAX_SHARE.value) and category not in dict(known):
        raise TargetError(f"Choose one of the {dimension_noun(dimension, True)} for this target.")
    new_key = (dimension, kind, category if kind in ("min_share", "max_share") else "", data["stage"])
    same = [t for t in existing if t.dimension == dimension and t.stage == data["stage"] and t.key != new_key]
    probe = DiversityTarget(dimension=dimension, kind=kind, category=new_key[2], value=value, stage=data["stage"])
    rules = same + [probe]
    _check_min_max(rules)
    mins = [t for t in rules if t.kind == TargetKind.MIN_SHARE.value]
    if sum(t.value for t in mins) > 100:
        parts = " + ".join(f"{t.value}% {category_label(dimension, t.category)}" for t in mins)
        raise TargetError(f"The \"at least\" targets for {Dimension(dimension).label} add up to more than "
                          f"100% ({parts}); no mix can meet them all.")
    for t in rules:
        if t.kind == TargetKind.MAX_ANY.value and t.value * len(known) < 100:
            raise TargetError(f"\"No {dimension_noun(dimension)} above {t.value}%\" cannot be met: there are only "
                              f"{len(known)} {dimension_noun(dimension, True)}, so one of them would hold at "
                              f"least {100 / len(known):.0f}%.")


def _check_min_max(rules: list[DiversityTarget]) -> None:
    """An "at least" above an "at most" for the same category (or for any category) is contradictory."""
    for low in (t for t in rules if t.kind == TargetKind.MIN_SHARE.value):
        for high in rules:
            caps = (high.kind == TargetKind.MAX_SHARE.value and high.category == low.category) or \
                high.kind == TargetKind.MAX_ANY.value
            if caps and low.value > high.value:
                raise TargetError(f"\"{describe(low)}\" contradicts \"{describe(high)}\": the minimum is above "
                                  "the maximum.")


def set_target(data: dict, *, actor, convening=None, series=None) -> DiversityTarget:
    """Add a target to a convening or a series (replacing its own target with the same rule)."""
    existing = _owner_targets(convening, series)
    check_target(data, existing)
    category = data.get("category") or "" if data["kind"] in ("min_share", "max_share") else ""
    key = (data["dimension"], data["kind"], category, data["stage"])
    owned = [t for t in existing if t.key == key and (
        t.convening_id == getattr(convening, "id", -1) or t.series_id == getattr(series, "id", -1))]
    if owned:
        target = owned[0]
        changes = {"value": [target.value, int(data["value"])]}
        target.value = int(data["value"])
        db.session.flush()
        record("diversity.target.update", target, actor=actor, changes=changes)
        return target
    target = DiversityTarget(convening_id=getattr(convening, "id", None), series_id=getattr(series, "id", None),
                             dimension=data["dimension"], kind=data["kind"], category=category,
                             value=int(data["value"]), stage=data["stage"],
                             created_by_id=getattr(actor, "id", None))
    db.session.add(target)
    db.session.flush()
    record("diversity.target.create", target, actor=actor, changes={"rule": describe(target)})
    return target


def remove_target(target: DiversityTarget, *, actor) -> None:
    record("diversity.target.delete", target, actor=actor, changes={"rule": describe(target)})
    db.session.delete(target)
    db.session.flush()
