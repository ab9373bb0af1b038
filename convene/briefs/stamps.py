"""Change stamps of the public archive's pages: one cheap query says whether what a page shows changed.

The archive pages are kept whole for anonymous visitors (caching.anonymous_page) under these
stamps. Every change a page shows moves its stamp: a brief's edit bumps its `updated_at` and
`version` (relations and uploads included, see services), publishing or withdrawing one moves the
count or, since the moved brief's `updated_at` is then the newest, the maximum. A set of rows that
loses members changes its count; one that gains a member gains a newer `updated_at` (or, for
invitations, which have none, a greater id); an edited row a greater version (every versioned
ORM update bumps it).
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from ..actions.models import ActionItem
from ..agenda.models import AgendaSettings
from ..convenings.models import Convening
from ..diversity.models import ClassificationOverride
from ..extensions import db
from ..invitations.models import Invitation
from ..people.models import Person
from .models import Brief, BriefStatus, brief_convenings

_PUBLISHED = Brief.status == BriefStatus.PUBLISHED.value


def archive_stamp() -> tuple:
    """(count, newest updated_at, sum of versions) of the published briefs: the archive pages' stamp."""
    return tuple(db.session.execute(
        sa.select(sa.func.count(), sa.func.max(Brief.updated_at), sa.func.sum(Brief.version))
        .where(_PUBLISHED)).one())


def _count_max(column, *where) -> list:
    """Two scalar subqueries: how many rows, and the newest (greatest) of `column` among them."""
    table = column.class_
    return [sa.select(sa.func.count()).select_from(table).where(*where).scalar_subquery(),
            sa.select(sa.func.max(column)).where(*where).scalar_subquery()]


def brief_page_stamp(slug: str) -> tuple | None:
    """Everything a published brief's public page shows, as one row of aggregates; None if not published.

    The brief itself, its convenings, their invitations and the people invited (the participant
    facts), the classification overrides those facts use, their next steps and whether their
    public page is on.
    """
    brief_id = sa.select(Brief.id).where(Brief.slug == slug[:200], _PUBLISHED).scalar_subquery()
    ids = sa.select(brief_convenings.c.convening_id).where(brief_convenings.c.brief_id == brief_id)
    people = sa.select(Invitation.person_id).where(Invitation.convening_id.in_(ids))
    row = db.session.execute(sa.select(
        Brief.id, Brief.version, Brief.updated_at,
        *_count_max(Convening.updated_at, Convening.id.in_(ids)),
        sa.select(sa.func.sum(Convening.version)).where(Convening.id.in_(ids)).scalar_subquery(),
        *_count_max(Invitation.id, Invitation.convening_id.in_(ids)),  # no updated_at: the versions say it
        sa.select(sa.func.sum(Invitation.version)).where(Invitation.convening_id.in_(ids)).scalar_subquery(),
        sa.select(sa.func.max(Person.updated_at)).where(Person.id.in_(people)).scalar_subquery(),
        *_count_max(ActionItem.updated_at, ActionItem.convening_id.in_(ids)),
        sa.select(sa.func.count()).select_from(AgendaSettings)
        .where(AgendaSettings.convening_id.in_(ids), AgendaSettings.public).scalar_subquery(),
        sa.select(sa.func.max(AgendaSettings.updated_at)).where(AgendaSettings.convening_id.in_(ids))
        .scalar_subquery(),
        *_count_max(ClassificationOverride.set_at),
        sa.select(sa.func.sum(ClassificationOverride.version)).scalar_subquery(),
    ).where(Brief.id == brief_id)).first()
    if row is None:
        return None
    config = current_app.config
    return (*row, config.get("CLASSIFICATION_BASIS"), config.get("CLASSIFICATION_TRANSITION"),
            repr(config.get("CLASSIFICATION_OVERRIDES")))


def newest(stamp: tuple) -> datetime | None:
    """The latest time among a stamp's parts (the page's Last-Modified)."""
    times = [part for part in stamp if isinstance(part, datetime)]
    return max(times) if times else None
