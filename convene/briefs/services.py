"""Briefs: creating, editing, moving through review to publication, files, comments, and the archive."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from ..audit.services import apply_changes, record
from ..convenings.models import Convening
from ..db_types import utcnow
from ..editing import check_version, slugify, unique_slug
from ..errors import DomainError
from ..extensions import db
from ..invitations.models import Invitation
from ..mail.services import MailError, queue_message
from ..themes.models import Theme
from ..tokens import services as tokens
from . import storage
from .pdf_safety import UnreadablePdf, active_content
from .models import (STATUS_TRANSITIONS, Brief, BriefComment, BriefFile, BriefRegion, BriefStatus,
                     BriefStatusChange, BriefKind, brief_convenings, brief_themes)
from .regions import is_region
from .search import apply_search

FIELDS = ("title", "kind", "publisher", "authors", "published_on", "summary", "url")
#: Invitation statuses that make someone a participant who may review a draft.
PARTICIPANT_STATUSES = ("accepted", "attended")
#: Days a review link stays valid.
REVIEW_LINK_DAYS = 60
COMMENT_MAX = 5000


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
        record("brief.update", brief, actor=actor, changes=changes)
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
    return brief


def _check_publishable(brief: Brief) -> None:
    if not brief.title.strip():
        raise BriefError("A brief needs a title before it is published.")
    if not brief.url and brief.current_file is None:
        raise BriefError("Add a link to the full text or upload the PDF before publishing.")


# --- files ----------------------------------------------------------------------------------

def check_pdf(data: bytes, max_size: int) -> None:
    """Refuse anything that is not a complete PDF within the size limit, judged by its bytes."""
    if not data:
        raise UploadError("The file is empty. Choose the brief's PDF.")
    if len(data) > max_size:
        raise UploadError(f"The file is larger than the limit of {max_size // (1024 * 1024) or 1} MB "
                          f"({max_size:,} bytes).")
    # The header may follow a few bytes of junk (PDF 1.7 §7.5.2 tolerates up to 1024).
    if b"%PDF-" not in data[:1024]:
        raise UploadError("This file is not a PDF (it does not start with %PDF-), whatever its name says.")
    if b"%%EOF" not in data[-1024:]:
        raise UploadError("This PDF is incomplete (it has no %%EOF end marker). Upload the whole file again.")
    try:
        found = active_content(data)
    except UnreadablePdf:
        raise UploadError("This PDF could not be read (its structure is damaged). Export or save it again "
                          "from the program that made it, then upload it.") from None
    if found:
        raise UploadError(f"This PDF contains {found}, which briefs may not carry. Save it again without "
                          "scripts or actions (e.g. print it to PDF), then upload it.")


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
    db.session.flush()
    record("brief.file", brief, actor=actor, changes={
        "file": [previous.original_name if previous else None, new_file.original_name],
        "sha256": [previous.sha256 if previous else None, new_file.sha256]})
    return new_file


# --- participant review ---------------------------------------------------------------------

def participant_invitations(brief: Brief) -> list:
    """Invitations of people who took part in a convening the brief comes from."""
    ids = [c.id for c in brief.convenings]
    if not ids:
        return []
    return list(db.session.scalars(
        sa.select(Invitation).where(Invitation.convening_id.in_(ids),
                                    Invitation.status.in_(PARTICIPANT_STATUSES))
        .options(selectinload(Invitation.person)).order_by(Invitation.id)))


def participant_count(brief: Brief) -> int:
    """How many people took part in the convenings the brief comes from."""
    ids = [c.id for c in brief.convenings]
    if not ids:
        return 0
    return db.session.scalar(sa.select(sa.func.count(Invitation.id)).where(
        Invitation.convening_id.in_(ids), Invitation.status.in_(PARTICIPANT_STATUSES)))


def send_review_links(brief: Brief, actor, link_for) -> tuple[int, int]:
    """Give each participant a personal review link by e-mail; return (queued, without address).

    `link_for(raw_token)` builds the absolute URL. Re-issuing revokes a participant's older link.
    """
    queued = skipped = 0
    expires = utcnow() + timedelta(days=REVIEW_LINK_DAYS)
    for invitation in participant_invitations(brief):
        person = invitation.person
        if not person.email or person.erased_at is not None:
            skipped += 1
            continue
        raw = tokens.issue("review", expires_at=expires, invitation_id=invitation.id)
        try:
            queue_message(to_address=person.email, to_name=person.name, kind="other",
                          subject=f"Draft for your review: {brief.title}"[:300],
                          text=_review_mail_text(brief, person.name, link_for(raw)),
                          convening_id=invitation.convening_id, invitation_id=invitation.id, person_id=person.id)
        except MailError:
            skipped += 1
            continue
        queued += 1
    record("brief.review_links", brief, actor=actor, changes={"queued": [None, queued]})
    return queued, skipped


def _review_mail_text(brief: Brief, name: str, link: str) -> str:
    return (f"Dear {name},\n\nThe draft “{brief.title}” from a meeting you took part in is ready for "
            f"participants' review. It attributes no remark to anyone. Please read it and leave any "
            f"comments here:\n\n{link}\n\nThe link is personal; please do not forward it. "
            f"It stays valid for {REVIEW_LINK_DAYS} days.\n")


def _covering_convening_ids(convening: Convening) -> list[int]:
    """A participant of a dialogue may also review briefs of its conference."""
    return [convening.id] + ([convening.parent_id] if convening.parent_id else [])


def briefs_in_review_for(invitation) -> list[Brief]:
    """Drafts in review that the invitee may read: from their convening, if they took part."""
    if invitation.status not in PARTICIPANT_STATUSES:
        return []
    return list(db.session.scalars(
        sa.select(Brief).join(brief_convenings)
        .where(brief_convenings.c.convening_id.in_(_covering_convening_ids(invitation.convening)),
               Brief.status == BriefStatus.REVIEW.value)
        .options(selectinload(Brief.files)).distinct().order_by(Brief.title)))


def may_review(invitation, brief: Brief) -> bool:
    return brief.id in {b.id for b in briefs_in_review_for(invitation)}


def add_comment(brief: Brief, invitation, body: str) -> BriefComment:
    """A participant's comment on a draft in review."""
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise BriefError("Write a comment before sending it.")
    if len(body) > COMMENT_MAX:
        raise BriefError(f"Please keep a comment under {COMMENT_MAX} characters.")
    if brief.status != BriefStatus.REVIEW.value:
        raise BriefError("This draft is no longer open for comments.")
    comment = BriefComment(brief=brief, invitation_id=invitation.id, body=body, brief_version=brief.version)
    db.session.add(comment)
    record("brief.comment", comment, actor_label="invitee via personal link",
           changes={"brief_id": [None, brief.id], "invitation_id": [None, invitation.id]})
    return comment


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


# --- public archive -------------------------------------------------------------------------

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


@dataclass
class ArchivePage:
    """One page of archive results, with what the shared `pager` macro reads."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def paginate_archive(query: sa.Select, page: int, per_page: int) -> ArchivePage:
    """Two queries (count, page) plus the tags of the page's briefs, whatever the archive's size.

    The count selects ids only: counting the full rows made SQLite read every matching summary.
    """
    total = db.session.scalar(sa.select(sa.func.count()).select_from(
        query.with_only_columns(Brief.id).order_by(None).subquery()))
    page = max(1, min(page, max(1, -(-total // per_page))))
    items = db.session.scalars(query.options(selectinload(Brief.themes), selectinload(Brief.regions))
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return ArchivePage(list(items), page, per_page, total)


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
    return bool(slug) and slugify(slug, max_length=200) == slug
