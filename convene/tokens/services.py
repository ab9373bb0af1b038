"""Issuing, opening and revoking personal-link tokens.

A token is 32 bytes from `secrets` (256 bits). The database keeps only its SHA-256
digest, so a leaked database or log gives no working link. Lookup is by digest, and the
final comparison uses `hmac.compare_digest`.

Every route behind a personal link opens it with `open_link(raw, *purposes)`; a link that
does not work raises `LinkProblem`, which one error handler turns into one page (404 for
an unknown link, 410 for an expired, revoked or replaced one).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from ..db_types import utcnow
from ..extensions import db
from .models import AccessToken, Purpose

#: Why a link does not work, and the status each reason answers.
STATUS_FOR = {"unknown": 404, "expired": 410, "revoked": 410, "replaced": 410, "reissued": 410, "forwarded": 410}


class LinkProblem(Exception):
    """A personal link that opens nothing: `reason` is one of STATUS_FOR; `purpose` names what it was for."""

    def __init__(self, reason: str, purpose: Purpose | str = Purpose.RSVP):
        super().__init__(reason)
        self.reason = reason
        self.purpose = Purpose(purpose)
        self.status = STATUS_FOR[reason]


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def issue(purpose: Purpose | str, *, expires_at: datetime | None = None, revoke_previous: bool = True,
          **subject) -> str:
    """Create a token for `subject` (invitation_id=…, person_id=…, …) and return the raw secret.

    With revoke_previous, earlier live tokens of the same purpose and subject stop working
    (their page then says they were replaced): re-issuing a link is how a leaked link is revoked.
    """
    purpose = Purpose(purpose).value
    if revoke_previous:
        revoke(purpose, because="replaced", **subject)
    raw = secrets.token_urlsafe(32)
    db.session.add(AccessToken(purpose=purpose, digest=digest_of(raw), expires_at=expires_at, **subject))
    return raw


def lasting(purpose: Purpose | str, *, expires_at: datetime | None = None, **subject) -> str:
    """The secret of the subject's one lasting link of this purpose, issued on first use.

    Every message about the same subject carries the same link; it changes only when it is revoked
    (`revoke(..., because=…)`) or expires. Older one-off links of the subject keep working.
    """
    purpose = Purpose(purpose).value
    query = sa.select(AccessToken).where(AccessToken.purpose == purpose, AccessToken.nonce.is_not(None),
                                         AccessToken.revoked_at.is_(None))
    for column, value in subject.items():
        query = query.where(getattr(AccessToken, column).is_(None) if value is None
                            else getattr(AccessToken, column) == value)
    token = db.session.scalar(query.order_by(AccessToken.id.desc()).limit(1))
    if token is not None and token.is_valid():
        return secret_of(token)
    token = AccessToken(purpose=purpose, nonce=secrets.token_hex(16), expires_at=expires_at, **subject)
    token.digest = digest_of(secret_of(token))
    db.session.add(token)
    db.session.flush()
    return secret_of(token)


def secret_of(token: AccessToken) -> str:
    """The raw secret of a lasting link, derived again from the server key and the row's nonce."""
    key = current_app.config["SECRET_KEY"]
    mac = hmac.new(key if isinstance(key, bytes) else key.encode(), f"link:{token.nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def revoke(purpose: Purpose | str, *, because: str = "revoked", **subject) -> int:
    """Revoke every live token of this purpose for this subject; return how many."""
    query = sa.select(AccessToken).where(AccessToken.purpose == Purpose(purpose).value,
                                         AccessToken.revoked_at.is_(None))
    for column, value in subject.items():
        query = query.where(getattr(AccessToken, column) == value)
    tokens = db.session.scalars(query).all()
    now = utcnow()
    for token in tokens:
        token.revoked_at = now
        token.revoked_because = because
    return len(tokens)


def _by_secret(raw: str | None) -> AccessToken | None:
    if not raw or len(raw) > 200:
        return None
    wanted = digest_of(raw)
    token = db.session.scalar(sa.select(AccessToken).where(AccessToken.digest == wanted))
    if token is None or not hmac.compare_digest(token.digest, wanted):
        return None
    return token


def open_link(raw: str | None, *purposes: Purpose | str) -> AccessToken:
    """The live token behind a personal link of one of `purposes`, or LinkProblem saying why not."""
    accepted = [Purpose(p).value for p in purposes]
    token = _by_secret(raw)
    if token is None or token.purpose not in accepted:
        raise LinkProblem("unknown", accepted[0])
    if token.revoked_at is not None or token.used_at is not None:
        raise LinkProblem(token.revoked_because or "revoked", token.purpose)
    if token.expires_at is not None and token.expires_at <= utcnow():
        raise LinkProblem("expired", token.purpose)
    return token
