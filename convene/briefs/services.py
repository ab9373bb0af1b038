"""Briefs: creating, editing, moving through review to publication, PDF files, and overdue convenings.

Participants' review of a draft is in `review.py`; the public archive in `archive.py`.
"""
from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..audit.services import apply_changes, record
from ..convenings.models import Convening
from ..db_types import utcnow
from ..editing import check_version, unique_slug
from ..errors import DomainError
from ..extensions import db
from ..themes.models import Theme
from ..webhooks import services as webhooks
from . import storage
from .models import (STATUS_TRANSITIONS, Brief, BriefFile, BriefKind, BriefRegion, BriefStatus, BriefStatusChange,
                     brief_convenings)
from .pdf_safety import pdf_problem
from .regions import is_region

FIELDS = ("title", "kind", "publisher", "authors", "published_on", "summary", "url")


class BriefError(DomainError):
    """A rule about briefs was broken; the message is shown to the user as it is."""

    status = 400  # the briefs pages answered a refused save with 400 before the common edge; kept


class UploadError(BriefError):
    """The uploaded file is not an acceptable PDF."""


# --- creating and editing -------------------------------------------------------------------

def _clean(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(data)
    for key in ("title", "publisher", "authors", "url"):
        cleaned[key] = (cleaned.get(key) or "").strip()
    cleaned["summary"] = (cleaned.get("summary") or "").replace("\r\n", "\n")
    if cleaned.get("kind") not in {k.value for k in BriefKind}:
        cleaned["kind"] = BriefKind.OTHER.value
    return cleaned


def create_brief(data: dict[str, Any], actor) -> Brief:
    """A new brief in draft, linked to its convenings, regions and themes."""
    data = _clean(data)
    brief = Brief(slug=unique_slug(Brief, data["title"]), status=BriefStatus.DRAFT.value)
    apply_changes(brief, data, FIELDS)
    db.session.add(brief)
    changes = _set_relations(brief, data, actor)
    brief.status_changes.append(BriefStatusChange(from_status=None, to_status=brief.status,
                                                  actor_id=getattr(actor, "id", None)))
    record("brief.create", brief, actor=actor, changes={"title": [None, brief.title], **changes})
    return brief


def update_brief(brief: Brief, data: dict[str, Any], actor) -> Brief:
    """Apply an edit; a save from a form that showed an older version raises StaleEdit."""
    check_version(brief, data.get("version"))
    data = _clean(data)
    changes = apply_changes(brief, data, FIELDS)
    if "title" in changes and brief.published_at is None:
        # Until the public has seen it, the address follows the title; afterwards it stays put.
        brief.slug = unique_slug(Brief, brief.title, exclude_id=brief.id)
    changes.update(_set_relations(brief, data, actor))
    if changes:
        brief.updated_at = utcnow()  # regions, themes and convenings are other rows: the brief changed too
        record("brief.update", brief, actor=actor, changes=changes)
        if brief.is_published:
            webhooks.emit(webhooks.Event.BRIEF_UPDATED, webhooks.brief_data(brief))
    return brief


def _set_relations(brief: Brief, data: dict[str, Any], actor) -> dict[str, list]:
    changes: dict[str, list] = {}
    if data.get("regions") is not None:
        unknown = [r for r in data["regions"] if not is_region(r)]
        if unknown:
            raise BriefError(f"Unknown region: {unknown[0]}. Choose UN M49 regions from the list.")
        before = brief.region_names
        after = sorted(set(data["regions"]))
        if before != after:
            keep = {r.region: r for r in brief.regions}
            brief.regions = [keep.get(name) or BriefRegion(region=name) for name in after]
            changes["regions"] = [before, after]
    if data.get("theme_ids") is not None or data.get("new_themes"):
        themes = _themes(data.get("theme_ids") or [], data.get("new_themes") or "", actor)
        before = sorted(t.name for t in brief.themes)
        if before != sorted(t.name for t in themes):
            brief.themes = themes
            changes["themes"] = [before, sorted(t.name for t in themes)]
    if data.get("convening_ids") is not None:
        ids = sorted(set(data["convening_ids"]))
        convenings = db.session.scalars(sa.select(Convening).where(Convening.id.in_(ids))).all() if ids else []
        before = sorted(c.id for c in brief.convenings)
        if before != sorted(c.id for c in convenings):
            brief.convenings = list(convenings)
            changes["convenings"] = [before, sorted(c.id for c in convenings)]
    return changes


def _themes(theme_ids: list[int], new_names: str, actor) -> list[Theme]:
    """The chosen themes plus the typed ones, creating those that do not exist yet."""
    themes = list(db.session.scalars(sa.select(Theme).where(Theme.id.in_(theme_ids)))) if theme_ids else []
    names = [" ".join(n.split()) for n in new_names.replace(";", ",").split(",")]
    for name in dict.fromkeys(n for n in names if n):
        if len(name) > 120:
            raise BriefError("A theme name can be at most 120 characters long.")
        theme = db.session.scalar(sa.select(Theme).where(sa.func.lower(Theme.name) == name.lower()))
        if theme is None:
            theme = Theme(name=name, slug=unique_slug(Theme, name))
            db.session.add(theme)
            db.session.flush()
            record("theme.create", theme, actor=actor, changes={"name": [None, name]})
        if theme not in themes:
            themes.append(theme)
    return themes


# --- workflow -------------------------------------------------------------------------------

def change_status(brief: Brief, status: str, actor, seen_version: int | None = None, note: str = "") -> Brief:
    """Move a brief along draft → participant review → approved → published, recording who and when."""
    check_version(brief, seen_version)
    if status == brief.status:
        return brief
    if status not in STATUS_TRANSITIONS.get(brief.status, set()):
        raise BriefError(f"A brief in “{BriefStatus(brief.status).label}” cannot move to "
                         f"“{BriefStatus(status).label if status in {s.value for s in BriefStatus} else status}”.")
    if status == BriefStatus.REVIEW.value and not brief.convenings:
        raise BriefError("Link the brief to its convening before sending it to participant review.")
    if status == BriefStatus.PUBLISHED.value:
        _check_publishable(brief)
        brief.published_at = brief.published_at or utcnow()
        brief.published_on = brief.published_on or date.today()
    before = brief.status
    brief.status = status
    brief.status_changes.append(BriefStatusChange(from_status=before, to_status=status, note=note[:1000],
                                                  actor_id=getattr(actor, "id", None)))
    record("brief.status", brief, actor=actor, changes={"status": [before, status]})
    if status == BriefStatus.PUBLISHED.value:
        webhooks.emit(webhooks.Event.BRIEF_PUBLISHED, webhooks.brief_data(brief))
    return brief


def _check_publishable(brief: Brief) -> None:
    if not brief.title.strip():
        raise BriefError("A brief needs a title before it is published.")
    if not brief.url and brief.current_file is None:
        raise BriefError("Add a link to the full text or upload the PDF before publishing.")


# --- files ----------------------------------------------------------------------------------

#: How a refused brief PDF is explained (briefs.pdf_safety.pdf_problem's kinds).
UPLOAD_REFUSALS = {
    "empty": "The file is empty. Choose the brief's PDF.",
    "too_large": "The file is larger than the limit of {megabytes} MB ({limit:,} bytes).",
    "not_pdf": "This file is not a PDF (it does not start with %PDF-), whatever its name says.",
    "incomplete": "This PDF is incomplete (it has no %%EOF end marker). Upload the whole file again.",
    "unreadable": "This PDF could not be read (its structure is damaged). Export or save it again from the "
                  "program that made it, then upload it.",
    "active": "This PDF contains {found}, which briefs may not carry. Save it again without scripts or actions "
              "(e.g. print it to PDF), then upload it.",
}


def check_pdf(data: bytes, max_size: int) -> None:
    """Refuse anything that is not a complete PDF without active content, within the size limit."""
    problem = pdf_problem(data, max_size)
    if problem:
        kind, found = problem
        raise UploadError(UPLOAD_REFUSALS[kind].format(megabytes=max_size // (1024 * 1024) or 1, limit=max_size,
                                                       found=found))


def attach_pdf(brief: Brief, data: bytes, uploaded_name: str, actor, max_size: int) -> BriefFile:
    """Record a new PDF version (the caller writes the bytes once the row is flushed)."""
    check_pdf(data, max_size)
    now = utcnow()
    previous = brief.current_file
    if previous is not None:
        previous.replaced_at = now
    new_file = BriefFile(storage_name=storage.new_storage_name(), original_name=storage.display_name(uploaded_name),
                         size=len(data), sha256=hashlib.sha256(data).hexdigest(), uploaded_at=now,
                         uploaded_by_id=getattr(actor, "id", None))
    brief.files.insert(0, new_file)
    brief.updated_at = now  # the public page shows the file: the brief changed (its archive stamp moves)
    db.session.flush()
    record("brief.file", brief, actor=actor, changes={
        "file": [previous.original_name if previous else None, new_file.original_name],
        "sha256": [previous.sha256 if previous else None, new_file.sha256]})
    return new_file


# --- dashboard ------------------------------------------------------------------------------

def overdue_convenings(weeks: int, today: date | None = None, limit: int = 20) -> list[Convening]:
    """Held convenings that ended more than `weeks` ago and have no brief (nor their conference or dialogues)."""
    cutoff = (today or date.today()) - timedelta(weeks=weeks)
    child = aliased(Convening)
    linked = sa.select(brief_convenings.c.convening_id)
    covered = sa.or_(
        Convening.id.in_(linked),
        sa.and_(Convening.parent_id.is_not(None), Convening.parent_id.in_(linked)),
        sa.exists().where(child.parent_id == Convening.id, child.id.in_(linked)),
    )
    return list(db.session.scalars(
        sa.select(Convening).where(Convening.status.in_(("held", "closed")), Convening.ends_on < cutoff,
                                   sa.not_(covered))
        .order_by(Convening.ends_on).limit(limit)))
