"""Issuing, resolving and revoking personal-link tokens.

A token is 32 bytes from `secrets` (256 bits). The database keeps only its SHA-256
digest, so a leaked database or log gives no working link. Lookup is by digest, and the
final comparison uses `hmac.compare_digest`.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import sqlalchemy as sa

from ..db_types import utcnow
from ..extensions import db
from .models import AccessToken, Purpose


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def issue(purpose: Purpose | str, *, expires_at: datetime | None = None, revoke_previous: bool = True,
          **subject) -> str:
    """Create a token for `subject` (invitation_id=…, person_id=…, …) and return the raw secret.

    With revoke_previous, earlier live tokens of the same purpose and subject stop working:
    re-issuing a link is how a leaked link is revoked.
    """
    purpose = Purpose(purpose).value
    if revoke_previous:
        revoke(purpose, **subject)
    raw = secrets.token_urlsafe(32)
    db.session.add(AccessToken(purpose=purpose, digest=digest_of(raw), expires_at=expires_at, **subject))
    return raw


def revoke(purpose: Purpose | str, **subject) -> int:
    """Revoke every live token of this purpose for this subject; return how many."""
    query = sa.select(AccessToken).where(AccessToken.purpose == Purpose(purpose).value,
                                         AccessToken.revoked_at.is_(None))
    for column, value in subject.items():
        query = query.where(getattr(AccessToken, column) == value)
    tokens = db.session.scalars(query).all()
    now = utcnow()
    for token in tokens:
        token.revoked_at = now
    return len(tokens)


def find(purpose: Purpose | str, raw: str | None) -> AccessToken | None:
    """The token row for a raw secret, whether or not it is still valid; None if unknown."""
    if not raw or len(raw) > 200:
        return None
    wanted = digest_of(raw)
    token = db.session.scalar(sa.select(AccessToken).where(AccessToken.digest == wanted))
    if token is None or token.purpose != Purpose(purpose).value:
        return None
    if not hmac.compare_digest(token.digest, wanted):
        return None
    return token


def resolve(purpose: Purpose | str, raw: str | None) -> AccessToken | None:
    """The token row if the secret is known, of this purpose, unrevoked, unused and unexpired."""
    token = find(purpose, raw)
    if token is None or not token.is_valid():
        return None
    return token
