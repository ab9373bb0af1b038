"""The public archive of published briefs: filters, search, one page of results and the filter choices."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..base.paging import ResultPage, load_page
from ..editing import slugify
from ..extensions import db
from ..themes.models import Theme
from .models import Brief, BriefRegion, BriefStatus, brief_themes
from .search import apply_search


@dataclass
class ArchiveFilters:
    q: str = ""
    region: str = ""
    theme: str = ""
    kind: str = ""
    year: int | None = None
    terms: list[str] = field(default_factory=list)


def published_query(filters: ArchiveFilters, dialect_name: str) -> sa.Select:
    """Published briefs matching the filters, newest first (best match first when searching)."""
    query = (sa.select(Brief).where(Brief.status == BriefStatus.PUBLISHED.value)
             .order_by(Brief.published_on.desc(), Brief.id.desc()))
    if filters.region:
        query = query.where(Brief.id.in_(sa.select(BriefRegion.brief_id).where(BriefRegion.region == filters.region)))
    if filters.theme:
        query = query.where(Brief.id.in_(
            sa.select(brief_themes.c.brief_id).join(Theme, Theme.id == brief_themes.c.theme_id)
            .where(Theme.slug == filters.theme)))
    if filters.kind:
        query = query.where(Brief.kind == filters.kind)
    if filters.year:
        query = query.where(Brief.published_on >= date(filters.year, 1, 1),
                            Brief.published_on <= date(filters.year, 12, 31))
    query, filters.terms = apply_search(query, filters.q, dialect_name)
    return query


def paginate_archive(query: sa.Select, page: int, per_page: int) -> ResultPage:
    """One page of the archive with the briefs' tags, whatever the archive's size (paging.load_page);
    a page past the end is the last page."""
    options = (selectinload(Brief.themes), selectinload(Brief.regions))
    found = load_page(query, Brief.id, max(1, page), per_page, *options)
    if not found.items and found.page > found.pages:
        found = load_page(query, Brief.id, found.pages, per_page, *options)
    return found


def archive_facets() -> dict[str, list]:
    """Choices for the archive filters: years, themes and regions that published briefs use."""
    published = Brief.status == BriefStatus.PUBLISHED.value
    year = sa.extract("year", Brief.published_on)
    years = [int(y) for y in db.session.scalars(
        sa.select(year).where(published, Brief.published_on.is_not(None)).group_by(year).order_by(year.desc()))]
    themes = db.session.execute(
        sa.select(Theme.slug, Theme.name).join(brief_themes, brief_themes.c.theme_id == Theme.id)
        .join(Brief, Brief.id == brief_themes.c.brief_id).where(published)
        .group_by(Theme.slug, Theme.name).order_by(Theme.name)).all()
    regions = list(db.session.scalars(
        sa.select(BriefRegion.region).join(Brief, Brief.id == BriefRegion.brief_id).where(published)
        .group_by(BriefRegion.region).order_by(BriefRegion.region)))
    return {"years": years, "themes": themes, "regions": regions}


def slug_is_valid(slug: str) -> bool:
    """Whether a theme slug from the query string is one slugify could have made."""
    return bool(slug) and slugify(slug, max_length=200) == slug
