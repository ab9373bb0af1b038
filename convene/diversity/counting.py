"""Counting the balance: one SQL statement of GROUP BYs, mapped to categories afterwards.

Counts come from one SQL statement of GROUP BYs (one per attribute, by convening and status)
whatever the number of invitations or editions; mapping a country to its region or North/South
happens afterwards in Python, once per distinct code, over the grouped rows (never per person).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

import sqlalchemy as sa
from flask import current_app

from .. import caching
from ..auth.policy import sensitive_visible_people
from ..base import countries as geo
from ..extensions import db
from ..convenings.models import Convening
from ..invitations import rollup
from ..invitations.models import GuestListChanges, Invitation
from ..people.models import Organization, Person
from .categories import NOT_CLASSIFIED, STAGE_STATUSES, STAGES, UNKNOWN, categories
from .models import Dimension


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


def sensitive_raws() -> frozenset[str]:
    """The attributes that are sensitive personal data: gender, and the country when it is the nationality."""
    if current_app.config.get("DIVERSITY_COUNTRY_FIELD", "country") == "nationality":
        return frozenset({"gender", "country"})
    return frozenset({"gender"})


@dataclass(frozen=True)
class Mask:
    """Who exact counts are for: the sensitive attributes of people whose individual values that viewer
    may not see (auth.policy.sensitive_visible_people) count as unknown. Without it (suppressed tables
    for staff and the public, admins) everyone counts as they are."""

    seen: sa.Subquery
    raws: frozenset[str]


def mask_for(viewer) -> Mask | None:
    """The mask for exact counts shown to `viewer`: None for admins, who may see every value."""
    visible = sensitive_visible_people(viewer)
    return None if visible is None else Mask(visible.subquery("seen"), sensitive_raws())


def _raw_column(raw: str, mask: Mask | None = None):
    column = {"country": country_column(), "sector": Person.sector, "gender": Person.gender,
              "org_type": Organization.sector}[raw]
    if mask is not None and raw in mask.raws:
        # No bind parameter inside: PostgreSQL matches GROUPING(...) to the grouping set by its text.
        column = sa.case((mask.seen.c.person_id.is_not(None), column), else_=sa.null())
    return column


def _grouped_select(rolled, statuses, *columns, with_organization: bool = True, mask: Mask | None = None):
    """Grouped rows over `rollup.person_rows`: one row per person per convening (a conference with its
    dialogues folded in), with the status furthest along; see convene/invitations/rollup.py."""
    query = sa.select(*columns).select_from(rolled).join(Person, Person.id == rolled.c.person_id)
    if mask is not None:
        query = query.outerjoin(mask.seen, mask.seen.c.person_id == rolled.c.person_id)
    if statuses is not None:
        query = query.where(rolled.c.status.in_(sorted(statuses)))
    if with_organization:
        query = query.outerjoin(Organization, Organization.id == Person.organization_id)
    return query


def _aggregate_query(convening_ids: Iterable[int], raws: tuple[str, ...] = RAW_DIMENSIONS,
                     statuses: frozenset[str] | None = None, mask: Mask | None = None):
    """One statement of small GROUP BYs: rows (raw dimension, convening, status, value, n).

    Each attribute is grouped on its own (convening, status, value), so the result has at most
    editions × statuses × distinct values rows per attribute (a few thousand for 60 editions),
    not one row per combination of attributes. PostgreSQL does it in one scan with GROUPING
    SETS; other databases get a UNION ALL of the four GROUP BYs.
    """
    rolled = rollup.person_rows(convening_ids)
    key = (rolled.c.convening_id, rolled.c.status)
    mask_raws = mask.raws if mask is not None else frozenset()
    if _grouping_sets(raws):
        raw_columns = [_raw_column(raw, mask) for raw in raws]
        columns = [c.label(f"v_{raw}") for raw, c in zip(raws, raw_columns)]
        return _grouped_select(rolled, statuses, *key, *columns, *[sa.func.grouping(c) for c in raw_columns],
                               sa.func.count(rolled.c.person_id), mask=mask).group_by(
            sa.func.grouping_sets(*[sa.tuple_(*key, c) for c in raw_columns]))
    branches = [_grouped_select(rolled, statuses, sa.literal(raw).label("raw"), *key,
                                _raw_column(raw, mask).label("value"), sa.func.count(rolled.c.person_id),
                                with_organization=raw == "org_type", mask=mask if raw in mask_raws else None)
                .group_by(*key, _raw_column(raw, mask)) for raw in raws]
    return branches[0] if len(branches) == 1 else sa.union_all(*branches)


def _grouping_sets(raws: tuple[str, ...]) -> bool:
    return len(raws) > 1 and db.session.get_bind().dialect.name == "postgresql"


def _grouped_rows(ids: list[int], raws: tuple[str, ...], statuses: frozenset[str] | None, mask: Mask | None):
    """(raw dimension, convening id, status, value, n) for every group, whatever the backend."""
    result = db.session.execute(_aggregate_query(ids, raws, statuses, mask))
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


def dimensions_of(raws) -> set[str]:
    """The dimensions computed from these attributes (the country feeds North/South and region)."""
    return {d.value for d in Dimension if raw_dimension(d.value) in raws}


def raw_dimension(dimension: str) -> str:
    """The attribute a dimension is computed from: North/South and region both come from the country."""
    return "country" if dimension in (Dimension.NORTH_SOUTH.value, Dimension.REGION.value) else dimension


def tallies(convening_ids: Iterable[int], classifier: geo.Classifier, *, dimensions: Iterable[str] | None = None,
            stage: str | None = None, mask: Mask | None = None, kept: bool = False) -> dict[int, Tally]:
    """Counts per convening, stage, dimension and category, from a single SQL statement of GROUP BYs.

    Mapping a value to its category (a country to North/South and region) happens once per
    distinct value over the grouped rows, so overrides and the configured basis apply as before.
    A page that shows only some dimensions or one stage may ask for just those: their figures
    are the same as in a full tally, and the other dimensions and stages stay empty.
    Exact counts shown to someone who is not an admin take `mask=mask_for(viewer)`.
    With `kept` (unmasked counts of many editions: the series trend), each convening's folded counts
    and grouped rows are kept under its change stamp (`kept_tallies`, `kept_rows`) and only the
    changed ones are counted again.
    """
    ids = list(convening_ids)
    result = {cid: Tally.empty() for cid in ids}
    if not ids:
        return result
    wanted = {raw_dimension(d) for d in dimensions} if dimensions is not None else set(RAW_DIMENSIONS)
    raws = tuple(raw for raw in RAW_DIMENSIONS if raw in wanted)
    statuses = STAGE_STATUSES[stage] if stage is not None else None
    if kept and mask is None:
        return kept_tallies(ids, raws, statuses, classifier, stage)
    _fold(result, _grouped_rows(ids, raws, statuses, mask), raws, classifier, stage)
    return result


def kept_tallies(ids: list[int], raws: tuple[str, ...], statuses: frozenset[str] | None,
                 classifier: geo.Classifier, stage: str | None) -> dict[int, Tally]:
    """Each convening's folded counts, kept in the shared store under its change stamp and how they
    were counted (dimensions, stages, the North/South basis and overrides): a repeat reads them back
    instead of folding every grouped row again (22,000 rows for 60 editions of 1,000 invitees)."""
    stamps = change_stamps(ids)
    store = caching.store()
    how = (raws, sorted(statuses or ()), stage, current_app.config.get("DIVERSITY_COUNTRY_FIELD", "country"),
           classifier.basis, classifier.transition, sorted(classifier.overrides.items()))
    keys = {cid: caching.content_tag("balance-tally", cid, stamps.get(cid), *how) for cid in ids}
    result: dict[int, Tally] = {}
    for cid, key in keys.items():
        data = store.get(key)
        if data is not None:
            kept = json.loads(data)
            result[cid] = Tally({at: {d: Counter(c) for d, c in dims.items()} for at, dims in kept["counts"].items()},
                                Counter(kept["totals"]), kept["invalid_codes"])
    missing = [cid for cid in ids if cid not in result]
    if missing:
        fresh = {cid: Tally.empty() for cid in missing}
        _fold(fresh, kept_rows(missing, raws, statuses, stamps=stamps), raws, classifier, stage)
        for cid, tally in fresh.items():
            store.set(keys[cid], json.dumps({"counts": tally.counts, "totals": tally.totals,
                                             "invalid_codes": tally.invalid_codes}).encode())
        result.update(fresh)
    return result


def _fold(result: dict[int, Tally], rows, raws: tuple[str, ...], classifier: geo.Classifier,
          stage: str | None) -> None:
    """Add grouped rows (raw dimension, convening id, status, value, n) into the tallies."""
    # Totals are counted on the first branch: every invitation is in exactly one of its groups.
    total_raw = raws[0]
    memo: dict[tuple[str, str | None], tuple[tuple[str, str], ...]] = {}
    for raw, cid, status, value, n in rows:
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


def change_stamps(convening_ids: list[int]) -> dict[int, tuple]:
    """Per convening, a stamp that moves whenever its grouped rows may change (one query).

    The counts depend on each invitation's person and status (and on the people, below). Per
    convening and each of its dialogues (a dialogue counts for its conference): its guest list's
    change counter (invitations.models.GuestListChanges, moved by every flush that adds, changes or
    removes one of its invitations) and its creation time (a convening made again under a freed
    id starts another count). One row per edition, whatever the size of its guest list.
    The directory's newest `updated_at` (one probe of ix_people_updated_at) joins every stamp:
    a person's edit anywhere (an organization's sector change touches its people, see
    people.services.update_organization) and a new person count every edition again, once;
    people are never deleted.
    """
    ids = set(convening_ids)
    family = rollup.members(ids)
    rows = db.session.execute(
        sa.select(family.c.member, family.c.root, Convening.created_at, sa.func.coalesce(GuestListChanges.changes, 0),
                  sa.select(sa.func.max(Person.updated_at)).scalar_subquery())
        .join(Convening, Convening.id == family.c.member)
        .outerjoin(GuestListChanges, GuestListChanges.convening_id == family.c.member)).all()
    people = str(rows[0][4]) if rows else ""
    stamps: dict[int, list] = {cid: [] for cid in ids}
    for member, root, created, changes, _people in rows:
        stamps[root].append((member, str(created), changes))
    return {cid: (*sorted(parts), people) for cid, parts in stamps.items()}


def kept_rows(ids: list[int], raws: tuple[str, ...], statuses: frozenset[str] | None, *,
              stamps: dict[int, tuple] | None = None):
    """The grouped rows of these convenings, each convening's kept in the shared store under its stamp."""
    stamps = change_stamps(ids) if stamps is None else stamps
    store = caching.store()
    field = current_app.config.get("DIVERSITY_COUNTRY_FIELD", "country")
    keys = {cid: caching.content_tag("balance-rows", cid, stamps.get(cid), raws, sorted(statuses or ()), field)
            for cid in ids}
    found: dict[int, list] = {}
    for cid, key in keys.items():
        data = store.get(key)
        if data is not None:
            found[cid] = json.loads(data)
    missing = [cid for cid in ids if cid not in found]
    if missing:
        fresh: dict[int, list] = {cid: [] for cid in missing}
        for raw, cid, status, value, n in _grouped_rows(missing, raws, statuses, None):
            fresh[cid].append([raw, status, value, n])
        for cid, rows in fresh.items():
            store.set(keys[cid], json.dumps(rows).encode())
        found.update(fresh)
    for cid in ids:
        for raw, status, value, n in found[cid]:
            yield raw, cid, status, value, n


def person_categories(person: Person, classifier: geo.Classifier, *, sees_sensitive: bool) -> dict[str, str]:
    """The categories one person falls in (organizers' what-if only; never shown to staff).

    Without `sees_sensitive` (auth.policy.sensitive_visible_ids for the viewer) the sensitive attributes
    read as unknown, as they count in the viewer's masked tally.
    """
    hidden = set() if sees_sensitive else sensitive_raws()
    code = person.nationality if current_app.config.get("DIVERSITY_COUNTRY_FIELD") == "nationality" \
        else person.country
    org_sector = person.organization.sector if person.organization is not None else None
    cats = _categorise("country", None if "country" in hidden else code, classifier)
    cats.update(_categorise("sector", person.sector, classifier))
    cats.update(_categorise("gender", None if "gender" in hidden else person.gender, classifier))
    cats.update(_categorise("org_type", org_sector, classifier))
    return cats
