"""Balance figures: classification in use, SQL aggregates per stage, targets, suggestions, overrides.

Counts come from one SQL statement of GROUP BYs (one per attribute, by convening and status)
whatever the number of invitations or editions; mapping a country to its region or North/South
happens afterwards in Python, once per distinct code, over the grouped rows (never per person).
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from ..audit.services import record
from ..base import countries as geo
from ..errors import DomainError
from ..extensions import db
from ..invitations.models import Invitation
from ..people.models import Gender, Organization, Person, Sector
from .models import ClassificationOverride, Dimension, DiversityTarget, NorthSouth, Stage, TargetKind

log = logging.getLogger(__name__)

#: Invitation statuses counted at each stage. Withdrawn invitations count nowhere; a no-show had accepted.
STAGE_STATUSES: dict[str, frozenset[str]] = {
    "invited": frozenset({"planned", "invited", "accepted", "tentative", "declined", "attended", "no_show"}),
    "accepted": frozenset({"accepted", "attended", "no_show"}),
    "attended": frozenset({"attended"}),
}
STAGES = tuple(s.value for s in Stage)
#: Statuses of invitees whose answer is still open.
PENDING_STATUSES = frozenset({"invited", "tentative"})
#: Below this many people a count is shown as "fewer than 5" wherever suppression applies.
SMALL_CELL = 5
UNKNOWN = "unknown"
NOT_CLASSIFIED = "not_classified"


class TargetError(DomainError):
    """A target that is out of range or contradicts another target; the message is for the user."""


class OverrideError(DomainError):
    """A classification override that cannot be saved; the message is for the user."""


# --- Categories ---------------------------------------------------------------------------------

def categories(dimension: str) -> list[tuple[str, str]]:
    """(value, label) of every category of a dimension, "unknown" last (it is never dropped)."""
    if dimension == Dimension.NORTH_SOUTH.value:
        known = [(m.value, m.label) for m in NorthSouth] + [(NOT_CLASSIFIED, "Not classified")]
    elif dimension == Dimension.REGION.value:
        known = [(r, r) for r in geo.REGIONS] + [(NOT_CLASSIFIED, "No UN region")]
    elif dimension == Dimension.GENDER.value:
        known = [(g.value, g.label) for g in Gender]
    else:
        known = [(s.value, s.label) for s in Sector]
    return [*known, (UNKNOWN, "Unknown")]


def target_categories(dimension: str) -> list[tuple[str, str]]:
    """Categories a target may name: the real ones, not "unknown" or "not classified"."""
    return [(v, label) for v, label in categories(dimension) if v not in (UNKNOWN, NOT_CLASSIFIED)]


def category_label(dimension: str, value: str) -> str:
    return dict(categories(dimension)).get(value, value)


# --- Classification in use ----------------------------------------------------------------------

@dataclass
class ClassificationInfo:
    """What the figures were computed with, shown on every dashboard."""

    classifier: geo.Classifier
    basis_label: str
    overrides: list[tuple[str, str, str]]  # (code, "north"/"south", "configuration" | "administrator")
    warnings: list[str] = field(default_factory=list)


def _config_overrides(warnings: list[str]) -> dict[str, str]:
    """CLASSIFICATION_OVERRIDES from config; invalid entries are skipped with a warning, never a crash."""
    raw = current_app.config.get("CLASSIFICATION_OVERRIDES") or {}
    valid: dict[str, str] = {}
    if not isinstance(raw, dict):
        warnings.append("CLASSIFICATION_OVERRIDES is not a mapping of country codes; it was ignored.")
        return valid
    for code, value in raw.items():
        code_s, value_s = str(code).upper(), str(value).lower()
        if not geo.is_country(code_s) or value_s not in geo.NORTH_SOUTH:
            warnings.append(f"Configuration override {code!r}: {value!r} was ignored (use an ISO code and "
                            "\"north\" or \"south\").")
            continue
        valid[code_s] = value_s
    return valid


def classification_info() -> ClassificationInfo:
    """The basis from config plus config and administrator overrides (administrator ones win)."""
    warnings: list[str] = []
    basis = str(current_app.config.get("CLASSIFICATION_BASIS", "unctad")).lower()
    if basis not in geo.BASES:
        warnings.append(f"CLASSIFICATION_BASIS {basis!r} is not known; the UNCTAD basis is used.")
        basis = "unctad"
    transition = str(current_app.config.get("CLASSIFICATION_TRANSITION", geo.DEFAULT_TRANSITION)).lower()
    if transition not in geo.NORTH_SOUTH:
        warnings.append(f"CLASSIFICATION_TRANSITION {transition!r} is not \"north\" or \"south\"; "
                        "\"south\" is used.")
        transition = geo.DEFAULT_TRANSITION
    sources = {code: (value, "configuration") for code, value in _config_overrides(warnings).items()}
    for row in db.session.scalars(sa.select(ClassificationOverride)):
        sources[row.country] = (row.classification, "administrator")
    overrides = sorted((code, value, source) for code, (value, source) in sources.items())
    classifier = geo.Classifier(basis, transition, {code: value for code, value, _ in overrides})
    label = geo.BASES[basis]
    if basis == "unctad":
        label += f"; transition economies counted as Global {transition.capitalize()}"
    return ClassificationInfo(classifier, label, overrides, warnings)


# --- Aggregates ---------------------------------------------------------------------------------

@dataclass
class Tally:
    """Counts of one convening: tally.counts[stage][dimension][category] and totals per stage."""

    counts: dict[str, dict[str, Counter]]
    totals: Counter
    #: People at the invited stage whose country code is not in ISO 3166-1 (counted as unknown).
    invalid_codes: int = 0

    @classmethod
    def empty(cls) -> "Tally":
        return cls({s: {d.value: Counter() for d in Dimension} for s in STAGES}, Counter())


def country_column():
    """Person.country (affiliation) by default; DIVERSITY_COUNTRY_FIELD = "nationality" switches."""
    if current_app.config.get("DIVERSITY_COUNTRY_FIELD", "country") == "nationality":
        return Person.nationality
    return Person.country


#: The raw attribute behind each grouped branch; country feeds north_south and region.
RAW_DIMENSIONS = ("country", "sector", "gender", "org_type")


def _raw_column(raw: str):
    return {"country": country_column(), "sector": Person.sector, "gender": Person.gender,
            "org_type": Organization.sector}[raw]


def _grouped_select(ids: list[int], statuses, *columns, with_organization: bool = True):
    query = (sa.select(*columns).select_from(Invitation).join(Person, Person.id == Invitation.person_id)
             .where(Invitation.convening_id.in_(ids)))
    if statuses is not None:
        query = query.where(Invitation.status.in_(sorted(statuses)))
    if with_organization:
        query = query.outerjoin(Organization, Organization.id == Person.organization_id)
    return query


def _aggregate_query(convening_ids: Iterable[int], raws: tuple[str, ...] = RAW_DIMENSIONS,
                     statuses: frozenset[str] | None = None):
    """One statement of small GROUP BYs: rows (raw dimension, convening, status, value, n).

    Each attribute is grouped on its own (convening, status, value), so the result has at most
    editions × statuses × distinct values rows per attribute (a few thousand for 60 editions),
    not one row per combination of attributes. PostgreSQL does it in one scan with GROUPING
    SETS; other databases get a UNION ALL of the four GROUP BYs.
    """
    ids = list(convening_ids)
    key = (Invitation.convening_id, Invitation.status)
    if _grouping_sets(raws):
        columns = [_raw_column(raw).label(f"v_{raw}") for raw in raws]
        raw_columns = [_raw_column(raw) for raw in raws]
        return _grouped_select(ids, statuses, *key, *columns, *[sa.func.grouping(c) for c in raw_columns],
                               sa.func.count(Invitation.id)).group_by(
            sa.func.grouping_sets(*[sa.tuple_(*key, c) for c in raw_columns]))
    branches = [_grouped_select(ids, statuses, sa.literal(raw).label("raw"), *key, _raw_column(raw).label("value"),
                                sa.func.count(Invitation.id), with_organization=raw == "org_type")
                .group_by(*key, _raw_column(raw)) for raw in raws]
    return branches[0] if len(branches) == 1 else sa.union_all(*branches)


def _grouping_sets(raws: tuple[str, ...]) -> bool:
    return len(raws) > 1 and db.session.get_bind().dialect.name == "postgresql"


def _grouped_rows(ids: list[int], raws: tuple[str, ...], statuses: frozenset[str] | None):
    """(raw dimension, convening id, status, value, n) for every group, whatever the backend."""
    result = db.session.execute(_aggregate_query(ids, raws, statuses))
    if not _grouping_sets(raws):
        yield from result
        return
    width = len(raws)
    for row in result:
        cid, status, values, flags, n = row[0], row[1], row[2:2 + width], row[2 + width:2 + 2 * width], row[-1]
        raw_index = flags.index(0)  # GROUPING(col) is 0 for the attribute this row is grouped by
        yield raws[raw_index], cid, status, values[raw_index], n


def _categorise(raw: str, value: str | None, classifier: geo.Classifier) -> dict[str, str]:
    """Map one raw grouped value to its category in each dimension it feeds."""
    if raw == "country":
        if not geo.is_country(value):
            return {"north_south": UNKNOWN, "region": UNKNOWN}
        return {"north_south": classifier.north_south(value), "region": geo.region(value) or NOT_CLASSIFIED}
    valid = {v for v, _ in categories(raw)}
    return {raw: value if value in valid and value != UNKNOWN else UNKNOWN}


#: For each status, the stages it counts at (computed once).
_STATUS_STAGES: dict[str, tuple[str, ...]] = {}


def _stages_of(status: str) -> tuple[str, ...]:
    if status not in _STATUS_STAGES:
        _STATUS_STAGES[status] = tuple(stage for stage in STAGES if status in STAGE_STATUSES[stage])
    return _STATUS_STAGES[status]


def raw_dimension(dimension: str) -> str:
    """The attribute a dimension is computed from: North/South and region both come from the country."""
    return "country" if dimension in (Dimension.NORTH_SOUTH.value, Dimension.REGION.value) else dimension


def tallies(convening_ids: Iterable[int], classifier: geo.Classifier, *, dimensions: Iterable[str] | None = None,
            stage: str | None = None) -> dict[int, Tally]:
    """Counts per convening, stage, dimension and category, from a single SQL statement of GROUP BYs.

    Mapping a value to its category (a country to North/South and region) happens once per
    distinct value over the grouped rows, so overrides and the configured basis apply as before.
    A page that shows only some dimensions or one stage may ask for just those: their figures
    are the same as in a full tally, and the other dimensions and stages stay empty.
    """
    ids = list(convening_ids)
    result = {cid: Tally.empty() for cid in ids}
    if not ids:
        return result
    wanted = {raw_dimension(d) for d in dimensions} if dimensions is not None else set(RAW_DIMENSIONS)
    raws = tuple(raw for raw in RAW_DIMENSIONS if raw in wanted)
    # Totals are counted on the first branch: every invitation is in exactly one of its groups.
    total_raw = raws[0]
    statuses = STAGE_STATUSES[stage] if stage is not None else None
    memo: dict[tuple[str, str | None], tuple[tuple[str, str], ...]] = {}
    for raw, cid, status, value, n in _grouped_rows(ids, raws, statuses):
        stages = _stages_of(status) if stage is None else (stage,)
        if not stages:
            continue
        if (raw, value) not in memo:
            memo[raw, value] = tuple(_categorise(raw, value, classifier).items())
        tally = result[cid]
        for at in stages:
            counts = tally.counts[at]
            for dimension, category in memo[raw, value]:
                counts[dimension][category] += n
        if raw == total_raw:
            for at in stages:
                tally.totals[at] += n
        if raw == "country" and "invited" in stages and value and not geo.is_country(value):
            tally.invalid_codes += n
    return result


def person_categories(person: Person, classifier: geo.Classifier) -> dict[str, str]:
    """The categories one person falls in (organizers' what-if only; never shown to staff)."""
    code = person.nationality if current_app.config.get("DIVERSITY_COUNTRY_FIELD") == "nationality" \
        else person.country
    org_sector = person.organization.sector if person.organization is not None else None
    cats = _categorise("country", code, classifier)
    cats.update(_categorise("sector", person.sector, classifier))
    cats.update(_categorise("gender", person.gender, classifier))
    cats.update(_categorise("org_type", org_sector, classifier))
    return cats


# --- Tables with small-cell suppression ---------------------------------------------------------

@dataclass
class Cell:
    category: str
    label: str
    count: int
    share: float | None  # percent of the stage total, None when the total is 0 or the cell is suppressed
    suppressed: bool = False

    @property
    def count_text(self) -> str:
        return "fewer than 5" if self.suppressed else str(self.count)

    @property
    def share_text(self) -> str:
        if self.suppressed:
            return "—"
        return "—" if self.share is None else f"{self.share:.0f}%"


def cells(counter: Counter, total: int, dimension: str, suppress: bool) -> list[Cell]:
    """One cell per category (zeros and unknown included), suppressed where the rule applies."""
    rows = [Cell(value, label, counter.get(value, 0),
                 100.0 * counter.get(value, 0) / total if total else None)
            for value, label in categories(dimension)]
    if suppress:
        _suppress(rows)
    return rows


def _suppress(rows: list[Cell]) -> None:
    """Hide counts of 1–4; if only one cell is hidden, hide the next smallest too, so the total
    minus the shown cells cannot reveal it (secondary suppression)."""
    small = [c for c in rows if 0 < c.count < SMALL_CELL]
    for cell in small:
        cell.suppressed, cell.share = True, None
    if len(small) == 1:
        others = sorted((c for c in rows if c.count >= SMALL_CELL), key=lambda c: c.count)
        if others:
            others[0].suppressed, others[0].share = True, None


# --- Targets ------------------------------------------------------------------------------------

def effective_targets(convening) -> list[DiversityTarget]:
    """The convening's own targets, plus its series' defaults for rules the convening does not set."""
    conditions = [DiversityTarget.convening_id == convening.id]
    if convening.series_id is not None:
        conditions.append(DiversityTarget.series_id == convening.series_id)
    rows = db.session.scalars(sa.select(DiversityTarget).where(sa.or_(*conditions))
                              .order_by(DiversityTarget.id)).all()
    own = [t for t in rows if t.convening_id is not None]
    keys = {t.key for t in own}
    return own + [t for t in rows if t.series_id is not None and t.key not in keys]


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

    @property
    def value_text(self) -> str:
        if self.suppressed:
            return "fewer than 5 people"
        return format_metric(self.target, self.value)

    @property
    def status_text(self) -> str:
        return {True: "Met", False: "Missed", None: "Not yet measurable"}[self.met]


def evaluate(targets: list[DiversityTarget], tally: Tally, suppress: bool = False) -> list[TargetResult]:
    """Each target with its current figure and whether it is met."""
    results = []
    for target in targets:
        counter, total = tally.counts[target.stage][target.dimension], tally.totals[target.stage]
        value = metric(target, counter, total)
        hidden = suppress and target.kind in (TargetKind.MIN_SHARE.value, TargetKind.MAX_SHARE.value) \
            and 0 < counter.get(target.category, 0) < SMALL_CELL
        results.append(TargetResult(target, describe(target), value, is_met(target, value), hidden))
    return results


# --- What if: one more acceptance ---------------------------------------------------------------

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


def balance_change_if_accepted(convening, invitation) -> list[str]:
    """Short sentences on how the accepted mix would change if this invitee accepted.

    Shows individual categories implicitly: callers show it only to the convening's organizers
    and admins (auth.policy.manages). Empty when the invitee is already counted as accepted.
    """
    if invitation.status in STAGE_STATUSES["accepted"]:
        return []
    info = classification_info()
    tally = tallies([convening.id], info.classifier)[convening.id]
    cats = person_categories(invitation.person, info.classifier)
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


def suggestions(convening, results: list[TargetResult], tally: Tally, classifier: geo.Classifier,
                limit: int = 5, pool: list[Invitation] | None = None) -> list[TargetSuggestions]:
    """For each missed accepted-stage target, the candidates whose acceptance moves the mix toward it."""
    missed = [r for r in results if r.met is False and r.target.stage == "accepted"]
    if not missed:
        return []
    people = [(inv, person_categories(inv.person, classifier))
              for inv in (candidates(convening) if pool is None else pool)]
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
                          pool: list[Invitation] | None = None) -> list[tuple[TargetResult, str]]:
    """Each accepted-stage target's figure if every pending invitee accepted (reserves not included)."""
    pending = [inv for inv in (candidates(convening) if pool is None else pool) if inv.status in PENDING_STATUSES]
    out = []
    for result in results:
        if result.target.stage != "accepted":
            continue
        target = result.target
        counter = Counter(tally.counts["accepted"][target.dimension])
        for inv in pending:
            counter[person_categories(inv.person, classifier)[target.dimension]] += 1
        value = metric(target, counter, tally.totals["accepted"] + len(pending))
        out.append((result, format_metric(target, value)))
    return out


