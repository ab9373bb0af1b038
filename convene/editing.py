"""Helpers every area's services use: slugs, and refusing stale saves (StaleEdit lives in convene.errors)."""
from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa

from .errors import StaleEdit
from .extensions import db


def check_version(obj, seen_version: int | None) -> None:
    """Refuse a save made from a form that showed an older version of obj."""
    if seen_version is not None and seen_version != obj.version:
        raise StaleEdit(obj)


def slugify(text: str, max_length: int = 80) -> str:
    normalised = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", normalised.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"


def unique_slug(model, text: str, exclude_id: int | None = None) -> str:
    """A slug for text that no other row of model uses."""
    base = slugify(text)
    taken = set(db.session.scalars(
        sa.select(model.slug).where(model.slug.startswith(base, autoescape=True))
        .where(model.id != (exclude_id or 0))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
