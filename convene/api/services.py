"""What the read API asks of the database: published briefs, public convenings and series.

Every list is a fixed number of queries whatever its length (count, page, one per relation).
A convening is public exactly when its public page is switched on (the agenda settings' switch),
so the API, the public page and the public agenda agree on what is visible.
"""
from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..base.paging import ResultPage as Page, load_page
from ..agenda import versions
from ..agenda.models import AgendaSettings
from ..briefs.facts import convening_facts
from ..briefs.models import Brief, BriefKind, BriefStatus, brief_convenings
from ..briefs.regions import is_region
from ..briefs.archive import ArchiveFilters, published_query, slug_is_valid
from ..convenings.models import Convening, Series
from ..errors import DomainError
from ..extensions import db
from .schemas import DEFAULT_PER_PAGE, MAX_PER_PAGE


class ApiError(DomainError):
    """A request the API answers with a 400 and a JSON body saying what to change."""

    status = 400


def _int_arg(args: Mapping[str, str], name: str, default: int | None, low: int, high: int) -> int | None:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ApiError(f"{name} must be a whole number from {low} to {high}; it was “{raw[:40]}”.")
    return int(raw)


def page_args(args: Mapping[str, str]) -> tuple[int, int]:
    """(page, per_page) from the query string; 400 for anything else than whole numbers in range."""
    return (_int_arg(args, "page", 1, 1, 100_000),
            _int_arg(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE))


def publication_filters(args: Mapping[str, str]) -> ArchiveFilters:
    """The archive's filters, from the query string; an unknown value is a 400 that names it."""
    filters = ArchiveFilters(q=(args.get("q") or "")[:1000])
    region = args.get("region") or ""
    if region and not is_region(region):
        raise ApiError(f"“{region[:60]}” is not a region we know; use a UN M49 region or sub-region name.")
    filters.region = region
    theme = args.get("theme") or ""
    if theme and not slug_is_valid(theme):
        raise ApiError("theme must be a theme's slug, such as “climate-security”.")
    filters.theme = theme
    kind = args.get("kind") or ""
    if kind and kind not in {k.value for k in BriefKind}:
        raise ApiError("kind must be one of " + ", ".join(k.value for k in BriefKind) + ".")
    filters.kind = kind
    filters.year = _int_arg(args, "year", None, 1900, 2200)
    return filters


def publications(filters: ArchiveFilters, page: int, per_page: int) -> Page:
    """Published briefs as the archive page lists them: same filters, same order."""
    query = published_query(filters, db.session.get_bind().dialect.name)
    return load_page(query, Brief.id, page, per_page, selectinload(Brief.themes), selectinload(Brief.regions),
                 selectinload(Brief.convenings).load_only(Convening.slug, Convening.title, Convening.starts_on,
                                                          Convening.ends_on),
                 selectinload(Brief.files))


def publication(slug: str) -> Brief | None:
    return db.session.scalar(
        sa.select(Brief).where(Brief.slug == slug[:200], Brief.status == BriefStatus.PUBLISHED.value)
        .options(selectinload(Brief.themes), selectinload(Brief.regions), selectinload(Brief.convenings),
                 selectinload(Brief.files)))


def public_among(convening_ids) -> set[int]:
    """Which of these convenings have their public page switched on (one query)."""
    ids = set(convening_ids)
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(AgendaSettings.convening_id).where(
        AgendaSettings.convening_id.in_(ids), AgendaSettings.public)))


def convening_ids_of(briefs) -> set[int]:
    return {c.id for brief in briefs for c in brief.convenings}


def _is_public():
    return Convening.id.in_(sa.select(AgendaSettings.convening_id).where(AgendaSettings.public))


def public_convenings(args: Mapping[str, str], page: int, per_page: int) -> Page:
    """Convenings whose public page is on, newest first; filters: series (slug) and year."""
    query = sa.select(Convening).where(_is_public()).order_by(Convening.starts_on.desc(), Convening.id.desc())
    series = args.get("series") or ""
    if series:
        if not slug_is_valid(series):
            raise ApiError("series must be a series' slug, such as “strategy-for-peace”.")
        query = query.join(Series, Series.id == Convening.series_id).where(Series.slug == series)
    year = _int_arg(args, "year", None, 1900, 2200)
    if year:
        query = query.where(sa.extract("year", Convening.starts_on) == year)
    return load_page(query, Convening.id, page, per_page)


def public_convening(slug: str) -> Convening | None:
    """The convening when its public page is on; None otherwise (absent and private look alike)."""
    return db.session.scalar(sa.select(Convening).where(Convening.slug == slug[:200], _is_public())
                             .options(selectinload(Convening.series), selectinload(Convening.dialogues)))


def convening_details(convening: Convening) -> dict[str, Any]:
    """Everything the public page and the API show beside the convening itself, in a fixed number of queries."""
    version = versions.latest(convening.id)
    sessions = []
    if version is not None:
        sessions = versions.views_of(version.snapshot, convening.id, versions.load_people([version.snapshot]))
    briefs = db.session.scalars(
        sa.select(Brief).join(brief_convenings, brief_convenings.c.brief_id == Brief.id)
        .where(brief_convenings.c.convening_id == convening.id, Brief.status == BriefStatus.PUBLISHED.value)
        .options(selectinload(Brief.regions))
        .order_by(Brief.published_on.desc().nulls_last(), Brief.id.desc())).all()
    related = [c.id for c in convening.dialogues] + ([convening.parent_id] if convening.parent_id else [])
    return {"version": version, "sessions": sessions, "briefs": list(briefs),
            "facts": convening_facts([convening.id])[convening.id], "public": public_among(related),
            "parent": db.session.get(Convening, convening.parent_id) if convening.parent_id else None}


def series_list() -> list[tuple[Series, int]]:
    """Every series with its number of public editions, by name."""
    editions = (sa.select(sa.func.count(Convening.id)).where(Convening.series_id == Series.id, _is_public())
                .correlate(Series).scalar_subquery())
    return [(s, n) for s, n in db.session.execute(sa.select(Series, editions).order_by(Series.name))]


def series(slug: str) -> tuple[Series, list[Convening]] | None:
    found = db.session.scalar(sa.select(Series).where(Series.slug == slug[:200]))
    if found is None:
        return None
    editions = db.session.scalars(sa.select(Convening).where(Convening.series_id == found.id, _is_public())
                                  .order_by(Convening.starts_on.desc(), Convening.id.desc())).all()
    return found, list(editions)