# --- Managing targets ---------------------------------------------------------------------------

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


# --- Overrides ----------------------------------------------------------------------------------

def set_override(country: str, classification: str, reason: str, *, actor) -> ClassificationOverride:
    """Set (or change) one country's Global North/South regardless of the basis; audited."""
    code = (country or "").upper()
    if not geo.is_country(code):
        raise OverrideError("Unknown country code; choose a country from the list.")
    if classification not in geo.NORTH_SOUTH:
        raise OverrideError("Choose Global North or Global South.")
    if not reason.strip():
        raise OverrideError("Say why this country is classified differently; the reason is kept in the audit log.")
    row = db.session.scalar(sa.select(ClassificationOverride).where(ClassificationOverride.country == code))
    before = row.classification if row else None
    if row is None:
        row = ClassificationOverride(country=code, classification=classification)
        db.session.add(row)
    row.classification, row.reason, row.set_by_id = classification, reason.strip(), getattr(actor, "id", None)
    db.session.flush()
    record("diversity.override.set", row, actor=actor,
           changes={"country": code, "classification": [before, classification], "reason": row.reason})
    return row


def remove_override(row: ClassificationOverride, *, actor) -> None:
    record("diversity.override.delete", row, actor=actor,
           changes={"country": row.country, "classification": [row.classification, None]})
    db.session.delete(row)
    db.session.flush()
